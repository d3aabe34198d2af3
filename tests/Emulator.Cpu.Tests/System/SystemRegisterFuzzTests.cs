namespace Emulator.Cpu.Tests.SystemInstructions;

/// <summary>Random MSR numbers and values, and random control-register values, never throw and keep the invariants.</summary>
public sealed class SystemRegisterFuzzTests
{
    [Fact]
    public void RandomWritesNeverThrowAndKeepInvariants()
    {
        var random = new Random(1234);
        using var m = new SystemMachine();
        uint[] interesting = [0x10, 0x1B, 0xFE, 0x174, 0x176, 0x1A0, 0x200, 0x20F, 0x250, 0x26F, 0x277, 0x2FF, 0xC000_0080, 0xC000_0084, 0xC000_0103];
        for (int i = 0; i < 20_000; i++)
        {
            uint index = random.Next(2) == 0 ? interesting[random.Next(interesting.Length)] : (uint)random.NextInt64(0, 1L << 32);
            ulong value = random.Next(3) switch
            {
                0 => (ulong)random.NextInt64(),
                1 => 1UL << random.Next(64),
                _ => (ulong)random.Next(256),
            };
            ModelSpecificRegisters.TryWrite(ref m.State, m.Services, index, value);
            ModelSpecificRegisters.TryRead(ref m.State, m.Services, index, out _);
            switch (random.Next(4))
            {
                case 0: ControlRegisterWrites.TryWriteCr0(ref m.State, value); break;
                case 1: ControlRegisterWrites.TryWriteCr3(ref m.State, value); break;
                case 2: ControlRegisterWrites.TryWriteCr4(ref m.State, value); break;
                default: ControlRegisterWrites.TryWriteCr8(ref m.State, value); break;
            }

            ref CpuState s = ref m.State;
            Assert.True((s.Efer & ~ControlRegisterWrites.EferDefined) == 0);
            Assert.True((s.Cr4 & ~ControlRegisterWrites.Cr4Allowed) == 0);
            Assert.True(MemoryTypes.AllBytesValid(s.Pat, pat: true));
            Assert.True(Canonical.Is(s.Lstar) && Canonical.Is(s.KernelGsBase));

            // LMA implies paging with PAE; paging implies protection.
            Assert.True(!s.LongModeActive || ((s.Cr0 & Cr0Bits.PG) != 0 && (s.Cr4 & Cr4PagingBits.PAE) != 0));
            Assert.True((s.Cr0 & Cr0Bits.PG) == 0 || (s.Cr0 & Cr0Bits.PE) != 0);
        }
    }
}
