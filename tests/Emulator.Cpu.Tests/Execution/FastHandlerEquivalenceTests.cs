using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Cpu.Tests.Execution;

/// <summary>
/// The interpreter's fast handlers against the dispatch table's family handlers, one instruction at a
/// time from identical random states, for the addressing shapes the host-differential suite does not
/// generate (index without base, RIP-relative, 32-bit addresses, FS override, a non-canonical address)
/// and for PUSH/POP, which it does not cover: registers, flags, memory, RIP and the fault must agree.
/// </summary>
public sealed class FastHandlerEquivalenceTests
{
    private const ulong Data = TestMachine.DataBase;

    public static TheoryData<string> Cases => [.. Programs.Keys];

    private static Dictionary<string, Action<Assembler>> Programs { get; } = new()
    {
        ["add index-only"] = a => a.add(__qword_ptr[rcx * 8 + (long)Data], rdx),
        ["adc from index-only"] = a => a.adc(edx, __dword_ptr[rcx * 4 + (long)Data]),
        ["sbb imm to rip-relative"] = a => a.db(0x48, 0x83, 0x1D, 0x00, 0x01, 0x00, 0x00, 0x7F),
        ["cmp rip-relative"] = a => a.db(0x48, 0x3B, 0x05, 0x40, 0x00, 0x00, 0x00),
        ["test addr32"] = a => a.test(__dword_ptr[ebx + ecx * 4], eax),
        ["xor addr32"] = a => a.xor(__qword_ptr[ebx + ecx * 8 + 8], rdx),
        ["add fs override"] = a => a.db(0x64, 0x48, 0x01, 0x14, 0xCD, 0x10, 0x00, 0x00, 0x00),
        ["sub non-canonical"] = a => a.sub(__qword_ptr[r8], rdx),
        ["load non-canonical"] = a => a.and(rdx, __qword_ptr[r8 + 8]),
        ["or byte imm index-only"] = a => a.or(__byte_ptr[rcx + rcx + (long)Data], 0x81),
        ["cmp byte imm non-canonical"] = a => a.cmp(__byte_ptr[r8 + 1], 0x7F),
        ["mov imm addr32"] = a => a.mov(__dword_ptr[ebx + ecx * 4], 0x1234_5678),
        ["mov imm index-only"] = a => a.mov(__qword_ptr[rcx * 8 + (long)Data], -2),
        ["mul index-only"] = a => a.mul(__qword_ptr[rcx * 8 + (long)Data]),
        ["imul rip-relative"] = a => a.db(0x6B, 0x15, 0x80, 0x00, 0x00, 0x00, 0xF9),
        ["imul non-canonical"] = a => a.imul(rdx, __qword_ptr[r8]),
        ["movzx addr32"] = a => a.movzx(edx, __word_ptr[ebx + ecx * 2]),
        ["movsx index-only"] = a => a.movsx(rdx, __byte_ptr[rcx + (long)Data]),
        ["movsxd register"] = a => a.movsxd(rdx, eax),
        ["movzx high byte"] = a => a.movzx(edx, ah),
        ["lea index-only"] = a => a.lea(rdx, __[rcx * 4 - 8]),
        ["lea addr32"] = a => a.lea(edx, __[ebx + ecx * 8 - 1]),
        ["lea rip-relative"] = a => a.db(0x48, 0x8D, 0x15, 0x34, 0x12, 0x00, 0x00),
        ["cmov non-canonical"] = a => a.cmovb(edx, __dword_ptr[r8]),
        ["cmov addr32"] = a => a.cmovne(rdx, __qword_ptr[ebx + 8]),
        ["setcc spl"] = a => a.setl(spl),
        ["push"] = a => a.push(rdx),
        ["pop"] = a => a.pop(rdx),
        ["pop rsp"] = a => a.pop(rsp),
        ["push non-canonical stack"] = a => a.push(rbx),
        ["rol by cl"] = a => a.rol(edx, cl),
        ["sar by cl"] = a => a.sar(rdx, cl),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void FastHandlerMatchesTheFamilyHandler(string name)
    {
        var random = new Random(name.GetHashCode(StringComparison.Ordinal) & 0x7FFF);
        for (int round = 0; round < 16; round++)
        {
            using var fast = new TestMachine();
            using var family = new TestMachine();
            Prepare(fast, random, round, name);
            CopyState(fast, family);
            fast.Load(Programs[name]);
            family.Load(Programs[name]);

            ExitReason fastExit = fast.Interpreter.Run(1);
            (ExitReason familyExit, CpuFault familyFault) = RunFamily(family);

            Assert.Equal(familyExit, fastExit);
            if (fastExit == ExitReason.Exception)
            {
                Assert.Equal(familyFault, fast.Interpreter.LastFault);
            }

            Assert.Equal(family.State.Rip, fast.State.Rip);
            Assert.Equal(family.State.Rflags, fast.State.Rflags);
            for (int r = 0; r < 16; r++)
            {
                Assert.True(family.State.Gpr[r] == fast.State.Gpr[r], $"{name} round {round}: GPR {r} {family.State.Gpr[r]:x} vs {fast.State.Gpr[r]:x}");
            }

            Assert.True(Snapshot(family).AsSpan().SequenceEqual(Snapshot(fast)), $"{name} round {round}: memory differs");
        }
    }

    private static void Prepare(TestMachine m, Random random, int round, string name)
    {
        for (int r = 0; r < 16; r++)
        {
            m.State.Gpr[r] = (ulong)random.NextInt64() ^ ((ulong)random.Next() << 63);
        }

        m[GeneralRegister.Rcx] = (ulong)(uint)random.Next(64) | (round % 2 == 0 ? 0 : 0xFFFF_FFFF_0000_0000);
        m[GeneralRegister.Rbx] = name.Contains("stack", StringComparison.Ordinal) ? 0x8000_0000_0000_0000 : Data + (ulong)random.Next(256);
        m[GeneralRegister.Rsp] = name.Contains("stack", StringComparison.Ordinal) ? 0x0000_8000_0000_0004 : TestMachine.StackTop - 64;
        m[GeneralRegister.R8] = 0x8000_0000_0000_0000 | (ulong)(uint)random.Next();
        m.State.Rflags = RflagsBits.Fixed1 | ((ulong)random.Next() & FlagMath.Status);
        m.State.Segment(SegmentRegister.Fs).Base = Data;
        byte[] bytes = new byte[0x2000];
        random.NextBytes(bytes);
        m.Memory.Write(Data, bytes);
        m.Memory.Write(TestMachine.StackTop - 0x1000, bytes.AsSpan(0, 0x1000));
        m.Memory.Write(TestMachine.CodeBase + 0x40, bytes.AsSpan(0, 0x1400));
        m.State.InterruptShadow = 0;
    }

    private static void CopyState(TestMachine from, TestMachine to)
    {
        to.State = from.State;
        byte[] ram = new byte[TestMachine.RamSize];
        from.Memory.Read(0, ram);
        to.Memory.Write(0, ram);
    }

    /// <summary>What the interpreter does around a handler (RIP to the next instruction first, back on a fault), with the table's handler.</summary>
    private static (ExitReason Reason, CpuFault Fault) RunFamily(TestMachine m)
    {
        byte[] code = new byte[16];
        m.Memory.Read(TestMachine.CodeBase, code);
        var decoder = Decoder.Create(64, code, TestMachine.CodeBase);
        Instruction instruction = decoder.Decode();
        InstructionHandler? handler = new DispatchTable()[instruction.Code];
        Assert.NotNull(handler);
        var context = new ExecutionContext(m.Vcpu, new FlatMemory(m.Memory));
        ulong rip = m.State.Rip;
        m.State.Rip = instruction.NextIP;
        ExitReason reason = handler(context, in instruction);
        if (reason == ExitReason.Exception)
        {
            m.State.Rip = rip;
            return (reason, context.Fault);
        }

        return (ExitReason.InstructionLimit, default);
    }

    private static byte[] Snapshot(TestMachine m)
    {
        byte[] bytes = new byte[0x4400];
        m.Memory.Read(Data, bytes.AsSpan(0, 0x2000));
        m.Memory.Read(TestMachine.StackTop - 0x1000, bytes.AsSpan(0x2000, 0x1000));
        m.Memory.Read(TestMachine.CodeBase + 0x40, bytes.AsSpan(0x3000, 0x1400));
        return bytes;
    }
}
