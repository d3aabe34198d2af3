using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Cpu.Tests.Execution;

/// <summary>
/// Blocks made only of fast handlers run through the interpreter's quiet path (fewer checks per
/// instruction, successors chained without the run loop): random loops of such instructions, with
/// calls, memory accesses, faults part-way and budgets that end mid-block, must leave exactly the
/// state, exit, fault and instruction count of a one-instruction-at-a-time reference built on the
/// dispatch table's family handlers. Also: an exit requested by a memory write, and code written
/// by the block itself.
/// </summary>
public sealed class QuietBlockEquivalenceTests
{
    private const ulong Data = TestMachine.DataBase;

    // The body's registers: RCX counts iterations, RBX points at data, R8 is non-canonical, RSP is the stack.
    private static readonly AssemblerRegister64[] Wide = [rax, rdx, rsi, rdi, r9, r10, r11, r12];
    private static readonly AssemblerRegister32[] Narrow = [eax, edx, esi, edi, r9d, r10d, r11d, r12d];

    public static TheoryData<int> Seeds => [.. Enumerable.Range(1, 40)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void RandomQuietLoopsMatchTheReference(int seed)
    {
        var random = new Random(seed);
        Action<Assembler> program = RandomProgram(random);
        for (int round = 0; round < 6; round++)
        {
            long budget = round == 0 ? 10_000 : random.Next(1, 120);
            byte shadow = (byte)(round == 1 ? 1 : 0);
            using var quiet = new TestMachine();
            using var reference = new TestMachine();
            Prepare(quiet, random, shadow);
            CopyState(quiet, reference);
            quiet.Load(program);
            reference.Load(program);

            ExitReason quietExit = quiet.Interpreter.Run(budget);
            (ExitReason referenceExit, CpuFault referenceFault, long retired) = RunReference(reference, budget);

            string what = $"seed {seed} round {round} budget {budget}";
            Assert.True(referenceExit == quietExit, $"{what}: exit {quietExit}, reference {referenceExit}");
            if (quietExit == ExitReason.Exception)
            {
                Assert.Equal(referenceFault, quiet.Interpreter.LastFault);
            }

            Assert.True(retired == quiet.Interpreter.InstructionCount, $"{what}: retired {quiet.Interpreter.InstructionCount}, reference {retired}");
            Assert.True(reference.State.Rip == quiet.State.Rip, $"{what}: rip {quiet.State.Rip:x}, reference {reference.State.Rip:x}");
            Assert.Equal(reference.State.Rflags, quiet.State.Rflags);
            Assert.Equal(reference.State.InterruptShadow, quiet.State.InterruptShadow);
            for (int r = 0; r < 16; r++)
            {
                Assert.True(reference.State.Gpr[r] == quiet.State.Gpr[r], $"{what}: GPR {r} {quiet.State.Gpr[r]:x}, reference {reference.State.Gpr[r]:x}");
            }

            Assert.True(Snapshot(reference).AsSpan().SequenceEqual(Snapshot(quiet)), $"{what}: memory differs");
        }
    }

    [Fact]
    public void ExitRequestedByAStoreEndsTheRunRightAfterIt()
    {
        const ulong device = Data + 0x800;
        using var m = new TestMachine();
        var memory = new ExitOnWrite(new FlatMemory(m.Memory), device);
        var interpreter = new Interpreter(m.Vcpu, memory);
        memory.Interpreter = interpreter;
        Label afterStore = default;
        m.Load(a =>
        {
            Label top = a.CreateLabel();
            Label after = a.CreateLabel();
            a.mov(ecx, 10);
            a.mov(rbx, device - 0x18);
            a.xor(esi, esi);
            a.Label(ref top);
            a.add(rbx, 8);
            a.mov(__dword_ptr[rbx], ecx);
            a.Label(ref after);
            afterStore = after;
            a.inc(esi);
            a.dec(ecx);
            a.jnz(top);
        });

        // Third iteration: the store hits the device; not even the INC after it runs.
        Assert.Equal(ExitReason.InstructionLimit, interpreter.Run(1_000));
        Assert.Equal(2ul, m[GeneralRegister.Rsi]);
        Assert.Equal(device, m[GeneralRegister.Rbx]);
        Assert.Equal(m.LabelAddress(afterStore), m.State.Rip);
        Assert.Equal(3 + (2 * 5) + 2, interpreter.InstructionCount);
    }

    [Fact]
    public void FaultOnTheFirstInstructionKeepsTheShadowItWasEnteredWith()
    {
        using var m = new TestMachine();
        m[GeneralRegister.R8] = 0x8000_0000_0000_0000;
        m.State.InterruptShadow = 1;
        m.Load(a =>
        {
            // The JMP ends the block before the HLT (which has no fast handler), so the block is quiet.
            Label end = a.CreateLabel();
            a.mov(rax, __qword_ptr[r8]);
            a.inc(eax);
            a.jmp(end);
            a.Label(ref end);
        });
        Assert.Equal(ExitReason.Exception, m.Interpreter.Run(100));
        Assert.Equal(ExceptionVector.GeneralProtection, m.Interpreter.LastFault.Vector);
        Assert.Equal(TestMachine.CodeBase, m.State.Rip);
        Assert.Equal(1, m.State.InterruptShadow);
        Assert.Equal(0, m.Interpreter.InstructionCount);
    }

    [Fact]
    public void StoreIntoTheRestOfItsOwnQuietBlockIsSeen()
    {
        using var m = new TestMachine();
        m.Load(a =>
        {
            Label target = a.CreateLabel();
            Label end = a.CreateLabel();
            a.lea(rsi, __[target]);
            a.mov(__dword_ptr[rsi + 1], 0x77);
            a.add(edx, 1);
            a.Label(ref target);
            a.mov(eax, 0x11);
            a.jmp(end);
            a.Label(ref end);
        });
        Assert.Equal(ExitReason.Halted, m.Interpreter.Run(100));
        Assert.Equal(0x77ul, m[GeneralRegister.Rax]);
    }

    private static Action<Assembler> RandomProgram(Random random)
    {
        int iterations = random.Next(1, 6);
        var body = new List<Action<Assembler>>();
        for (int n = random.Next(2, 9); n > 0; n--)
        {
            body.Add(RandomInstruction(random));
        }

        var function = new List<Action<Assembler>>();
        for (int n = random.Next(1, 4); n > 0; n--)
        {
            function.Add(RandomInstruction(random));
        }

        bool calls = random.Next(2) == 0;
        int faultAt = random.Next(3) == 0 ? random.Next(body.Count) : -1;
        return a =>
        {
            Label top = a.CreateLabel();
            Label skip = a.CreateLabel();
            Label fn = a.CreateLabel();
            Label done = a.CreateLabel();
            a.mov(ecx, iterations);
            a.Label(ref top);
            for (int i = 0; i < body.Count; i++)
            {
                body[i](a);
                if (i == faultAt)
                {
                    a.cmp(ecx, 1);
                    a.jne(skip);
                    a.mov(rax, __qword_ptr[r8]);
                    a.Label(ref skip);
                }
            }

            if (calls)
            {
                a.call(fn);
            }

            a.dec(ecx);
            a.jnz(top);
            a.jmp(done);
            a.Label(ref fn);
            foreach (Action<Assembler> instruction in function)
            {
                instruction(a);
            }

            a.ret();
            a.Label(ref done);
        };
    }

    private static Action<Assembler> RandomInstruction(Random random)
    {
        AssemblerRegister64 x = Wide[random.Next(Wide.Length)];
        AssemblerRegister64 y = Wide[random.Next(Wide.Length)];
        AssemblerRegister32 u = Narrow[random.Next(Narrow.Length)];
        AssemblerRegister32 v = Narrow[random.Next(Narrow.Length)];
        int immediate = random.Next(-200, 200);
        int offset = random.Next(32) * 8;
        return random.Next(22) switch
        {
            0 => a => a.add(x, y),
            1 => a => a.sub(u, v),
            2 => a => a.xor(x, y),
            3 => a => a.and(u, immediate),
            4 => a => a.or(x, immediate),
            5 => a => a.cmp(u, v),
            6 => a => a.test(x, y),
            7 => a => a.inc(u),
            8 => a => a.dec(x),
            9 => a => a.shl(u, (byte)(immediate & 31)),
            10 => a => a.sar(x, (byte)(immediate & 63)),
            11 => a => a.mov(u, immediate),
            12 => a => a.mov(x, __qword_ptr[rbx + offset]),
            13 => a => a.mov(__qword_ptr[rbx + offset], x),
            14 => a => a.add(__dword_ptr[rbx + offset], u),
            15 => a => a.lea(x, __[y + (immediate * 2)]),
            16 => a => a.imul(u, v),
            17 => a => a.cmovl(x, y),
            18 => a => a.neg(u),
            19 => a =>
            {
                a.push(x);
                a.pop(y);
            },
            20 => a => a.adc(x, y),
            _ => a => a.rol(u, (byte)(immediate & 31)),
        };
    }

    private static void Prepare(TestMachine m, Random random, byte shadow)
    {
        for (int r = 0; r < 16; r++)
        {
            m.State.Gpr[r] = (ulong)random.NextInt64() ^ ((ulong)random.Next() << 63);
        }

        m[GeneralRegister.Rbx] = Data + (ulong)random.Next(64);
        m[GeneralRegister.Rsp] = TestMachine.StackTop - 64;
        m[GeneralRegister.R8] = 0x8000_0000_0000_0000 | (ulong)(uint)random.Next();
        m.State.Rflags = RflagsBits.Fixed1 | ((ulong)random.Next() & FlagMath.Status);
        byte[] bytes = new byte[0x1000];
        random.NextBytes(bytes);
        m.Memory.Write(Data, bytes);
        m.State.InterruptShadow = shadow;
    }

    private static void CopyState(TestMachine from, TestMachine to)
    {
        to.State = from.State;
        byte[] ram = new byte[TestMachine.RamSize];
        from.Memory.Read(0, ram);
        to.Memory.Write(0, ram);
    }

    /// <summary>
    /// The interpreter's contract one instruction at a time with the table's family handlers: the
    /// shadow covers one instruction, RIP moves past the instruction first and back on a fault, HLT
    /// ends the run and counts.
    /// </summary>
    private static (ExitReason Reason, CpuFault Fault, long Retired) RunReference(TestMachine m, long budget)
    {
        var table = new DispatchTable();
        var context = new ExecutionContext(m.Vcpu, new FlatMemory(m.Memory));
        byte[] code = new byte[16];
        for (long retired = 0; retired < budget; retired++)
        {
            m.Memory.Read(m.State.Rip, code);
            var decoder = Decoder.Create(64, code, m.State.Rip);
            Instruction instruction = decoder.Decode();
            InstructionHandler? handler = table[instruction.Code];
            Assert.NotNull(handler);
            ulong rip = m.State.Rip;
            byte shadow = m.State.InterruptShadow;
            m.State.InterruptShadow = 0;
            m.State.Rip = instruction.NextIP;
            ExitReason reason = handler(context, in instruction);
            if (reason == ExitReason.Exception)
            {
                m.State.Rip = rip;
                m.State.InterruptShadow = shadow;
                return (reason, context.Fault, retired);
            }

            if (reason == ExitReason.Halted)
            {
                return (reason, default, retired + 1);
            }
        }

        return (ExitReason.InstructionLimit, default, budget);
    }

    private static byte[] Snapshot(TestMachine m)
    {
        byte[] bytes = new byte[0x2000];
        m.Memory.Read(Data, bytes.AsSpan(0, 0x1000));
        m.Memory.Read(TestMachine.StackTop - 0x1000, bytes.AsSpan(0x1000, 0x1000));
        return bytes;
    }

    /// <summary>A device register at one address: writing it asks the interpreter to end the run (as isa-debug-exit does).</summary>
    private sealed class ExitOnWrite(ICpuMemory inner, ulong device) : ICpuMemory
    {
        public Interpreter? Interpreter { get; set; }

        public bool TryRead(ulong linear, Span<byte> destination, MemoryAccess access, out CpuFault fault) =>
            inner.TryRead(linear, destination, access, out fault);

        public bool TryWrite(ulong linear, ReadOnlySpan<byte> source, MemoryAccess access, out CpuFault fault)
        {
            if (linear == device)
            {
                Interpreter?.RequestExit();
            }

            return inner.TryWrite(linear, source, access, out fault);
        }
    }
}
