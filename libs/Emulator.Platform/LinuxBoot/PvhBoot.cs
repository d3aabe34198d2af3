using Emulator.Cpu;

namespace Emulator.Platform;

/// <summary>Where a PVH-loaded kernel starts and where its hvm_start_info is.</summary>
public sealed record PvhBoot(uint Entry, uint StartInfoAddress, ulong InitrdAddress)
{
    /// <summary>
    /// The PVH entry state (Xen's pvh.rst): 32-bit protected mode, paging off, flat 4 GiB code at
    /// 0x10 and data at 0x18 (the GDT at <see cref="LinuxBootLayout.GdtAddress"/> matches), EBX =
    /// hvm_start_info, interrupts off.
    /// </summary>
    public void ApplyEntryState(ref CpuState state)
    {
        FlatModeSetup.Protected32(ref state, Entry, LinuxBootLayout.StackTop);
        for (int i = 0; i < SegmentFile.Count; i++)
        {
            state.Segments[i].Flags |= 0xF_0000;
        }

        state.Gdtr.Base = LinuxBootLayout.GdtAddress;
        state.Gdtr.Limit = LinuxBootLayout.GdtLimit;
        state.Cr3 = 0;
        state.Cr4 = 0;
        state.Register(GeneralRegister.Rbx) = StartInfoAddress;
        state.A20Enabled = 1;
    }
}
