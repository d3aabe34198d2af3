using Emulator.Cpu;

namespace Emulator.Platform;

/// <summary>Where a loaded multiboot kernel starts and where its information structure is.</summary>
public sealed record MultibootBoot(uint Entry, uint InfoAddress)
{
    /// <summary>EAX's value at entry, telling the kernel a multiboot loader started it.</summary>
    public const uint BootloaderMagic = 0x2BAD_B002;

    /// <summary>
    /// The machine state at entry (multiboot spec 3.2): EAX magic, EBX the info address, CS a flat
    /// 32-bit code segment, DS/ES/FS/GS/SS flat data, CR0.PE set and paging off, IF clear (RFLAGS = 2).
    /// </summary>
    public void ApplyEntryState(ref CpuState state)
    {
        FlatModeSetup.Protected32(ref state, Entry, 0);

        // As if loaded from a GDT (QEMU's multiboot ROM does that): the cached flags keep the
        // descriptor's limit bits 19:16, which info registers shows (00cf9b00).
        for (int i = 0; i < SegmentFile.Count; i++)
        {
            ref SegmentCache segment = ref state.Segments[i];
            if (segment.Limit == 0xFFFF_FFFF)
            {
                segment.Flags |= 0xF_0000;
            }
        }

        state.Register(GeneralRegister.Rax) = BootloaderMagic;
        state.Register(GeneralRegister.Rbx) = InfoAddress;
        state.Halted = 0;
    }
}
