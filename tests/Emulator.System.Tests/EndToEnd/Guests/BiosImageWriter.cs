using Iced.Intel;

namespace Emulator.System.Tests.EndToEnd.Guests;

/// <summary>
/// A 64 KiB <c>-bios</c> image with real-mode code at F000:0000 (linear F0000h, the low alias every
/// image has) and, at the reset vector F000:FFF0, a far jump there.
/// </summary>
internal static class BiosImageWriter
{
    public const int Size = 0x1_0000;
    public const uint CodeBase = 0xF_0000;

    public static byte[] Build(Action<Assembler> realModeCode)
    {
        byte[] image = new byte[Size];
        byte[] code = GuestAssembler.Assemble(16, 0, realModeCode);
        code.CopyTo(image, 0);
        byte[] reset = GuestAssembler.Assemble(16, 0xFFF0, a => a.AddInstruction(Instruction.CreateBranch(Code.Jmp_ptr1616, 0xF000, 0)));
        reset.CopyTo(image, 0xFFF0);
        return image;
    }
}
