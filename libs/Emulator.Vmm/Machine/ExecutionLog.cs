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
/// #UD (where the interpreter's missing instructions surface); INT n/INT3/INTO/INT1 are logged through
/// the interpreter's software-interrupt hook. <c>guest_errors</c> notes triple faults and writes to ROM. Lines go to the writer
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
        LogsGuestErrors = items.Contains(LogItems.GuestErrors);
        _formatter.Options.FirstOperandCharIndex = 9;
        _formatter.Options.UppercaseHex = false;
    }

    /// <summary>Whether the interpreter needs this tracer at all.</summary>
    public bool TracesExecution => _inAsm || _cpu || _interrupts || _unimplemented;

    public bool LogsResets { get; }

    public bool LogsGuestErrors { get; }

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
        if (_unimplemented && fault.Vector == ExceptionVector.InvalidOpcode)
        {
            _out.WriteLine($"invalid or unimplemented instruction at {cs.Selector:x4}:{s.Rip:x16}");
        }

        if (_interrupts)
        {
            LogInterrupt(in s, fault.Vector, fault.HasErrorCode ? fault.ErrorCode : 0, isInt: false, s.Rip, fault.Cr2);
        }

        _out.Flush();
    }

    /// <summary>INT n, INT3, INTO, INT1: QEMU logs them as interrupts with <c>i=1</c>, IP at the instruction.</summary>
    public void SoftwareInterruptDelivering(Vcpu vcpu, byte vector, ulong instructionRip)
    {
        ArgumentNullException.ThrowIfNull(vcpu);
        if (_interrupts)
        {
            LogInterrupt(in vcpu.State, vector, 0, isInt: true, instructionRip, 0);
            _out.Flush();
        }
    }

    /// <summary>
    /// QEMU's <c>do_interrupt_all</c> line and register dump. As QEMU, only in protected mode (CR0.PE);
    /// real-mode interrupts are not logged, but they count.
    /// </summary>
    private void LogInterrupt(in CpuState s, byte vector, uint errorCode, bool isInt, ulong rip, ulong cr2)
    {
        if ((s.Cr0 & 1) != 0)
        {
            SegmentCache cs = s.Segments[(int)SegmentRegister.Cs];
            SegmentCache ss = s.Segments[(int)SegmentRegister.Ss];
            string tail = vector == ExceptionVector.PageFault
                ? $" CR2={cr2:x16}"
                : $" env->regs[R_EAX]={s.Gpr[(int)GeneralRegister.Rax]:x16}";
            _out.WriteLine(
                $"{_interruptCount,6}: v={vector:x2} e={errorCode:x4} i={(isInt ? 1 : 0)} cpl={s.Cpl & 3} " +
                $"IP={cs.Selector:x4}:{rip:x16} pc={unchecked(cs.Base + rip):x16} SP={ss.Selector:x4}:{s.Gpr[(int)GeneralRegister.Rsp]:x16}{tail}");
            _out.Write(RegisterDump.Format(s));
        }

        _interruptCount++;
    }

    /// <summary>A guest write to ROM, dropped (<c>guest_errors</c>).</summary>
    public void RomWrite(ulong physical, int length)
    {
        if (LogsGuestErrors)
        {
            _out.WriteLine($"Invalid write to ROM at addr 0x{physical:x}, size {length}: ignored");
            _out.Flush();
        }
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

    /// <summary>QEMU logs "Triple fault" under <c>cpu_reset</c>; <c>guest_errors</c> shows it too here.</summary>
    public void TripleFault()
    {
        if (LogsResets || LogsGuestErrors)
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
