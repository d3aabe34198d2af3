using Iced.Intel;

namespace Emulator.System.Tests.EndToEnd.Guests;

/// <summary>Assembles Iced programs to bytes at a given address.</summary>
internal static class GuestAssembler
{
    public static byte[] Assemble(int bitness, ulong address, Action<Assembler> program)
    {
        var assembler = new Assembler(bitness);
        program(assembler);
        using var stream = new MemoryStream();
        assembler.Assemble(new StreamCodeWriter(stream), address);
        return stream.ToArray();
    }
}
