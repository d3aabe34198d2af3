using Iced.Intel;

namespace Emulator.Cpu.Tests.Execution;

/// <summary>The reserved-NOP hint space (Iced's RESERVEDNOP): NOPs, except QEMU's #UD register forms of 0F 0D and 0F 18 /0-/3.</summary>
public sealed class HintNopTests
{
    public static TheoryData<string> Nops =>
        ["0F19C0", "0F1AC8", "0F1B00", "0F1CC0", "0F1C00", "0F1D00", "480F1EC8", "660F1FC8", "0F1F48FF", "0F0D10", "0F0D00", "0F0D3C24", "0F0D60FF", "0F18E0", "0F18F8", "0F1820"];

    private static readonly Mnemonic[] HintMnemonics = [Mnemonic.Reservednop, Mnemonic.Prefetch, Mnemonic.Prefetchwt1, Mnemonic.Cldemote];

    public static TheoryData<string> Invalid => ["0F0DC0", "0F0DC8", "0F0DD0", "0F18C0", "0F18D8", "410F18C8"];

    [Theory]
    [MemberData(nameof(Nops))]
    public void ChangesNothingButRip(string hex)
    {
        byte[] bytes = Convert.FromHexString(hex);
        Assert.Contains(Decoder.Create(64, bytes).Decode().Mnemonic, HintMnemonics);
        using var m = new TestMachine();
        m[GeneralRegister.Rax] = 0x1234;
        m[GeneralRegister.Rsp] = TestMachine.StackTop;
        ulong flags = m.State.Rflags;
        m.RunToHalt(a => a.db(bytes));
        Assert.Equal(TestMachine.CodeBase + (ulong)bytes.Length + 1, m.State.Rip);
        Assert.Equal(0x1234UL, m[GeneralRegister.Rax]);
        Assert.Equal(flags, m.State.Rflags);
    }

    [Theory]
    [MemberData(nameof(Invalid))]
    public void RegisterFormsOfThePrefetchSlotsAreInvalid(string hex)
    {
        byte[] bytes = Convert.FromHexString(hex);
        Assert.Equal(Mnemonic.Reservednop, Decoder.Create(64, bytes).Decode().Mnemonic);
        using var m = new TestMachine();
        Assert.Equal(ExitReason.Exception, m.Run(a => a.db(bytes)));
        Assert.Equal(ExceptionVector.InvalidOpcode, m.Interpreter.LastFault.Vector);
    }
}
