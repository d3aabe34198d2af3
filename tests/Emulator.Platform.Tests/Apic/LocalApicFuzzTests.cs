using Emulator.Tests.Shared;

namespace Emulator.Platform.Tests.Apic;

public sealed class LocalApicFuzzTests
{
    [Fact]
    [Trait("Category", FuzzBudget.Category)]
    public void RandomAccessesNeverThrowAndKeepInvariants()
    {
        var random = new Random(42);
        var h = new ApicHarness();
        h.Apic.ExternalAcknowledge = () => 0x08;
        byte[] buffer = new byte[8];
        for (int n = 0; n < FuzzBudget.Iterations(50_000); n++)
        {
            ulong offset = (ulong)random.Next(0x1000);
            if (random.Next(3) == 0)
            {
                offset &= 0xFF0;
            }

            int length = random.Next(3) == 0 ? 4 : random.Next(1, 9);
            if (offset + (ulong)length > 0x1000)
            {
                length = (int)(0x1000 - offset);
            }

            Span<byte> span = buffer.AsSpan(0, length);
            switch (random.Next(8))
            {
                case 0:
                    h.Apic.Read(offset, span);
                    break;
                case 1:
                    h.Advance(random.Next(0, 5000));
                    break;
                case 2:
                    h.Fixed((byte)random.Next(256), random.Next(2) == 0);
                    break;
                case 3:
                    if (h.Apic.HasPendingInterrupt)
                    {
                        Assert.InRange(h.Apic.AcknowledgeInterrupt(), -1, 255);
                    }

                    break;
                case 4:
                    h.Apic.Lint0.Set(random.Next(2) == 0);
                    h.Apic.Lint1.Set(random.Next(2) == 0);
                    break;
                default:
                    random.NextBytes(span);
                    h.Apic.Write(offset, span);
                    break;
            }

            Assert.True(h.Apic.ProcessorPriority <= 0xFF);
            Assert.Equal(0x0005_0014u, h[LocalApicRegister.Version] | (h.Apic.HardwareEnabled ? 0 : 0x0005_0014u));
        }
    }
}
