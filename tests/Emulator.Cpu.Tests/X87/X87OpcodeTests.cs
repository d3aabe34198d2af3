using Iced.Intel;

namespace Emulator.Cpu.Tests.X87;

/// <summary>
/// FOP rebuilt from the decoded instruction must equal the bytes it came from: every D8-DF opcode with every
/// mod/rm byte, in 16-, 32- and 64-bit code, with several SIB bytes (every addressing form, including the
/// 16-bit ones the 64-bit host tests cannot reach). Skipped: a SIB byte that says "no index" with a base
/// that needs none, which decodes to the same operand as the shorter form; FOP then shows mod/rm 100 where
/// the emulator, which keeps no raw bytes, shows the base (assemblers and compilers do not emit these).
/// </summary>
public sealed class X87OpcodeTests
{
    [Theory]
    [InlineData(16)]
    [InlineData(32)]
    [InlineData(64)]
    public void FopMatchesTheEncodedBytes(int bitness)
    {
        int checkedForms = 0;
        foreach (byte sib in new byte[] { 0x00, 0x24, 0x25, 0x65, 0xAD, 0xFF })
        {
            for (int opcode = 0xD8; opcode <= 0xDF; opcode++)
            {
                for (int modrm = 0; modrm < 256; modrm++)
                {
                    byte[] bytes = [(byte)opcode, (byte)modrm, sib, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66];
                    var decoder = Decoder.Create(bitness, new ByteArrayCodeReader(bytes));
                    decoder.Decode(out Instruction instruction);
                    if (instruction.IsInvalid || instruction.Code.ToOpCode().Encoding != EncodingKind.Legacy)
                    {
                        continue;
                    }

                    if (RedundantSib(bitness, modrm, sib))
                    {
                        continue;
                    }

                    int expected = ((opcode & 7) << 8) | modrm;
                    Assert.True(expected == X87Opcode.Of(instruction), $"{bitness}-bit {opcode:X2} {modrm:X2} {sib:X2} ({instruction}): FOP {X87Opcode.Of(instruction):X3}, bytes say {expected:X3}");
                    checkedForms++;
                }
            }
        }

        Assert.True(checkedForms > 10000);
    }

    private static bool RedundantSib(int bitness, int modrm, byte sib)
    {
        int mod = modrm >> 6;
        bool hasSib = bitness != 16 && mod != 3 && (modrm & 7) == 4;
        bool noIndex = ((sib >> 3) & 7) == 4;
        int sibBase = sib & 7;
        bool absoluteIn64 = bitness == 64 && mod == 0 && sibBase == 5;
        return hasSib && noIndex && sibBase != 4 && !absoluteIn64;
    }
}
