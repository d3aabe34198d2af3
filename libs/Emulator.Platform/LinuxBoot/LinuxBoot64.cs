using Emulator.Cpu;

namespace Emulator.Platform;

/// <summary>Where a loaded bzImage starts (its 64-bit entry) and where its zero page is.</summary>
public sealed record LinuxBoot64(ulong Entry, ulong BootParamsAddress, ulong KernelAddress, ulong InitrdAddress)
{
    /// <summary>
    /// The 64-bit boot protocol's entry state: long mode with paging on (CR3 = the identity map
    /// <see cref="LinuxBootLayout"/> wrote), the GDT at <see cref="LinuxBootLayout.GdtAddress"/> with
    /// code at 0x10 and data at 0x18, RSI = boot_params, interrupts off.
    /// </summary>
    public void ApplyEntryState(ref CpuState state)
    {
        FlatModeSetup.LongMode64(ref state, Entry, LinuxBootLayout.StackTop);
        for (int i = 0; i < SegmentFile.Count; i++)
        {
            state.Segments[i].Selector = LinuxBootLayout.DataSelector;
        }

        state.Segment(SegmentRegister.Cs).Selector = LinuxBootLayout.CodeSelector;
        state.Gdtr.Base = LinuxBootLayout.GdtAddress;
        state.Gdtr.Limit = LinuxBootLayout.GdtLimit;
        state.Cr3 = LinuxBootLayout.Pml4Address;
        state.Register(GeneralRegister.Rsi) = BootParamsAddress;
        state.A20Enabled = 1;
    }
}
