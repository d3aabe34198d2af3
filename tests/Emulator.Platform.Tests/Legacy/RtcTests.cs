using Emulator.Platform;
using Emulator.Tests.Shared;

namespace Emulator.Platform.Tests.Legacy;

public sealed class RtcTests
{
    private const long Second = 1_000_000_000;

    private static readonly DateTime Start = new(2026, 11, 22, 13, 45, 30);

    private readonly ManualClock _clock = new();
    private readonly RecordingLine _irq8 = new();
    private readonly Mc146818Rtc _rtc;

    public RtcTests()
    {
        _rtc = new Mc146818Rtc(_clock, _irq8, Start);
    }

    private byte ReadReg(int index)
    {
        _rtc.Write(0, 1, (uint)index);
        return (byte)_rtc.Read(1, 1);
    }

    private void WriteReg(int index, int value)
    {
        _rtc.Write(0, 1, (uint)index);
        _rtc.Write(1, 1, (uint)value);
    }

    [Fact]
    public void DefaultsAreBcd24HourWithValidRam()
    {
        Assert.Equal(0x26, ReadReg(0x0A) & 0x7F);
        Assert.Equal(0x02, ReadReg(0x0B));
        Assert.Equal(0x80, ReadReg(0x0D));
    }

    [Fact]
    public void TimeReadsInBcdFromStartTime()
    {
        Assert.Equal(0x30, ReadReg(0));
        Assert.Equal(0x45, ReadReg(2));
        Assert.Equal(0x13, ReadReg(4));
        Assert.Equal(0x22, ReadReg(7));
        Assert.Equal(0x11, ReadReg(8));
        Assert.Equal(0x26, ReadReg(9));
        Assert.Equal(0x20, ReadReg(Mc146818Rtc.CenturyIndex));
        Assert.Equal(0x01, ReadReg(6)); // Sunday
    }

    [Fact]
    public void TimeAdvancesWithVirtualClock()
    {
        _clock.Advance(90 * Second);
        Assert.Equal(0x00, ReadReg(0));
        Assert.Equal(0x47, ReadReg(2));
    }

    [Fact]
    public void BinaryModeReadsPlainNumbers()
    {
        WriteReg(0x0B, 0x06);
        Assert.Equal(45, ReadReg(2));
    }

    [Fact]
    public void TwelveHourModeSetsPmBit()
    {
        WriteReg(0x0B, 0x00);
        Assert.Equal(0x81, ReadReg(4));
    }

    [Fact]
    public void UpdateInProgressIsSetJustBeforeTheSecondChanges()
    {
        Assert.Equal(0, ReadReg(0x0A) & 0x80);
        _clock.Advance(Second - 100_000);
        Assert.Equal(0x80, ReadReg(0x0A) & 0x80);
        _clock.Advance(200_000);
        Assert.Equal(0, ReadReg(0x0A) & 0x80);
    }

    [Fact]
    public void SetBitFreezesTimeAndTakesTheWrittenTime()
    {
        WriteReg(0x0B, 0x82);
        WriteReg(4, 0x08);
        WriteReg(2, 0x00);
        WriteReg(0, 0x00);
        _clock.Advance(5 * Second);
        Assert.Equal(0x00, ReadReg(0));
        WriteReg(0x0B, 0x02);
        _clock.Advance(5 * Second);
        Assert.Equal(0x05, ReadReg(0));
        Assert.Equal(0x08, ReadReg(4));
        Assert.Equal(new DateTime(2026, 11, 22, 8, 0, 5), _rtc.Now);
    }

    [Fact]
    public void PeriodicInterruptFollowsRateAndIsClearedByReadingC()
    {
        WriteReg(0x0A, 0x26); // 1024 Hz
        WriteReg(0x0B, 0x42);
        _clock.Advance(Second / 1024 + 1);
        Assert.True(_irq8.Level);
        Assert.Equal(0xC0, ReadReg(0x0C) & 0xC0);
        Assert.False(_irq8.Level);
        Assert.Equal(0, ReadReg(0x0C));
    }

    [Fact]
    public void PeriodicInterruptCountsMatchRate()
    {
        WriteReg(0x0A, 0x2F); // 2 Hz
        WriteReg(0x0B, 0x42);
        int seen = 0;
        for (int i = 0; i < 10; i++)
        {
            _clock.Advance(Second / 2);
            if ((ReadReg(0x0C) & 0x40) != 0)
            {
                seen++;
            }
        }

        Assert.Equal(10, seen);
    }

    [Fact]
    public void RateSelect1BehavesAs256Hz()
    {
        WriteReg(0x0A, 0x21);
        ReadReg(0x0C);
        _clock.Advance(Second / 512);
        Assert.Equal(0, ReadReg(0x0C) & 0x40);
        _clock.Advance(Second / 512);
        Assert.Equal(0x40, ReadReg(0x0C) & 0x40);
    }

    [Fact]
    public void RateZeroDisablesPeriodicFlag()
    {
        WriteReg(0x0A, 0x20);
        ReadReg(0x0C);
        _clock.Advance(Second / 10);
        Assert.Equal(0, ReadReg(0x0C) & 0x40);
    }

    [Fact]
    public void PeriodicFlagIsSetWithoutInterruptEnable()
    {
        _clock.Advance(Second / 100);
        Assert.Equal(0x40, ReadReg(0x0C));
        Assert.False(_irq8.Level);
    }

    [Fact]
    public void UpdateEndedInterruptEachSecond()
    {
        WriteReg(0x0B, 0x12);
        _clock.Advance(Second);
        Assert.True(_irq8.Level);
        Assert.Equal(0x90, ReadReg(0x0C) & 0xF0 & ~0x40);
    }

    [Fact]
    public void AlarmInterruptAtMatchingTime()
    {
        WriteReg(1, 0x35);
        WriteReg(3, 0x45);
        WriteReg(5, 0x13);
        WriteReg(0x0B, 0x22);
        _clock.Advance(4 * Second);
        Assert.False(_irq8.Level);
        _clock.Advance(Second);
        Assert.True(_irq8.Level);
        Assert.Equal(0xA0, ReadReg(0x0C) & 0xA0);
    }

    [Fact]
    public void AlarmDontCareMatchesEverySecond()
    {
        WriteReg(1, 0xC0);
        WriteReg(3, 0xC0);
        WriteReg(5, 0xC0);
        WriteReg(0x0B, 0x22);
        _clock.Advance(Second);
        Assert.True(_irq8.Level);
    }

    [Fact]
    public void IndexBit7MasksNmiAndSelectsLowIndex()
    {
        _rtc.Write(0, 1, 0x80 | 0x0D);
        Assert.True(_rtc.NmiMasked);
        Assert.Equal(0x80u, _rtc.Read(1, 1));
        _rtc.Write(0, 1, 0x0D);
        Assert.False(_rtc.NmiMasked);
    }

    [Fact]
    public void NvramBytesAreReadWrite()
    {
        WriteReg(0x40, 0x5A);
        Assert.Equal(0x5A, ReadReg(0x40));
    }

    [Fact]
    public void RegisterDIsReadOnlyWithValidRamBit()
    {
        WriteReg(0x0D, 0);
        Assert.Equal(0x80, ReadReg(0x0D));
    }

    [Fact]
    public void MemorySizesFollowQemuLayout()
    {
        _rtc.SetMemorySizes(3UL << 30, 2UL << 30);
        Assert.Equal(640, _rtc.GetCmos(0x15) | (_rtc.GetCmos(0x16) << 8));
        Assert.Equal(0xFFFF, _rtc.GetCmos(0x30) | (_rtc.GetCmos(0x31) << 8));
        Assert.Equal(((3L << 30) - (16 << 20)) / 65536, _rtc.GetCmos(0x34) | (_rtc.GetCmos(0x35) << 8));
        Assert.Equal((2L << 30) / 65536, _rtc.GetCmos(0x5B) | (_rtc.GetCmos(0x5C) << 8) | (_rtc.GetCmos(0x5D) << 16));
    }

    [Fact]
    public void MachineCannotOverwriteClockRegistersThroughSetCmos()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _rtc.SetCmos(0x0B, 0));
    }

    [Fact]
    [Trait("Category", FuzzBudget.Category)]
    public void RandomPortTrafficNeverThrows()
    {
        var random = new Random(146818);
        for (int i = 0; i < FuzzBudget.Iterations(20_000); i++)
        {
            switch (random.Next(4))
            {
                case 0:
                    _rtc.Write((ushort)random.Next(2), 1, (uint)random.Next(256));
                    break;
                case 1:
                    Assert.InRange(_rtc.Read((ushort)random.Next(2), 1), 0u, 0xFFu);
                    break;
                case 2:
                    _rtc.Write(0, 1, (uint)random.Next(16));
                    _rtc.Write(1, 1, (uint)random.Next(256));
                    break;
                default:
                    _clock.Advance(random.Next(1_000_000_000));
                    break;
            }
        }
    }
}
