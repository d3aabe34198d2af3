using Iced.Intel;

namespace Emulator.Cpu.Tests.Execution;

/// <summary>XLAT: AL from the table at rBX indexed by the unsigned AL; other bits of RAX and the flags stay.</summary>
public sealed class TableLookupTests
{
    [Theory]
    [InlineData(0x00, 0x10)]
    [InlineData(0x7F, 0x8F)]
    [InlineData(0xFF, 0x0F)]
    public void LoadsAlFromTheTable(byte index, byte expected)
    {
        using var m = new TestMachine();
        byte[] table = [.. Enumerable.Range(0, 256).Select(i => (byte)(i + 0x10))];
        m.Memory.Write(TestMachine.DataBase, table);
        m[GeneralRegister.Rbx] = TestMachine.DataBase;
        m[GeneralRegister.Rax] = 0x1122_3344_5566_7700UL | index;
        ulong flags = m.StatusFlags;
        m.RunToHalt(a => a.xlatb());
        Assert.Equal(0x1122_3344_5566_7700UL | expected, m[GeneralRegister.Rax]);
        Assert.Equal(flags, m.StatusFlags);
    }

    [Fact]
    public void AddressSizeOverrideUsesEbx()
    {
        using var m = new TestMachine();
        m.Memory.Write(TestMachine.DataBase + 5, [0xAB]);
        m[GeneralRegister.Rbx] = 0xFFFF_FFFF_0000_0000UL | TestMachine.DataBase;
        m[GeneralRegister.Rax] = 5;
        m.RunToHalt(a => a.db(0x67, 0xD7));
        Assert.Equal(0xABUL, m[GeneralRegister.Rax]);
    }

    [Fact]
    public void IcedDecodesItWithAnAlIndex()
    {
        Instruction instruction = Decoder.Create(64, new byte[] { 0xD7 }).Decode();
        Assert.Equal(Code.Xlat_m8, instruction.Code);
        Assert.Equal(Register.AL, instruction.MemoryIndex);
    }
}
