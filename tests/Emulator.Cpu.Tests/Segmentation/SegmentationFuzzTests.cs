using Emulator.Cpu.Tests.Interrupts;
using Emulator.Tests.Shared;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Cpu.Tests.Segmentation;

/// <summary>
/// Random descriptor tables, selectors, stacks and modes fed to segment loads, far transfers,
/// descriptor queries and fast system calls: nothing throws, every fault is an architectural
/// vector, CPL stays 0-3, and no access reaches the memory backend outside guest RAM.
/// </summary>
public sealed class SegmentationFuzzTests
{
    private const ulong RamSize = 0x10_0000;

    private static readonly byte[] AllowedVectors =
    [
        ExceptionVector.InvalidOpcode, ExceptionVector.InvalidTss, ExceptionVector.SegmentNotPresent,
        ExceptionVector.StackFault, ExceptionVector.GeneralProtection, ExceptionVector.PageFault,
    ];

    [Fact]
    [Trait("Category", FuzzBudget.Category)]
    public void RandomDescriptorLoadsAndFarTransfersNeverThrow()
    {
        var random = new Random(0x5E6);
        var probe = new RangeProbe();
        using var m = new InterruptMachine(cpuMemory: (memory, _) => probe.Wrap(new FlatMemory(memory)));
        m.Interpreter.DeliverExceptions = false;
        int iterations = FuzzBudget.Iterations(400);
        for (int i = 0; i < iterations; i++)
        {
            int bitness = Randomize(m, random);
            ushort selector = RandomSelector(random);
            int choice = random.Next(18);
            m.Emit(InterruptMachine.MainCode, a => Program(a, choice, selector, bitness, random), bitness);
            ExitReason reason = m.Run(4);
            Assert.True(reason is ExitReason.InstructionLimit or ExitReason.Exception or ExitReason.Halted, $"iteration {i}: {reason}");
            if (reason == ExitReason.Exception)
            {
                Assert.Contains(m.Interpreter.LastFault.Vector, AllowedVectors);
            }

            Assert.InRange(m.State.Cpl, 0, 3);
        }

        Assert.Equal(0, probe.OutsideAccepted);
    }

    private static ushort RandomSelector(Random random) => random.Next(4) switch
    {
        0 => (ushort)random.Next(4),
        1 => (ushort)random.Next(0x10000),
        _ => (ushort)((random.Next(0x20) << 3) | random.Next(8)),
    };

    /// <summary>Random GDT/LDT/TSS contents (half of them well-formed descriptors), mode, CPL and stack; returns the code bitness.</summary>
    private static int Randomize(InterruptMachine m, Random random)
    {
        Span<byte> bytes = stackalloc byte[8];
        for (ulong at = InterruptMachine.GdtBase + 8; at < InterruptMachine.GdtBase + 0x100; at += 8)
        {
            ulong raw;
            if (random.Next(2) == 0)
            {
                random.NextBytes(bytes);
                raw = BitConverter.ToUInt64(bytes);
            }
            else
            {
                uint flags = (uint)random.Next(0x100) << 8 | (uint)random.Next(16) << 20;
                raw = InterruptMachine.Descriptor((uint)random.Next(0x2_0000), (uint)random.Next(0x10_0000), flags);
            }

            m.Memory.Write(at, raw);
        }

        var pool = new byte[0x300];
        random.NextBytes(pool);
        m.Memory.Write(0x900ul, pool);
        m.Memory.Write(InterruptMachine.TssBase, pool.AsSpan(0, 0x68).ToArray());
        random.NextBytes(pool);
        m.Memory.Write(0x6_FF00ul, pool);
        m.Memory.Write(0x3000ul, pool.AsSpan(0, 0x20).ToArray());

        ref CpuState s = ref m.State;
        int mode = random.Next(4);
        int cpl = random.Next(4);
        switch (mode)
        {
            case 0:
                FlatModeSetup.Protected32(ref s, InterruptMachine.MainCode, 0x7_0000);
                s.Cr0 &= ~Cr0Bits.PE;
                s.Segment(SegmentRegister.Cs) = new SegmentCache(0x1000, 0x1_0000, 0xFFFF, InterruptMachine.Code32Flags & ~SegmentFlags.Big);
                s.Rip = 0;
                break;
            case 1:
                FlatModeSetup.Protected32(ref s, InterruptMachine.MainCode, 0x7_0000);
                break;
            case 2:
                FlatModeSetup.LongMode64(ref s, InterruptMachine.MainCode, 0x7_0000);
                break;
            default:
                FlatModeSetup.LongMode64(ref s, InterruptMachine.MainCode, 0x7_0000);
                s.Segment(SegmentRegister.Cs) = new SegmentCache(InterruptMachine.KernelCode32, 0, 0xFFFF_FFFF, InterruptMachine.Code32Flags);
                break;
        }

        if (mode != 0)
        {
            s.Cpl = (byte)cpl;
            ref SegmentCache cs = ref s.Segment(SegmentRegister.Cs);
            cs.Selector = (ushort)((cs.Selector & ~3) | cpl);
            cs.Flags = (cs.Flags & ~SegmentFlags.DplMask) | ((uint)cpl << SegmentFlags.DplShift);
        }

        s.Gdtr = new DescriptorTable { Base = InterruptMachine.GdtBase, Limit = (uint)random.Next(0x110) };
        s.Ldtr = random.Next(2) == 0
            ? new SegmentCache(0x70, 0x900, (uint)random.Next(0x300), SegmentFlags.Present | (2u << SegmentFlags.TypeShift))
            : default;
        s.Tr = new SegmentCache(InterruptMachine.TssSelector, InterruptMachine.TssBase, (uint)random.Next(0x70), SegmentFlags.Present | (uint)(random.Next(2) == 0 ? 3 : 11) << SegmentFlags.TypeShift);
        s.Register(GeneralRegister.Rsp) = random.Next(3) switch { 0 => 0x7_0000, 1 => (ulong)random.Next(0x10), _ => (ulong)random.NextInt64() };
        s.Efer = (s.Efer & ~EferBits.SCE) | (random.Next(2) == 0 ? EferBits.SCE : 0);
        s.Star = (ulong)random.NextInt64();
        s.SysenterCs = (ulong)random.Next(0x10000);
        s.Register(GeneralRegister.Rcx) = random.Next(2) == 0 ? (ulong)random.NextInt64() : (ulong)random.Next(0x10_0000);
        s.Register(GeneralRegister.Rax) = (ulong)random.NextInt64();
        s.Rflags = RflagsBits.Fixed1 | (random.Next(4) == 0 ? RflagsBits.NT : 0);
        return mode switch { 0 => 16, 2 => 64, _ => 32 };
    }

    private static void Program(Assembler a, int choice, ushort selector, int bitness, Random random)
    {
        bool x64 = bitness == 64;
        uint offset = (uint)random.Next();
        switch (choice)
        {
            case 0: a.mov(ax, selector); a.mov(ds, ax); break;
            case 1: a.mov(ax, selector); a.mov(ss, ax); break;
            case 2: a.mov(ax, selector); a.mov(fs, ax); a.mov(gs, ax); break;
            case 3: a.mov(ax, selector); a.push(ax); a.pop(gs); break;
            case 4:
                if (x64)
                {
                    a.db(0x48, 0xFF, 0x2C, 0x25, 0x00, 0x30, 0x00, 0x00); // REX.W jmp far [0x3000]: m16:32, AMD ignores REX.W
                }
                else
                {
                    a.jmp(selector, bitness == 16 ? offset & 0xFFFF : offset);
                }

                break;
            case 5:
                if (x64)
                {
                    a.db(0xFF, 0x1C, 0x25, 0x00, 0x30, 0x00, 0x00); // call far m16:32 [0x3000]
                }
                else
                {
                    a.call(selector, bitness == 16 ? offset & 0xFFFF : offset);
                }

                break;
            case 6: a.retf(); break;
            case 7: a.db(0x48, 0xCB); break; // retfq (a REX prefix outside 64-bit mode decodes as DEC EAX)
            case 8: a.retf((ushort)random.Next(0x20)); break;
            case 9: a.mov(cx, selector); a.lar(ax, cx); a.lsl(dx, cx); break;
            case 10: a.mov(cx, selector); a.verr(cx); a.verw(cx); break;
            case 11: a.mov(ax, selector); a.lldt(ax); a.mov(es, ax); break;
            case 12: a.mov(ax, selector); a.ltr(ax); break;
            case 13: a.syscall(); break;
            case 14: a.db(0x48, 0x0F, 0x07); break; // sysretq (sysretd outside 64-bit mode after DEC EAX)
            case 15: a.sysenter(); a.sysexit(); break;
            case 16:
                if (!x64)
                {
                    a.lds(ax, __dword_ptr[0x3000]);
                }

                a.lss(ax, __dword_ptr[0x3000]);
                break;
            default: a.mov(ax, selector); a.db(0x63, 0xC8, 0x1E, 0x07); break; // arpl ax, cx (movsxd in 64-bit mode); push ds; pop es
        }

        a.nop();
    }

    /// <summary>Counts accesses outside guest RAM that the backend reported as done (there must be none).</summary>
    private sealed class RangeProbe
    {
        public int OutsideAccepted { get; private set; }

        public ICpuMemory Wrap(ICpuMemory inner) => new Probe(this, inner);

        private sealed class Probe(RangeProbe owner, ICpuMemory inner) : ICpuMemory
        {
            public bool TryRead(ulong linear, Span<byte> destination, MemoryAccess access, out CpuFault fault) =>
                Check(linear, destination.Length, inner.TryRead(linear, destination, access, out fault));

            public bool TryWrite(ulong linear, ReadOnlySpan<byte> source, MemoryAccess access, out CpuFault fault) =>
                Check(linear, source.Length, inner.TryWrite(linear, source, access, out fault));

            private bool Check(ulong linear, int length, bool done)
            {
                if (done && (linear >= RamSize || linear + (ulong)length > RamSize))
                {
                    owner.OutsideAccepted++;
                }

                return done;
            }
        }
    }
}
