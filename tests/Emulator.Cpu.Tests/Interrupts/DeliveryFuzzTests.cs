namespace Emulator.Cpu.Tests.Interrupts;

/// <summary>Hostile descriptor tables and interrupt instructions in every mode: delivery never throws or hangs.</summary>
public sealed class DeliveryFuzzTests
{
    private static readonly byte[][] Pieces =
    [
        [0xCD, 0x00], [0xCD, 0x80], [0xCC], [0xF1], [0xCE], [0x0F, 0x0B], [0xCF], [0x48, 0xCF], [0x66, 0xCF], [0xF7, 0xF1], [0x90],
    ];

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void RandomTablesNeverCrashTheInterpreter(int mode)
    {
        var random = new Random(1234 + mode);
        for (int round = 0; round < 60; round++)
        {
            using var m = new InterruptMachine();
            byte[] noise = new byte[0x1000];
            random.NextBytes(noise);
            m.Memory.Write(InterruptMachine.IdtBase, noise);
            random.NextBytes(noise.AsSpan(0, 0x100));
            m.Memory.Write(0, noise.AsSpan(0, 0x100).ToArray());
            if (random.Next(2) == 0)
            {
                m.Memory.Write(InterruptMachine.GdtBase + 0x40, noise.AsSpan(0x100, 0x100).ToArray());
                m.State.Gdtr.Limit = 0x13F;
            }

            if (mode == 1)
            {
                FlatModeSetup.Protected32(ref m.State, InterruptMachine.MainCode, InterruptMachine.KernelStack);
            }
            else if (mode == 2)
            {
                m.State.Cr0 = Cr0Bits.ET;
                m.State.Efer = 0;
                m.State.Rip = 0x1000;
                m.State.Register(GeneralRegister.Rsp) = 0x7000;
            }

            m.State.Cpl = (byte)(mode == 2 ? 0 : random.Next(4));
            var code = new List<byte>();
            for (int i = 0; i < 40; i++)
            {
                code.AddRange(Pieces[random.Next(Pieces.Length)]);
            }

            m.Memory.Write(mode == 2 ? 0x1000UL : InterruptMachine.MainCode, code.ToArray());
            m.Interpreter.Blocks.InvalidateAll();
            ExitReason reason = m.Run(300);
            Assert.True(Enum.IsDefined(reason) && reason != ExitReason.Continue);
            Assert.InRange(m.State.Cpl, 0, 3);
        }
    }
}
