using static Emulator.Cpu.RflagsBits;

namespace Emulator.Cpu.Tests.Execution;

/// <summary>Expected values from the SDM's DAA/DAS examples and its Operation sections (QEMU agrees on these).</summary>
public sealed class DecimalArithmeticTests
{
    private const byte Daa = 0x27;
    private const byte Das = 0x2F;
    private const byte Aaa = 0x37;
    private const byte Aas = 0x3F;
    private const byte Aam = 0xD4;
    private const byte Aad = 0xD5;
    private const byte Hlt = 0xF4;

    /// <summary>Runs <paramref name="code"/> + HLT in 32-bit protected mode from AX and the given flags; returns AX and the status flags.</summary>
    private static (ulong Ax, ulong Flags, ExitReason Exit, CpuFault Fault) Run32(ulong ax, ulong flags, params byte[] code)
    {
        using var m = new TestMachine();
        FlatModeSetup.Protected32(ref m.State, TestMachine.CodeBase, TestMachine.StackTop);
        m.Memory.Write(TestMachine.CodeBase, [.. code, Hlt]);
        m[GeneralRegister.Rax] = ax;
        m.State.Rflags = Fixed1 | flags;
        ExitReason exit = m.Interpreter.Run(10);
        return (m[GeneralRegister.Rax], m.StatusFlags, exit, m.Interpreter.LastFault);
    }

    [Fact]
    public void DaaAndDasFollowTheManualsExamples()
    {
        // ADD AL,BL with 79h + 35h = AEh, then DAA: 14h with CF (decimal 114).
        Assert.Equal((0x14ul, AF | PF | CF), Pick(Run32(0xAE, 0, Daa)));

        // SUB AL,BL with 35h - 47h = EEh (AF, CF), then DAS: 88h with CF (decimal -12 as 88 borrow).
        Assert.Equal((0x88ul, SF | AF | PF | CF), Pick(Run32(0xEE, AF | CF, Das)));

        Assert.Equal((0x00ul, ZF | PF | CF | AF), Pick(Run32(0x9A, 0, Daa)));
        Assert.Equal((0x45ul, 0ul), Pick(Run32(0x45, OF, Daa)));
        Assert.Equal((0x99ul, SF | PF | CF), Pick(Run32(0xF9, CF, Das)));
    }

    [Fact]
    public void AaaAndAasCarryIntoAh()
    {
        Assert.Equal((0x0101ul, AF | CF), Pick(Run32(0x000B, 0, Aaa)));
        Assert.Equal((0x0300ul, AF | CF), Pick(Run32(0x01FA, 0, Aaa)));
        Assert.Equal((0x0204ul, ZF), Pick(Run32(0x0234, ZF | CF, Aaa)));
        Assert.Equal((0x030Aul, ZF | AF | CF), Pick(Run32(0x0234, ZF | AF, Aaa)));
        Assert.Equal((0x000Ful, AF | CF), Pick(Run32(0x0205, AF, Aas)));
        Assert.Equal((0x0108ul, AF | CF), Pick(Run32(0x020E, 0, Aas)));
        Assert.Equal((0x0203ul, 0ul), Pick(Run32(0x0203, CF, Aas)));
    }

    [Fact]
    public void AamAndAadConvertBetweenBinaryAndUnpackedDecimal()
    {
        Assert.Equal((0x0603ul, PF), Pick(Run32(0x003F, CF | OF | AF, Aam, 10)));
        Assert.Equal((0x003Ful, PF), Pick(Run32(0x0603, CF, Aad, 10)));
        Assert.Equal((0x0023ul, 0ul), Pick(Run32(0x0203, 0, Aad, 16)));
        Assert.Equal((0x0000ul, ZF | PF), Pick(Run32(0x0000, 0, Aam, 7)));
    }

    [Fact]
    public void AamByZeroIsADivideError()
    {
        (ulong ax, _, ExitReason exit, CpuFault fault) = Run32(0x1234, 0, Aam, 0);
        Assert.Equal(ExitReason.Exception, exit);
        Assert.Equal(ExceptionVector.DivideError, fault.Vector);
        Assert.Equal(0x1234ul, ax);
    }

    [Theory]
    [InlineData(Daa, -1)]
    [InlineData(Das, -1)]
    [InlineData(Aaa, -1)]
    [InlineData(Aas, -1)]
    [InlineData(Aam, 10)]
    [InlineData(Aad, 10)]
    public void InvalidIn64BitMode(byte opcode, int immediate)
    {
        using var m = new TestMachine();
        byte[] code = immediate < 0 ? [opcode, Hlt] : [opcode, (byte)immediate, Hlt];
        m.Memory.Write(TestMachine.CodeBase, code);
        Assert.Equal(ExitReason.Exception, m.Interpreter.Run(10));
        Assert.Equal(ExceptionVector.InvalidOpcode, m.Interpreter.LastFault.Vector);
    }

    private static (ulong Ax, ulong Flags) Pick((ulong Ax, ulong Flags, ExitReason Exit, CpuFault Fault) run)
    {
        Assert.Equal(ExitReason.Halted, run.Exit);
        return (run.Ax & 0xFFFF, run.Flags);
    }
}
