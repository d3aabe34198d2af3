using Iced.Intel;

namespace Emulator.System.Tests.EndToEnd.Guests;

/// <summary>
/// A 64 KiB <c>-bios</c> image with real-mode code at its start and, at the reset vector F000:FFF0,
/// a near jump there: CS keeps its reset base FFFF0000h, so the code runs from the image's high
/// window (linear FFFF0000h). A near jump because the interpreter has no far JMP yet; a firmware
/// that wants the low alias at F0000h jumps to F000:xxxx once it can.
/// </summary>
internal static class BiosImageWriter
{
    public const int Size = 0x1_0000;
    public const uint CodeBase = 0xFFFF_0000;

    public static byte[] Build(Action<Assembler> realModeCode) => Build(GuestAssembler.Assemble(16, 0, realModeCode));

    /// <summary>An image whose first bytes are <paramref name="body"/> (entered in real mode at its start), plus the reset jump.</summary>
    public static byte[] Build(byte[] body)
    {
        if (body.Length > 0xFFF0)
        {
            throw new ArgumentException("the body overlaps the reset vector", nameof(body));
        }

        byte[] image = new byte[Size];
        body.CopyTo(image, 0);
        // JMP rel16 from F000:FFF0 to F000:0000: IP FFF3h + 000Dh wraps to 0 (hand-encoded: the
        // assembler refuses a displacement that only reaches its target by wrapping).
        byte[] reset = [0xE9, 0x0D, 0x00];
        reset.CopyTo(image, 0xFFF0);
        return image;
    }
}
