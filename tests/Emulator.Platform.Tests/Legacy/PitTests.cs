using Emulator.Platform;
using Emulator.Tests.Shared;

namespace Emulator.Platform.Tests.Legacy;

public sealed class PitTests
{
    private readonly ManualClock _clock = new();
    private readonly RecordingLine _irq0 = new();
    private readonly Pit8254 _pit;
    private readonly SystemControlPortB _portB;

    public PitTests()
    {
        _pit = new Pit8254(_clock, _irq0);
        _portB = new SystemControlPortB(_pit, _clock);
    }

    private static long Ticks(long ticks) => PitChannel.NsAt(ticks);

    private void Program(int channel, int mode, int count, int access = 3, bool bcd = false)
    {
        _pit.Write(3, 1, (uint)((channel << 6) | (access << 4) | (mode << 1) | (bcd ? 1 : 0)));
        if (access != 2)
        {
            _pit.Write((ushort)channel, 1, (uint)(count & 0xFF));
        }

        if (access != 1)
        {
            _pit.Write((ushort)channel, 1, (uint)((count >> 8) & 0xFF));
        }
    }

    private int ReadWord(int channel) => (int)(_pit.Read((ushort)channel, 1) | (_pit.Read((ushort)channel, 1) << 8));

    [Fact]
    public void Mode2GivesOneIrqEdgePerPeriod()
    {
        // The control word already sets OUT high (datasheet: mode 2 OUT is high after programming).
        Program(0, 2, 1193);
        int before = _irq0.RisingEdges;
        _clock.Advance(Ticks(1193 * 10) + 1);
        Assert.Equal(10, _irq0.RisingEdges - before);
    }

    [Fact]
    public void Mode3SquareWaveGivesOneRisingEdgePerPeriod()
    {
        Program(0, 3, 100);
        Assert.True(_irq0.Level);
        int before = _irq0.RisingEdges;
        _clock.Advance(Ticks(50) + 1);
        Assert.False(_irq0.Level);
        _clock.Advance(Ticks(50 + 100 * 4));
        Assert.Equal(5, _irq0.RisingEdges - before);
    }

    [Fact]
    public void Mode0OutputRisesOnceAtTerminalCount()
    {
        Program(0, 0, 1000);
        _clock.Advance(Ticks(999));
        Assert.False(_irq0.Level);
        _clock.Advance(Ticks(2) + 1);
        Assert.True(_irq0.Level);
        _clock.Advance(Ticks(70_000));
        Assert.Equal(1, _irq0.RisingEdges);
    }

    [Fact]
    public void CountDecrementsAtPitFrequency()
    {
        Program(0, 0, 0x1000);
        _clock.Advance(Ticks(0x100));
        Assert.Equal(0x0F00, ReadWord(0));
    }

    [Fact]
    public void ZeroCountMeans65536()
    {
        Program(0, 2, 0);
        _clock.Advance(Ticks(1));
        Assert.Equal(0xFFFF, ReadWord(0));
    }

    [Fact]
    public void LatchCommandFreezesTheReadValue()
    {
        Program(0, 2, 5000);
        _clock.Advance(Ticks(1000));
        _pit.Write(3, 1, 0x00);
        _clock.Advance(Ticks(1000));
        Assert.Equal(4000, ReadWord(0));
        Assert.Equal(3000, ReadWord(0));
    }

    [Fact]
    public void LowByteOnlyAccessReadsAndWritesOneByte()
    {
        Program(1, 2, 0x80, access: 1);
        Assert.Equal(0x80u, _pit.Read(1, 1));
        Assert.Equal(0x80u, _pit.Read(1, 1));
    }

    [Fact]
    public void HighByteOnlyAccessLoadsCountTimes256()
    {
        Program(1, 0, 0x0200, access: 2);
        _clock.Advance(Ticks(0x100));
        Assert.Equal(0x01u, _pit.Read(1, 1));
    }

    [Fact]
    public void BcdModeCountsInDecimal()
    {
        Program(0, 0, 0x1000, bcd: true);
        _clock.Advance(Ticks(1));
        Assert.Equal(0x0999, ReadWord(0));
    }

    [Fact]
    public void ReadBackLatchesStatusWithModeAccessAndNullCount()
    {
        _pit.Write(3, 1, 0b10_11_010_0);
        _pit.Write(3, 1, 0xE8);
        Assert.Equal(0b0111_0100u, _pit.Read(2, 1) & 0x7F);
    }

    [Fact]
    public void ReadBackStatusReportsOutput()
    {
        Program(0, 0, 10);
        _clock.Advance(Ticks(20));
        _pit.Write(3, 1, 0xE2);
        Assert.Equal(0x80u, _pit.Read(0, 1) & 0xC0);
    }

    [Fact]
    public void ReadBackCanLatchCountOfSeveralChannels()
    {
        Program(0, 2, 1000);
        Program(1, 2, 2000);
        _clock.Advance(Ticks(100));
        _pit.Write(3, 1, 0xD6);
        _clock.Advance(Ticks(100));
        Assert.Equal(900, ReadWord(0));
        Assert.Equal(1900, ReadWord(1));
    }

    [Fact]
    public void Channel2CountsOnlyWhileGateHigh()
    {
        Program(2, 0, 1000);
        _clock.Advance(Ticks(500));
        Assert.Equal(1000, ReadWord(2));
        _portB.Write(0, 1, 0x01);
        _clock.Advance(Ticks(400));
        Assert.Equal(600, ReadWord(2));
    }

    [Fact]
    public void Channel2OutputIsPortBBit5AfterOneShot()
    {
        // Linux pit_calibrate_tsc: gate high, speaker off, channel 2 mode 0, poll bit 5.
        _portB.Write(0, 1, (_portB.Read(0, 1) & ~0x02u) | 0x01);
        Program(2, 0, 11932);
        Assert.Equal(0u, _portB.Read(0, 1) & 0x20);
        _clock.Advance(Ticks(11932));
        Assert.Equal(0x20u, _portB.Read(0, 1) & 0x20);
    }

    [Fact]
    public void PortBKeepsGateAndSpeakerBits()
    {
        _portB.Write(0, 1, 0x03);
        Assert.Equal(0x03u, _portB.Read(0, 1) & 0x03);
        Assert.True(_portB.SpeakerDataEnabled);
        Assert.True(_pit.Channel(2).Gate);
    }

    [Fact]
    public void RefreshBitTogglesWithVirtualTime()
    {
        uint first = _portB.Read(0, 1) & 0x10;
        _clock.Advance(15_085);
        Assert.NotEqual(first, _portB.Read(0, 1) & 0x10);
    }

    [Fact]
    public void Mode2GateRisingEdgeReloads()
    {
        Program(2, 2, 1000);
        _portB.Write(0, 1, 0x01);
        _clock.Advance(Ticks(300));
        _portB.Write(0, 1, 0x00);
        _portB.Write(0, 1, 0x01);
        Assert.Equal(1000, ReadWord(2));
    }

    [Fact]
    public void Mode1StartsOnGateTriggerAndOutputGoesLowUntilTerminalCount()
    {
        Program(2, 1, 100);
        Assert.True(_pit.Output(2));
        _portB.Write(0, 1, 0x01);
        Assert.False(_pit.Output(2));
        _clock.Advance(Ticks(100));
        Assert.True(_pit.Output(2));
    }

    [Fact]
    public void Mode4StrobesLowForOneTickAtTerminalCount()
    {
        Program(0, 4, 50);
        Assert.True(_irq0.Level);
        _clock.Advance(Ticks(50) + 1);
        Assert.False(_irq0.Level);
        _clock.Advance(Ticks(2));
        Assert.True(_irq0.Level);
    }

    [Fact]
    public void LateTimerStillDeliversEveryEdge()
    {
        Program(0, 2, 100);
        int before = _irq0.RisingEdges;
        _clock.Advance(Ticks(100 * 50) + 1);
        Assert.Equal(50, _irq0.RisingEdges - before);
    }

    [Fact]
    public void ReprogrammingModeStopsPendingTimer()
    {
        Program(0, 2, 100);
        _pit.Write(3, 1, 0x34);
        int before = _irq0.RisingEdges;
        _clock.Advance(Ticks(1000));
        Assert.Equal(before, _irq0.RisingEdges);
    }

    [Fact]
    [Trait("Category", FuzzBudget.Category)]
    public void RandomPortTrafficNeverThrowsOrHangs()
    {
        var random = new Random(8254);
        for (int i = 0; i < FuzzBudget.Iterations(20_000); i++)
        {
            switch (random.Next(5))
            {
                case 0:
                    _pit.Write((ushort)random.Next(4), 1, (uint)random.Next(256));
                    break;
                case 1:
                    Assert.InRange(_pit.Read((ushort)random.Next(4), 1), 0u, 0xFFu);
                    break;
                case 2:
                    _portB.Write(0, 1, (uint)random.Next(256));
                    break;
                case 3:
                    Assert.InRange(_portB.Read(0, 1), 0u, 0xFFu);
                    break;
                default:
                    _clock.Advance(random.Next(100_000));
                    break;
            }
        }
    }
}
