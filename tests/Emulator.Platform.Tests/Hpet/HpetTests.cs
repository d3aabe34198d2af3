using System.Buffers.Binary;
using Emulator.Platform.Tests.Timing;
using Emulator.Tests.Shared;

namespace Emulator.Platform.Tests.Hpet;

public sealed class HpetTests
{
    private sealed class Line : IInterruptLine
    {
        public bool Level { get; private set; }

        public int Rises { get; private set; }

        public void Set(bool level)
        {
            if (level && !Level)
            {
                Rises++;
            }

            Level = level;
        }
    }

    private sealed class Rig
    {
        public Rig(uint routeCapability = 0x4)
        {
            Clock = new VirtualClock(Host.Read);
            Hpet = new Platform.Hpet(Clock, routeCapability);
            Hpet.LegacyIrq0 = Irq0;
            Hpet.LegacyIrq8 = Irq8;
            Hpet.ConnectRoute(2, Gsi2);
        }

        public ManualHostClock Host { get; } = new();

        public VirtualClock Clock { get; }

        public Platform.Hpet Hpet { get; }

        public Line Irq0 { get; } = new();

        public Line Irq8 { get; } = new();

        public Line Gsi2 { get; } = new();

        public ulong Read(int register)
        {
            Span<byte> value = stackalloc byte[8];
            Hpet.Read((ulong)register, value);
            return BinaryPrimitives.ReadUInt64LittleEndian(value);
        }

        public uint Read32(int register)
        {
            Span<byte> value = stackalloc byte[4];
            Hpet.Read((ulong)register, value);
            return BinaryPrimitives.ReadUInt32LittleEndian(value);
        }

        public void Write(int register, ulong value)
        {
            Span<byte> bytes = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
            Hpet.Write((ulong)register, bytes);
        }

        public void Write32(int register, uint value)
        {
            Span<byte> bytes = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
            Hpet.Write((ulong)register, bytes);
        }

        public void Advance(long nanoseconds)
        {
            Host.Advance(nanoseconds);
            Clock.RunExpired();
        }
    }

    private static int Config(int timer) => HpetRegister.TimerBase + (timer * HpetRegister.TimerStride);

    private static int Comparator(int timer) => Config(timer) + 8;

    [Fact]
    public void CapabilitiesAsQemu()
    {
        var r = new Rig();
        ulong caps = r.Read(HpetRegister.Capabilities);
        Assert.Equal(10_000_000ul, caps >> 32);
        Assert.Equal(0x8086ul, (caps >> 16) & 0xFFFF);
        Assert.NotEqual(0ul, caps & (1UL << 15));
        Assert.NotEqual(0ul, caps & (1UL << 13));
        Assert.Equal(2ul, (caps >> 8) & 0x1F);
        Assert.Equal(1ul, caps & 0xFF);
        Assert.Equal(0x0000_0004_0000_0030ul, r.Read(Config(0)));
        Assert.Equal(ulong.MaxValue, r.Read(Comparator(2)));
        Assert.Equal(0x8086_A201u, r.Read32(HpetRegister.Capabilities));
        Assert.Equal(10_000_000u, r.Read32(HpetRegister.Capabilities + 4));
    }

    [Fact]
    public void CounterRunsAt100MHzOnlyWhileEnabledAndIsWritableWhileHalted()
    {
        var r = new Rig();
        r.Advance(1000);
        Assert.Equal(0ul, r.Read(HpetRegister.MainCounter));
        r.Write(HpetRegister.MainCounter, 500);
        r.Write(HpetRegister.Configuration, HpetRegister.EnableCnf);
        r.Advance(1000);
        Assert.Equal(600ul, r.Read(HpetRegister.MainCounter));
        r.Write(HpetRegister.MainCounter, 0);
        Assert.Equal(600ul, r.Read(HpetRegister.MainCounter));
        r.Write(HpetRegister.Configuration, 0);
        r.Advance(1000);
        Assert.Equal(600ul, r.Read(HpetRegister.MainCounter));
        r.Write32(HpetRegister.MainCounter + 4, 1);
        Assert.Equal(0x1_0000_0258ul, r.Read(HpetRegister.MainCounter));
    }

    [Fact]
    public void OneShotEdgeOnTheRoutedGsi()
    {
        var r = new Rig();
        r.Write(Config(0), HpetRegister.TimerInterruptEnable | (2UL << HpetRegister.TimerRouteShift));
        r.Write(Comparator(0), 100);
        r.Write(HpetRegister.Configuration, HpetRegister.EnableCnf);
        r.Advance(990);
        Assert.Equal(0, r.Gsi2.Rises);
        r.Advance(10);
        Assert.Equal(1, r.Gsi2.Rises);
        Assert.False(r.Gsi2.Level);
        Assert.Equal(0ul, r.Read(HpetRegister.InterruptStatus));
        r.Advance(100_000);
        Assert.Equal(1, r.Gsi2.Rises);
    }

    [Fact]
    public void RouteOutsideTheCapabilityIsNotDriven()
    {
        var r = new Rig();
        var gsi5 = new Line();
        r.Hpet.ConnectRoute(5, gsi5);
        r.Write(Config(2), HpetRegister.TimerInterruptEnable | (5UL << HpetRegister.TimerRouteShift));
        r.Write(Comparator(2), 1);
        r.Write(HpetRegister.Configuration, HpetRegister.EnableCnf);
        r.Advance(100);
        Assert.Equal(0, gsi5.Rises);
    }

    [Fact]
    public void LevelTriggeredLatchesStatusUntilWrittenOne()
    {
        var r = new Rig();
        r.Write(Config(0), HpetRegister.TimerInterruptEnable | HpetRegister.TimerLevelTriggered | (2UL << HpetRegister.TimerRouteShift));
        r.Write(Comparator(0), 10);
        r.Write(HpetRegister.Configuration, HpetRegister.EnableCnf);
        r.Advance(100);
        Assert.True(r.Gsi2.Level);
        Assert.Equal(1ul, r.Read(HpetRegister.InterruptStatus));
        r.Write(HpetRegister.InterruptStatus, 2);
        Assert.True(r.Gsi2.Level);
        r.Write(HpetRegister.InterruptStatus, 1);
        Assert.False(r.Gsi2.Level);
        Assert.Equal(0ul, r.Read(HpetRegister.InterruptStatus));
    }

    [Fact]
    public void PeriodicAccumulatesWithoutDriftAndSkipsMissedPeriods()
    {
        var r = new Rig();
        r.Hpet.LegacyReplacementChanged = on => Assert.True(on);
        r.Write(HpetRegister.Configuration, HpetRegister.LegacyRouteCnf);
        r.Write(Config(0), HpetRegister.TimerInterruptEnable | HpetRegister.TimerPeriodic | HpetRegister.TimerValueSet);
        r.Write(Comparator(0), 100);
        Assert.Equal(0ul, r.Read(Config(0)) & HpetRegister.TimerValueSet);
        r.Write(Comparator(0), 100);
        r.Write(HpetRegister.Configuration, HpetRegister.LegacyRouteCnf | HpetRegister.EnableCnf);
        r.Advance(1000);
        Assert.Equal(1, r.Irq0.Rises);
        Assert.Equal(200ul, r.Read(Comparator(0)));
        r.Advance(1500);
        Assert.Equal(2, r.Irq0.Rises);
        Assert.Equal(300ul, r.Read(Comparator(0)));
        r.Advance(2345);
        Assert.Equal(3, r.Irq0.Rises);
        Assert.Equal(500ul, r.Read(Comparator(0)));
        Assert.Equal(0, r.Gsi2.Rises);
    }

    [Fact]
    public void LegacyTimer1GoesToIrq8()
    {
        var r = new Rig();
        r.Write(HpetRegister.Configuration, HpetRegister.LegacyRouteCnf | HpetRegister.EnableCnf);
        r.Write(Config(1), HpetRegister.TimerInterruptEnable);
        r.Write(Comparator(1), 5);
        r.Advance(50);
        Assert.Equal(1, r.Irq8.Rises);
    }

    [Fact]
    public void ThirtyTwoBitModeTruncatesAndWraps()
    {
        var r = new Rig();
        r.Write(HpetRegister.MainCounter, 0xFFFF_FFF0);
        r.Write(Config(0), HpetRegister.TimerInterruptEnable | HpetRegister.Timer32BitMode | (2UL << HpetRegister.TimerRouteShift));
        Assert.Equal(0xFFFF_FFFFul, r.Read(Comparator(0)));
        r.Write(Comparator(0), 0x1_0000_0010);
        Assert.Equal(0x10ul, r.Read(Comparator(0)));
        r.Write(HpetRegister.Configuration, HpetRegister.EnableCnf);
        r.Advance(0x10 * 10);
        Assert.Equal(0, r.Gsi2.Rises);
        r.Advance(0x10 * 10);
        Assert.Equal(1, r.Gsi2.Rises);
    }

    [Fact]
    public void DisabledInterruptDoesNotSignal()
    {
        var r = new Rig();
        r.Write(Config(0), HpetRegister.TimerLevelTriggered | (2UL << HpetRegister.TimerRouteShift));
        r.Write(Comparator(0), 1);
        r.Write(HpetRegister.Configuration, HpetRegister.EnableCnf);
        r.Advance(100);
        Assert.False(r.Gsi2.Level);
        Assert.Equal(0ul, r.Read(HpetRegister.InterruptStatus));
    }

    [Fact]
    [Trait("Category", FuzzBudget.Category)]
    public void RandomAccessesNeverThrow()
    {
        var random = new Random(5);
        var r = new Rig(0x00FF_0104);
        for (int gsi = 0; gsi < 32; gsi++)
        {
            r.Hpet.ConnectRoute(gsi, new Line());
        }

        byte[] buffer = new byte[8];
        for (int n = 0; n < FuzzBudget.Iterations(50_000); n++)
        {
            ulong offset = (ulong)random.Next(0x400);
            if (random.Next(2) == 0)
            {
                offset &= ~7UL;
            }

            int length = random.Next(3) == 0 ? random.Next(1, 9) : (random.Next(2) == 0 ? 4 : 8);
            if (offset + (ulong)length > 0x400)
            {
                length = (int)(0x400 - offset);
            }

            switch (random.Next(4))
            {
                case 0:
                    r.Hpet.Read(offset, buffer.AsSpan(0, length));
                    break;
                case 1:
                    r.Advance(random.Next(0, 100_000));
                    break;
                default:
                    random.NextBytes(buffer);
                    r.Hpet.Write(offset, buffer.AsSpan(0, length));
                    break;
            }

            Assert.Equal(0x8086_A201u, r.Read32(HpetRegister.Capabilities));
        }
    }
}
