using Emulator.Memory;
using Iced.Intel;

namespace Emulator.Cpu.Tests.Interrupts;

/// <summary>
/// A guest with hand-built descriptor tables: GDT at <see cref="GdtBase"/> (selectors below), IDT at
/// <see cref="IdtBase"/>, a TSS at <see cref="TssBase"/>, exception delivery on. Starts in 64-bit
/// mode at CPL 0; tests switch mode or privilege themselves.
/// </summary>
internal sealed class InterruptMachine : IDisposable
{
    public const ulong GdtBase = 0x500;
    public const ulong TssBase = 0x600;
    public const ulong IdtBase = 0x2000;
    public const ulong MainCode = 0x1_0000;
    public const ulong KernelStack = 0x8_0000;

    public const ushort KernelCode64 = 0x08;
    public const ushort KernelCode32 = 0x10;
    public const ushort KernelData = 0x18;
    public const ushort UserData = 0x23;
    public const ushort UserCode64 = 0x2B;
    public const ushort TssSelector = 0x30;

    public const uint Code64Flags = SegmentFlags.Present | SegmentFlags.CodeOrData | SegmentFlags.Code | SegmentFlags.ReadableOrWritable | SegmentFlags.Accessed | SegmentFlags.Long;
    public const uint Code32Flags = SegmentFlags.Present | SegmentFlags.CodeOrData | SegmentFlags.Code | SegmentFlags.ReadableOrWritable | SegmentFlags.Accessed | SegmentFlags.Big | SegmentFlags.Granularity;
    public const uint DataFlags = SegmentFlags.Present | SegmentFlags.CodeOrData | SegmentFlags.ReadableOrWritable | SegmentFlags.Accessed | SegmentFlags.Big | SegmentFlags.Granularity;
    public const uint Dpl3 = 3u << SegmentFlags.DplShift;

    private readonly bool _ownsMemory;

    public InterruptMachine(GuestMemory? memory = null, Func<GuestMemory, Vcpu, ICpuMemory>? cpuMemory = null)
    {
        _ownsMemory = memory is null;
        Memory = memory ?? GuestMemory.Create((0, 0x10_0000));
        Vcpu = new Vcpu();
        FlatModeSetup.LongMode64(ref Vcpu.State, MainCode, KernelStack);
        Interpreter = new Interpreter(Vcpu, cpuMemory is null ? new FlatMemory(Memory) : cpuMemory(Memory, Vcpu)) { DeliverExceptions = true };
        SetDescriptor(KernelCode64, Descriptor(0, 0xFFFFF, Code64Flags | SegmentFlags.Granularity));
        SetDescriptor(KernelCode32, Descriptor(0, 0xFFFFF, Code32Flags));
        SetDescriptor(KernelData, Descriptor(0, 0xFFFFF, DataFlags));
        SetDescriptor(UserData, Descriptor(0, 0xFFFFF, DataFlags | Dpl3));
        SetDescriptor(UserCode64, Descriptor(0, 0xFFFFF, Code64Flags | SegmentFlags.Granularity | Dpl3));

        // A 64-bit TSS descriptor is 16 bytes; the upper half (base 63:32) stays zero.
        const uint busyTss = SegmentFlags.Present | ((uint)SegmentFlags.TypeBusyTss << SegmentFlags.TypeShift);
        SetDescriptor(TssSelector, Descriptor((uint)TssBase, 0x67, busyTss));
        ref CpuState s = ref Vcpu.State;
        s.Gdtr = new DescriptorTable { Base = GdtBase, Limit = 0x3F };
        s.Idtr = new DescriptorTable { Base = IdtBase, Limit = (256 * 16) - 1 };
        s.Tr = new SegmentCache(TssSelector, TssBase, 0x67, busyTss);
    }

    public GuestMemory Memory { get; }

    public Vcpu Vcpu { get; }

    public Interpreter Interpreter { get; }

    public ref CpuState State => ref Vcpu.State;

    public ref ulong this[GeneralRegister register] => ref State.Register(register);

    /// <summary>A code/data descriptor from a base, a raw 20-bit limit and QEMU-layout attribute flags.</summary>
    public static ulong Descriptor(uint @base, uint limit, uint flags)
    {
        uint low = (limit & 0xFFFF) | ((@base & 0xFFFF) << 16);
        uint high = ((@base >> 16) & 0xFF) | (flags & SegmentFlags.AttributeMask & ~0xF_0000u) | (limit & 0xF_0000) | (@base & 0xFF00_0000);
        return low | ((ulong)high << 32);
    }

    public void SetDescriptor(ushort selector, ulong descriptor) => Memory.Write(GdtBase + (ulong)(selector & ~7), descriptor);

    /// <summary>A 16-byte IA-32e gate: type 0xE (interrupt) or 0xF (trap).</summary>
    public void SetGate64(byte vector, ulong offset, int type = 0xE, int dpl = 0, int ist = 0, bool present = true, ushort selector = KernelCode64)
    {
        ulong low = (offset & 0xFFFF) | ((ulong)selector << 16) | ((ulong)ist << 32) | ((ulong)type << 40) | ((ulong)dpl << 45)
            | (present ? 1UL << 47 : 0) | (((offset >> 16) & 0xFFFF) << 48);
        Memory.Write(IdtBase + ((ulong)vector * 16), low);
        Memory.Write(IdtBase + ((ulong)vector * 16) + 8, offset >> 32);
    }

    /// <summary>An 8-byte 32-bit protected-mode gate.</summary>
    public void SetGate32(byte vector, uint offset, int type = 0xE, int dpl = 0, ushort selector = KernelCode32)
    {
        ulong gate = (offset & 0xFFFF) | ((ulong)selector << 16) | ((ulong)type << 40) | ((ulong)dpl << 45) | (1UL << 47) | ((ulong)(offset >> 16) << 48);
        Memory.Write(IdtBase + ((ulong)vector * 8), gate);
    }

    public void SetTss64(uint offset, ulong value) => Memory.Write(TssBase + offset, value);

    /// <summary>Assembles <paramref name="program"/> at <paramref name="address"/>; returns the address just past it.</summary>
    public ulong Emit(ulong address, Action<Assembler> program, int bitness = 64)
    {
        var assembler = new Assembler(bitness);
        program(assembler);
        using var stream = new MemoryStream();
        assembler.Assemble(new StreamCodeWriter(stream), address);
        Memory.Write(address, stream.ToArray());
        Interpreter.Blocks.InvalidateAll();
        return address + (ulong)stream.Length;
    }

    /// <summary>Puts the vCPU at CPL 3 in 64-bit mode with the user selectors.</summary>
    public void EnterUser64(ulong rip, ulong rsp)
    {
        ref CpuState s = ref State;
        s.Segment(SegmentRegister.Cs) = new SegmentCache(UserCode64, 0, 0xFFFF_FFFF, Code64Flags | SegmentFlags.Granularity | Dpl3);
        s.Segment(SegmentRegister.Ss) = new SegmentCache(UserData, 0, 0xFFFF_FFFF, DataFlags | Dpl3);
        s.Cpl = 3;
        s.Rip = rip;
        s.Register(GeneralRegister.Rsp) = rsp;
    }

    public ExitReason Run(long max = 10_000) => Interpreter.Run(max);

    public void Dispose()
    {
        Vcpu.Dispose();
        if (_ownsMemory)
        {
            Memory.Dispose();
        }
    }
}
