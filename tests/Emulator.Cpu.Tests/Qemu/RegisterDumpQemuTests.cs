namespace Emulator.Cpu.Tests.Qemu;

/// <summary>
/// <see cref="RegisterDump"/> against QEMU 7.2 on states only a running CPU reaches: a small BIOS
/// (<see cref="HaltingBios"/>) takes QEMU into 32-bit protected mode or 64-bit long mode and
/// halts (or stops in compatibility mode between the two); QEMU's <c>info registers</c> is read back into a <see cref="CpuState"/> and our dump of
/// it must be QEMU's text exactly. This checks everything the dump derives (wide or narrow layout,
/// descriptor decoding, system-type names per mode, TOP in FSW, the XMM count) on QEMU's own values.
/// The reset state is compared with a live QEMU in the system tests (QemuRegisterDumpDifferentialTests).
/// </summary>
public sealed class RegisterDumpQemuTests
{
    [Theory]
    [InlineData(HaltingBiosMode.Protected)]
    [InlineData(HaltingBiosMode.Compatibility)]
    [InlineData(HaltingBiosMode.Long)]
    internal void HaltedGuestDumpsExactlyAsQemuDoes(HaltingBiosMode mode)
    {
        string dump = QemuDumpOfHaltedGuest(mode);
        CpuState state = QemuDumpParser.Parse(dump);

        // Guard against a guest that did not get where it was meant to (then the test proves little).
        Assert.True(state.Halted == 1, dump);
        Assert.True(state.ProtectedMode, dump);
        Assert.True(state.LongModeActive == (mode != HaltingBiosMode.Protected), dump);
        Assert.True(state.In64BitMode == (mode == HaltingBiosMode.Long), dump);
        Assert.Contains(mode switch
        {
            HaltingBiosMode.Protected => "TR =0040 00006000 00000067 00008900 DPL=0 TSS32-avl",
            HaltingBiosMode.Compatibility => "TR =0000 00000000 0000ffff 00008b00 DPL=0 TSS64-busy",
            _ => "TR =0048 ffff800000007000 00000067 00008900 DPL=0 TSS64-avl",
        }, dump, StringComparison.Ordinal);
        Assert.Contains(mode == HaltingBiosMode.Long ? "CS64 [-RA]" : "CS32 [-RA]", dump, StringComparison.Ordinal);
        Assert.Contains($"MXCSR={HaltingBios.Mxcsr:x8}", dump, StringComparison.Ordinal);

        Assert.Equal(dump, RegisterDump.Format(state));
    }

    [Fact]
    public void ParserReadsBackEverythingTheDumpShows()
    {
        // The parser is test code, but a lenient parser would make the QEMU comparison vacuous.
        var random = new Random(7);
        CpuState state = default;
        for (int i = 0; i < 200; i++)
        {
            Span<byte> bytes = global::System.Runtime.InteropServices.MemoryMarshal.AsBytes(new Span<CpuState>(ref state));
            random.NextBytes(bytes);
            state.Cpl &= 3;
            state.InterruptShadow &= 1;
            state.Halted &= 1;
            state.A20Enabled &= 1;
            string dump = RegisterDump.Format(state);
            Assert.Equal(dump, RegisterDump.Format(QemuDumpParser.Parse(dump)));
        }
    }

    private static string QemuDumpOfHaltedGuest(HaltingBiosMode mode)
    {
        DirectoryInfo directory = Directory.CreateTempSubdirectory("emu-bios-");
        try
        {
            string bios = Path.Combine(directory.FullName, "bios.bin");
            File.WriteAllBytes(bios, HaltingBios.Build(mode));
            return Run(bios);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static string Run(string bios)
    {
        using QemuMonitor qemu = QemuMonitor.Start("-m", "16", "-bios", bios);

        // The guest needs a moment to get to its HLT; ask until it is there.
        DateTime giveUp = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            string answer = qemu.Execute("info registers");
            Assert.StartsWith("\nCPU#0\n", answer, StringComparison.Ordinal);
            string dump = answer["\nCPU#0\n".Length..];
            if (dump.Contains(" HLT=1\n", StringComparison.Ordinal))
            {
                return dump;
            }

            Assert.True(DateTime.UtcNow < giveUp, $"the guest never halted:\n{dump}");
            Thread.Sleep(50);
        }
    }
}
