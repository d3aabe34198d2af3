using Emulator.Cpu;
using Emulator.Platform.Tests.Apic;

namespace Emulator.Platform.Tests.PcMachine;

public sealed class PcModelSpecificRegistersTests
{
    [Fact]
    public void K8InterruptPendingMessageReadsZeroAndTheApicMsrsStillWork()
    {
        var h = new ApicHarness();
        var msrs = new PcModelSpecificRegisters(h.Apic);
        var system = new SystemServices(new CpuidModel(CpuModel.Qemu64), h.Tsc) { MsrExtension = msrs };
        var state = new CpuState();

        // Linux reads it with a plain RDMSR on an AMD family 0Fh CPU (erratum 400): no #GP allowed.
        Assert.True(ModelSpecificRegisters.TryRead(ref state, system, PcModelSpecificRegisters.K8InterruptPendingMessage, out ulong pending));
        Assert.Equal(0ul, pending);
        Assert.True(ModelSpecificRegisters.TryWrite(ref state, system, PcModelSpecificRegisters.K8InterruptPendingMessage, 0x1800_0000));
        Assert.True(ModelSpecificRegisters.TryRead(ref state, system, PcModelSpecificRegisters.K8InterruptPendingMessage, out pending));
        Assert.Equal(0ul, pending);

        h.Enable();
        h[LocalApicRegister.LvtTimer] = (2u << 17) | 0x32;
        Assert.True(ModelSpecificRegisters.TryWrite(ref state, system, MsrIndex.TscDeadline, 1_000));
        Assert.True(ModelSpecificRegisters.TryRead(ref state, system, MsrIndex.TscDeadline, out ulong deadline));
        Assert.Equal(1_000ul, deadline);
        Assert.False(ModelSpecificRegisters.TryRead(ref state, system, 0xC001_0056, out _));
    }
}
