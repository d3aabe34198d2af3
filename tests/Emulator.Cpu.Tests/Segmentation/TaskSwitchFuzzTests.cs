using Emulator.Cpu.Tests.Interrupts;

namespace Emulator.Cpu.Tests.Segmentation;

/// <summary>
/// Task switches to hostile TSSes: random TSS contents, descriptor types, limits and back links,
/// through JMP, CALL, IRET with NT and INT via a task gate. Every run must end in a clean exit
/// reason with the faults the architecture allows, never a host exception.
/// </summary>
public sealed class TaskSwitchFuzzTests
{
    private const ulong NewTss = 0x700;
    private const ushort New = SegmentationMachine.SpareTss;

    /// <summary>What a task switch itself may raise (random TSS contents go no further than one instruction).</summary>
    private static readonly byte[] AllowedVectors =
    [
        ExceptionVector.GeneralProtection, ExceptionVector.InvalidTss, ExceptionVector.SegmentNotPresent, ExceptionVector.StackFault,
    ];

    [Fact]
    public void RandomTasksNeverCrashTheInterpreter()
    {
        var random = new Random(0x7A55);
        int committed = 0;
        for (int round = 0; round < 300; round++)
        {
            using var m = new SegmentationMachine().Protected();
            byte[] tss = new byte[0x68];
            random.NextBytes(tss);
            if (random.Next(2) == 0)
            {
                // Plausible selectors so some switches get as far as the segment checks and beyond.
                ushort[] choices = [0, InterruptMachine.KernelCode32, InterruptMachine.KernelData, SegmentationMachine.Code16, SegmentationMachine.Data16, SegmentationMachine.LdtSelector];
                for (int i = 0; i < 7; i++)
                {
                    BitConverter.TryWriteBytes(tss.AsSpan(0x48 + (i * 4)), choices[random.Next(choices.Length)]);
                }

                BitConverter.TryWriteBytes(tss.AsSpan(0x24), (uint)random.Next(0x1_0000));
                BitConverter.TryWriteBytes(tss.AsSpan(0x20), (uint)random.Next(0x2_0000));
            }

            m.Machine.Memory.Write(NewTss, tss);
            uint type = (uint)random.Next(16);
            uint limit = random.Next(3) == 0 ? (uint)random.Next(0x80) : 0x67;
            uint present = random.Next(8) == 0 ? 0 : SegmentFlags.Present;
            m.Machine.SetDescriptor(New, InterruptMachine.Descriptor((uint)NewTss, limit, present | (type << SegmentFlags.TypeShift) | ((uint)random.Next(4) << SegmentFlags.DplShift)));
            m.Machine.Memory.Write(InterruptMachine.IdtBase + (0x40 * 8), ((ulong)(New | (uint)random.Next(8)) << 16) | (5UL << 40) | (1UL << 47) | ((ulong)random.Next(4) << 45));
            m.Machine.Memory.Write(InterruptMachine.TssBase, (ushort)(random.Next(2) == 0 ? New : random.Next(0x100)));
            if (random.Next(2) == 0)
            {
                m.State.Rflags |= RflagsBits.NT;
            }

            int choice = random.Next(4);
            ExitReason reason = m.Run(a =>
            {
                switch (choice)
                {
                    case 0: a.jmp(New, 0); break;
                    case 1: a.call(New, 0); break;
                    case 2: a.iretd(); break;
                    default: a.@int(0x40); break;
                }

            }, max: 1);
            Assert.True(reason is ExitReason.Exception or ExitReason.InstructionLimit or ExitReason.Continue, $"round {round}: {reason}");
            if (reason == ExitReason.Exception)
            {
                Assert.Contains(m.Fault.Vector, AllowedVectors);
            }

            if ((m.State.Tr.Selector & ~7) != InterruptMachine.TssSelector)
            {
                committed++;

                // A committed switch to another task: TR names a busy TSS in the GDT and CR0.TS is set.
                // (An IRET whose back link is the current TSS leaves it not busy, as on hardware.)
                byte access = m.Machine.Memory.Read<byte>(InterruptMachine.GdtBase + (m.State.Tr.Selector & ~7u) + 5);
                Assert.True((access & 2) == 2, $"round {round}: TR {m.State.Tr.Selector:X} access {access:X} choice {choice}");
                Assert.Equal(1, access & 5);
                Assert.NotEqual(0ul, m.State.Cr0 & Cr0Bits.TS);
            }
        }

        Assert.True(committed > 10, $"only {committed} switches committed");
    }
}
