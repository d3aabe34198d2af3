using Emulator.Cpu.Tests.Interrupts;
using Iced.Intel;

namespace Emulator.Cpu.Tests.Segmentation;

/// <summary>
/// <see cref="InterruptMachine"/> with a bigger GDT holding the odd descriptors the segmentation
/// rules need, exceptions returned (not delivered) so a test sees the fault itself.
/// </summary>
internal sealed class SegmentationMachine : IDisposable
{
    public const ushort ReadOnlyData = 0x40;
    public const ushort ExpandDownData = 0x48;
    public const ushort ExecuteOnlyCode = 0x50;
    public const ushort MissingData = 0x58;
    public const ushort UserCode32 = 0x60;
    public const ushort SmallData = 0x68;
    public const ushort LdtSelector = 0x70;
    public const ushort ConformingCode = 0x80;
    public const ushort Code16 = 0x88;
    public const ushort Data16 = 0x90;
    public const ushort Gate = 0x98;
    public const ushort SpareTss = 0xA0;
    public const ulong LdtBase = 0x900;
    public const uint SmallBase = 0x2_0000;

    public SegmentationMachine()
    {
        Machine = new InterruptMachine();
        Machine.Interpreter.DeliverExceptions = false;
        const uint data = InterruptMachine.DataFlags;
        const uint rw = SegmentFlags.ReadableOrWritable;
        Machine.SetDescriptor(ReadOnlyData, InterruptMachine.Descriptor(0, 0xFFFFF, data & ~rw));
        Machine.SetDescriptor(ExpandDownData, InterruptMachine.Descriptor(0, 0xFFF, (data & ~SegmentFlags.Granularity) | SegmentFlags.ConformingOrExpandDown));
        Machine.SetDescriptor(ExecuteOnlyCode, InterruptMachine.Descriptor(0, 0xFFFFF, InterruptMachine.Code32Flags & ~rw));
        Machine.SetDescriptor(MissingData, InterruptMachine.Descriptor(0, 0xFFFFF, data & ~SegmentFlags.Present));
        Machine.SetDescriptor(UserCode32, InterruptMachine.Descriptor(0, 0xFFFFF, InterruptMachine.Code32Flags | InterruptMachine.Dpl3));
        Machine.SetDescriptor(SmallData, InterruptMachine.Descriptor(SmallBase, 0xFFF, (data & ~SegmentFlags.Granularity & ~SegmentFlags.Accessed)));
        Machine.SetDescriptor(LdtSelector, InterruptMachine.Descriptor((uint)LdtBase, 0x1F, SegmentFlags.Present | ((uint)SegmentFlags.TypeLdt << SegmentFlags.TypeShift)));
        Machine.SetDescriptor(ConformingCode, InterruptMachine.Descriptor(0, 0xFFFFF, InterruptMachine.Code32Flags | SegmentFlags.ConformingOrExpandDown | InterruptMachine.Dpl3));
        Machine.SetDescriptor(Code16, InterruptMachine.Descriptor(0, 0xFFFF, InterruptMachine.Code32Flags & ~SegmentFlags.Big & ~SegmentFlags.Granularity));
        Machine.SetDescriptor(Data16, InterruptMachine.Descriptor(0, 0xFFFF, data & ~SegmentFlags.Big & ~SegmentFlags.Granularity));
        Machine.SetDescriptor(SpareTss, InterruptMachine.Descriptor(0x700, 0x67, SegmentFlags.Present | (9u << SegmentFlags.TypeShift)));
        Machine.State.Gdtr.Limit = 0xFF;
    }

    public InterruptMachine Machine { get; }

    public ref CpuState State => ref Machine.State;

    public ref ulong this[GeneralRegister register] => ref Machine.State.Register(register);

    /// <summary>32-bit protected mode at CPL 0, flat, GDT as above.</summary>
    public SegmentationMachine Protected()
    {
        FlatModeSetup.Protected32(ref Machine.State, InterruptMachine.MainCode, InterruptMachine.KernelStack);
        return this;
    }

    /// <summary>64-bit mode at CPL 0 (the machine's start state).</summary>
    public SegmentationMachine Long()
    {
        FlatModeSetup.LongMode64(ref Machine.State, InterruptMachine.MainCode, InterruptMachine.KernelStack);
        Machine.State.Segment(SegmentRegister.Cs).Selector = InterruptMachine.KernelCode64;
        return this;
    }

    /// <summary>Real mode (CR0.PE clear), 16-bit code at CS = 0x1000 (linear 0x10000).</summary>
    public SegmentationMachine Real()
    {
        ref CpuState s = ref Machine.State;
        FlatModeSetup.Protected32(ref s, 0, 0x8000);
        s.Cr0 &= ~Cr0Bits.PE;
        const uint real = SegmentFlags.Present | SegmentFlags.CodeOrData | SegmentFlags.ReadableOrWritable | SegmentFlags.Accessed;
        for (int i = 0; i < SegmentFile.Count; i++)
        {
            s.Segments[i] = new SegmentCache(0, 0, 0xFFFF, real);
        }

        s.Segment(SegmentRegister.Cs) = new SegmentCache(0x1000, 0x1_0000, 0xFFFF, real | SegmentFlags.Code);
        s.Idtr = new DescriptorTable { Base = 0, Limit = 0x3FF };
        return this;
    }

    /// <summary>Assembles and runs <paramref name="program"/> at the main code address (real mode: CS:0).</summary>
    public ExitReason Run(Action<Assembler> program, int bitness = 32, long max = 1000)
    {
        Machine.Emit(InterruptMachine.MainCode, program, bitness);
        return Machine.Run(max);
    }

    public CpuFault Fault => Machine.Interpreter.LastFault;

    public void AssertFault(byte vector, uint errorCode)
    {
        Assert.Equal(vector, Fault.Vector);
        Assert.Equal(errorCode, Fault.ErrorCode);
    }

    public void Dispose() => Machine.Dispose();
}
