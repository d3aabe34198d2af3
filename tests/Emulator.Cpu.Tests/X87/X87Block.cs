namespace Emulator.Cpu.Tests.X87;

/// <summary>
/// The data block both runners hand the snippet in RDI: the FRSTOR image it loads, the FNSAVE image it
/// stores after the instruction, a memory operand, the AH byte SAHF loads, the RFLAGS it records, and room
/// for an FXSAVE image.
/// </summary>
public static class X87Block
{
    public const int Size = 1024;
    public const int Input = 0;
    public const int Output = 128;
    public const int ImageSize = 108;
    public const int Operand = 256;
    public const int OperandSize = 32;
    public const int FlagsIn = 320;
    public const int FlagsOut = 328;

    /// <summary>A 16-byte-aligned 512-byte FXSAVE area.</summary>
    public const int Fxsave = 512;
}
