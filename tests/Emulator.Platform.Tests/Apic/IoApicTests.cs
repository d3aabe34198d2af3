using System.Buffers.Binary;
using Emulator.Tests.Shared;

namespace Emulator.Platform.Tests.Apic;

public sealed class IoApicTests
{
    private sealed class Rig
    {
        public Rig()
        {
            Lapic.Enable();
            Bus.Attach(Lapic.Apic);
            IoApic = new IoApic(Bus);
            Lapic.Apic.EndOfInterruptBroadcast = IoApic.EndOfInterrupt;
        }

        public ApicHarness Lapic { get; } = new();

        public ApicBus Bus { get; } = new();

        public IoApic IoApic { get; }

        public uint Read(byte register)
        {
            IoApic.Write(0, [register]);
            Span<byte> value = stackalloc byte[4];
            IoApic.Read(0x10, value);
            return BinaryPrimitives.ReadUInt32LittleEndian(value);
        }

        public void Write(byte register, uint value)
        {
            IoApic.Write(0, [register]);
            Span<byte> bytes = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
            IoApic.Write(0x10, bytes);
        }

        public void Route(int pin, uint low, uint destination = 0)
        {
            Write((byte)(0x11 + (pin * 2)), destination << 24);
            Write((byte)(0x10 + (pin * 2)), low);
        }

        public void Eoi() => Lapic[LocalApicRegister.EndOfInterrupt] = 0;
    }

    [Fact]
    public void IdentificationAndResetMasks()
    {
        var r = new Rig();
        Assert.Equal(0x0017_0020u, r.Read(1)); // QEMU's default version: with the EOI register
        r.Write(0, 0x0A00_0000);
        Assert.Equal(0x0A00_0000u, r.Read(0));
        Assert.Equal(0x1_0000u, r.Read(0x10));
        Assert.Equal(0xFFFF_FFFFu, r.Read(0x80));
        Span<byte> select = stackalloc byte[1];
        r.IoApic.Read(0, select);
        Assert.Equal(0x80, select[0]);
    }

    [Fact]
    public void EdgeTriggeredPinDeliversOnRisingEdgeOnly()
    {
        var r = new Rig();
        r.Route(2, 0x30);
        r.IoApic.Pins[2].Set(true);
        Assert.Equal(0x30, r.Lapic.Apic.AcknowledgeInterrupt());
        r.Eoi();
        Assert.False(r.Lapic.Apic.HasPendingInterrupt);
        r.IoApic.Pins[2].Set(false);
        r.IoApic.Pins[2].Set(true);
        Assert.Equal(0x30, r.Lapic.Apic.AcknowledgeInterrupt());
    }

    [Fact]
    public void MaskedEdgeIsHeldUntilUnmasked()
    {
        var r = new Rig();
        r.Route(4, 0x1_0034);
        r.IoApic.Pins[4].Set(true);
        Assert.False(r.Lapic.Apic.HasPendingInterrupt);
        r.Route(4, 0x34);
        Assert.Equal(0x34, r.Lapic.Apic.AcknowledgeInterrupt());
    }

    [Fact]
    public void LevelTriggeredUsesRemoteIrrAndRedeliversAfterEoiWhileAsserted()
    {
        var r = new Rig();
        r.Route(16, 0x8000 | 0x2000 | 0x50);
        r.IoApic.Pins[16].Set(true);
        Assert.NotEqual(0ul, r.IoApic.Entry(16) & (1UL << 14));
        Assert.Equal(0x50, r.Lapic.Apic.AcknowledgeInterrupt());
        Assert.False(r.Lapic.Apic.HasPendingInterrupt);
        r.Eoi();
        Assert.Equal(0x50, r.Lapic.Apic.AcknowledgeInterrupt());
        r.IoApic.Pins[16].Set(false);
        r.Eoi();
        Assert.Equal(0ul, r.IoApic.Entry(16) & (1UL << 14));
        Assert.False(r.Lapic.Apic.HasPendingInterrupt);
        Assert.Equal(0x2000u, r.Read(0x30) & 0x2000);
    }

    [Fact]
    public void EoiRegisterClearsRemoteIrrOfTheVectorsEntriesAndRedeliversWhileAsserted()
    {
        var r = new Rig();
        r.Route(16, 0x8000 | 0x2000 | 0x50);
        r.Route(17, 0x8000 | 0x2000 | 0x61);
        r.IoApic.Pins[16].Set(true);
        Assert.Equal(0x50, r.Lapic.Apic.AcknowledgeInterrupt());
        r.IoApic.Pins[17].Set(true);
        Assert.Equal(0x61, r.Lapic.Apic.AcknowledgeInterrupt());
        r.IoApic.Pins[16].Set(false);
        r.IoApic.Write(IoApic.EoiRegisterOffset, [0x50, 0, 0, 0]);
        Assert.Equal(0ul, r.IoApic.Entry(16) & (1UL << 14));
        Assert.NotEqual(0ul, r.IoApic.Entry(17) & (1UL << 14)); // another vector's entry keeps its remote IRR
        Assert.Equal(0u, r.Lapic[LocalApicRegister.InterruptRequest + 0x20] & 1u << 16); // 0x50 not sent again
        r.IoApic.Write(IoApic.EoiRegisterOffset, [0x61, 0, 0, 0]);
        Assert.Equal(1u << 1, r.Lapic[LocalApicRegister.InterruptRequest + 0x30] & 1u << 1); // 0x61 still asserted: sent again
    }

    [Fact]
    public void DestinationSelectsTheApic()
    {
        var r = new Rig();
        r.Route(1, 0x41, destination: 3);
        r.IoApic.Pins[1].Set(true);
        Assert.False(r.Lapic.Apic.HasPendingInterrupt);
        r.Lapic[LocalApicRegister.LogicalDestination] = 0x0100_0000;
        r.Route(1, 0x800 | 0x42, destination: 1);
        r.IoApic.Pins[1].Set(false);
        r.IoApic.Pins[1].Set(true);
        Assert.Equal(0x42, r.Lapic.Apic.AcknowledgeInterrupt());
    }

    [Fact]
    public void NmiDeliveryMode()
    {
        var r = new Rig();
        r.Route(5, 0x400);
        r.IoApic.Pins[5].Set(true);
        Assert.True(r.Lapic.Apic.HasPendingNmi);
    }

    [Fact]
    [Trait("Category", FuzzBudget.Category)]
    public void RandomAccessesNeverThrow()
    {
        var random = new Random(9);
        var r = new Rig();
        byte[] buffer = new byte[8];
        for (int n = 0; n < FuzzBudget.Iterations(50_000); n++)
        {
            ulong offset = (ulong)random.Next(0x20);
            int length = random.Next(1, 9);
            switch (random.Next(6))
            {
                case 0:
                    r.IoApic.Read(offset, buffer.AsSpan(0, length));
                    break;
                case 1:
                    r.IoApic.Pins[random.Next(IoApic.PinCount)].Set(random.Next(2) == 0);
                    break;
                case 2:
                    if (r.Lapic.Apic.HasPendingInterrupt)
                    {
                        r.Lapic.Apic.AcknowledgeInterrupt();
                    }

                    r.Eoi();
                    break;
                case 3:
                    r.Write((byte)random.Next(0x40), (uint)random.Next());
                    break;
                default:
                    random.NextBytes(buffer);
                    r.IoApic.Write(offset, buffer.AsSpan(0, length));
                    break;
            }

            Assert.Equal(IoApic.VersionValue, r.Read(1));
        }
    }
}
