using Emulator.Cpu.Tests.Interrupts;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Cpu.Tests.Debug;

/// <summary>
/// An <see cref="InterruptMachine"/> whose #DB handler appends (pushed RIP, DR6, pushed RFLAGS) to a
/// record buffer at <see cref="Records"/> through R10, counts in R15, clears DR6 and returns.
/// </summary>
internal sealed class DebugMachine : IDisposable
{
    public const ulong DebugHandler = 0x3_0000;
    public const ulong OtherHandler = 0x3_1000;
    public const ulong Records = 0x6_0000;
    public const ulong Data = 0x5_0000;

    public DebugMachine(bool setResumeFlag = false)
    {
        Machine = new InterruptMachine();
        Machine.SetGate64(ExceptionVector.Debug, DebugHandler);
        Machine.Emit(DebugHandler, a =>
        {
            a.mov(r11, __qword_ptr[rsp]);
            a.mov(__qword_ptr[r10], r11);
            a.mov(r11, dr6);
            a.mov(__qword_ptr[r10 + 8], r11);
            a.mov(r11, __qword_ptr[rsp + 16]);
            a.mov(__qword_ptr[r10 + 16], r11);
            a.add(r10, 24);
            a.inc(r15);
            a.xor(r11d, r11d);
            a.mov(dr6, r11);
            if (setResumeFlag)
            {
                a.or(__qword_ptr[rsp + 16], (int)RflagsBits.RF);
            }

            a.iretq();
        });
        Machine[GeneralRegister.R10] = Records;
    }

    public InterruptMachine Machine { get; }

    public ref CpuState State => ref Machine.State;

    public int Count => (int)Machine[GeneralRegister.R15];

    public ulong Rip(int record) => Machine.Memory.Read<ulong>(Records + ((ulong)record * 24));

    public ulong Dr6(int record) => Machine.Memory.Read<ulong>(Records + ((ulong)record * 24) + 8);

    public ulong Rflags(int record) => Machine.Memory.Read<ulong>(Records + ((ulong)record * 24) + 16);

    public ulong Emit(ulong address, Action<Assembler> program) => Machine.Emit(address, program);

    public ExitReason Run(long max = 10_000) => Machine.Run(max);

    public void Dispose() => Machine.Dispose();
}
