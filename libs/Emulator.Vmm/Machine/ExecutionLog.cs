using System.Runtime.CompilerServices;
using System.Text;
using Emulator.Cpu;
using Emulator.Vmm.CommandLine;
using Iced.Intel;

namespace Emulator.Vmm.Machine;

/// <summary>
/// QEMU's <c>-d</c> log: <c>in_asm</c> disassembles each newly decoded block ("IN:" blocks, GAS
/// syntax as QEMU's capstone output), <c>cpu</c> dumps the registers before each block,
/// <c>int</c> logs each exception delivery in QEMU's <c>v=.. e=..</c> line plus a register dump,
/// <c>cpu_reset</c> dumps the state before each reset and notes triple faults, <c>unimp</c> notes
/// #UD (where the interpreter's missing instructions surface). Interrupts raised by INT n are not
/// seen yet (they do not pass through the interpreter's delivery path). Lines go to the writer
/// given (stderr or <c>-D</c>'s file); called on the vCPU thread and under the machine's lock.
/// </summary>
public sealed class ExecutionLog : IExecutionTracer
{
    private readonly TextWriter _out;
    private readonly bool _inAsm;
    private readonly bool _cpu;
    private readonly bool _interrupts;
    private readonly bool _unimplemented;
    private readonly ConditionalWeakTable<DecodedBlock, object> _seen = [];
    private readonly GasFormatter _formatter = new();
    private int _interruptCount;

    public ExecutionLog(IReadOnlyList<string> items, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(output);
        _out = output;
        _inAsm = items.Contains(LogItems.InAsm);
        _cpu = items.Contains(LogItems.Cpu);
        _interrupts = items.Contains(LogItems.Int);
        _unimplemented = items.Contains(LogItems.Unimplemented);
        LogsResets = items.Contains(LogItems.CpuReset);
        _formatter.Options.FirstOperandCharIndex = 9;
        _formatter.Options.UppercaseHex = false;
    }

    /// <summary>Whether the interpreter needs this tracer at all.</summary>
    public bool TracesExecution => _inAsm || _cpu || _interrupts || _unimplemented;

    public bool LogsResets { get; }

    public void BlockEntered(Vcpu vcpu, DecodedBlock block, ulong linear, ICpuMemory memory)
    {
        ArgumentNullException.ThrowIfNull(vcpu);
        ArgumentNullException.ThrowIfNull(block);
        ArgumentNullException.ThrowIfNull(memory);
        if (_cpu)
        {
            _out.Write(RegisterDump.Format(vcpu.State));
        }

        if (_inAsm && !_seen.TryGetValue(block, out _))
        {
            _seen.Add(block, block);
            _out.Write(Disassemble(block, linear, memory));
        }

        _out.Flush();
    }

    public void ExceptionDelivering(Vcpu vcpu, CpuFault fault)
    {
        ArgumentNullException.ThrowIfNull(vcpu);
        ref CpuState s = ref vcpu.State;
        SegmentCache cs = s.Segments[(int)SegmentRegister.Cs];
        SegmentCache ss = s.Segments[(int)SegmentRegister.Ss];
        if (_unimplemented && fault.Vector == ExceptionVector.InvalidOpcode)
        {
            _out.WriteLine($"invalid or unimplemented instruction at {cs.Selector:x4}:{s.Rip:x16}");
        }

        if (_interrupts)
        {
            string tail = fault.Vector == ExceptionVector.PageFault
                ? $" CR2={fault.Cr2:x16}"
                : $" env->regs[R_EAX]={s.Register(GeneralRegister.Rax):x16}";
            _out.WriteLine(
                $"{_interruptCount,6}: v={fault.Vector:x2} e={(fault.HasErrorCode ? fault.ErrorCode : 0):x4} i=0 cpl={s.Cpl & 3} " +
                $"IP={cs.Selector:x4}:{s.Rip:x16} pc={unchecked(cs.Base + s.Rip):x16} SP={ss.Selector:x4}:{s.Register(GeneralRegister.Rsp):x16}{tail}");
            _out.Write(RegisterDump.Format(s));
            _interruptCount++;
        }

        _out.Flush();
    }

    /// <summary>QEMU's <c>cpu_reset</c> item: "CPU Reset (CPU n)" and the state about to be lost.</summary>
    public void CpuReset(Vcpu vcpu)
    {
        ArgumentNullException.ThrowIfNull(vcpu);
        if (LogsResets)
        {
            _out.Write($"CPU Reset (CPU {vcpu.Index})\n{RegisterDump.Format(vcpu.State)}");
            _out.Flush();
        }
    }

    public void TripleFault()
    {
        if (LogsResets)
        {
            _out.WriteLine("Triple fault");
            _out.Flush();
        }
    }

    private string Disassemble(DecodedBlock block, ulong linear, ICpuMemory memory)
    {
        var text = new StringBuilder("----------------\nIN: \n");
        var output = new StringOutput();
        ulong first = block.Instructions.Length > 0 ? block.Instructions[0].IP : 0;
        foreach (Instruction instruction in block.Instructions)
        {
            ulong address = linear + (instruction.IP - first);
            byte[] bytes = new byte[instruction.Length];
            string hex = memory.TryRead(address, bytes, MemoryAccess.Execute, out _)
                ? string.Join(' ', bytes.Select(b => b.ToString("x2")))
                : string.Empty;
            _formatter.Format(instruction, output);
            text.Append($"0x{address:x8}:  {hex,-25} {output.ToStringAndReset()}\n");
        }

        return text.Append('\n').ToString();
    }
}
