using Emulator.Platform;
using Emulator.Tests.Shared;

namespace Emulator.Platform.Tests.Legacy;

public sealed class KbcTests
{
    private readonly RecordingLine _irq1 = new();
    private readonly RecordingLine _irq12 = new();
    private readonly List<bool> _a20Changes = [];
    private readonly A20Gate _a20;
    private readonly Kbc8042 _kbc;
    private readonly SystemControlPortA _port92;
    private int _resets;

    public KbcTests()
    {
        _a20 = new A20Gate(_a20Changes.Add);
        _kbc = new Kbc8042(_irq1, _irq12, _a20, () => _resets++);
        _port92 = new SystemControlPortA(_a20, () => _resets++);
    }

    private void Command(byte command) => _kbc.CommandPort.Write(0, 1, command);

    private void Data(byte value) => _kbc.DataPort.Write(0, 1, value);

    private uint Status => _kbc.CommandPort.Read(0, 1);

    private List<byte> Drain()
    {
        var bytes = new List<byte>();
        while ((Status & 1) != 0)
        {
            bytes.Add((byte)_kbc.DataPort.Read(0, 1));
        }

        return bytes;
    }

    [Fact]
    public void SelfTestAnswers55AndSetsSystemFlag()
    {
        Command(0xAA);
        Assert.Equal([0x55], Drain());
        Assert.Equal(0x04u, Status & 0x04);
    }

    [Fact]
    public void FirmwareCommandByteTranslatesTheKeyboardIdAsQemuDoes()
    {
        var kbc = new Kbc8042(_irq1, _irq12, _a20, () => _resets++, Kbc8042.FirmwareCommandByte);
        kbc.CommandPort.Write(0, 1, 0x20);
        Assert.Equal(0x61u, kbc.DataPort.Read(0, 1)); // KBDINT | AUXDIS | XLATE, as SeaBIOS leaves it
        kbc.DataPort.Write(0, 1, 0xF2);
        Assert.Equal([0xFAu, 0xABu, 0x41u], [kbc.DataPort.Read(0, 1), kbc.DataPort.Read(0, 1), kbc.DataPort.Read(0, 1)]);
        kbc.DataPort.Write(0, 1, 0xF0);
        kbc.DataPort.Write(0, 1, 0x00);
        Assert.Equal([0xFAu, 0xFAu, 0x41u], [kbc.DataPort.Read(0, 1), kbc.DataPort.Read(0, 1), kbc.DataPort.Read(0, 1)]);
    }

    [Fact]
    public void WithoutTranslationTheKeyboardIdIsAb83()
    {
        Command(0x20);
        Assert.Equal([Kbc8042.PowerOnCommandByte], Drain());
        Data(0xF2);
        Assert.Equal([0xFA, 0xAB, 0x83], Drain());
    }

    [Fact]
    public void KeyboardInterfaceTestPasses()
    {
        Command(0xAB);
        Assert.Equal([0x00], Drain());
    }

    [Fact]
    public void CommandByteReadsBackWhatWasWritten()
    {
        Command(0x60);
        Data(0x65);
        Command(0x20);
        Assert.Equal([0x65], Drain());
    }

    [Fact]
    public void StatusBit3TracksLastPortWritten()
    {
        Command(0xAD);
        Assert.Equal(0x08u, Status & 0x08);
        Data(0xF4);
        Assert.Equal(0u, Status & 0x08);
    }

    [Fact]
    public void KeyboardResetAcksAndPassesBat()
    {
        Data(0xFF);
        Assert.Equal([0xFA, 0xAA], Drain());
    }

    [Fact]
    public void KeyboardGetIdReportsMf2()
    {
        Data(0xF2);
        Assert.Equal([0xFA, 0xAB, 0x83], Drain());
    }

    [Fact]
    public void KeyboardEchoReturnsEe()
    {
        Data(0xEE);
        Assert.Equal([0xEE], Drain());
    }

    [Fact]
    public void SetLedsAcksCommandAndArgument()
    {
        Data(0xED);
        Data(0x07);
        Assert.Equal([0xFA, 0xFA], Drain());
    }

    [Fact]
    public void GetScanCodeSetReportsSet2()
    {
        Data(0xF0);
        Data(0x00);
        Assert.Equal([0xFA, 0xFA, 0x02], Drain());
    }

    [Fact]
    public void EachQueuedByteGivesAnIrq1Edge()
    {
        Data(0xFF);
        Assert.True(_irq1.Level);
        Drain();
        Assert.Equal(2, _irq1.RisingEdges);
        Assert.False(_irq1.Level);
    }

    [Fact]
    public void KeyboardInterruptBitGatesIrq1()
    {
        Command(0x60);
        Data(0x00);
        Data(0xEE);
        Assert.False(_irq1.Level);
        Assert.Equal(1u, Status & 1);
    }

    [Fact]
    public void AuxLoopbackGetsNoAnswerAndAuxTestReportsNoDevice()
    {
        Command(0xD3);
        Data(0x5A);
        Assert.Empty(Drain());
        Command(0xA9);
        Assert.Equal([0x02], Drain());
        Assert.False(_irq12.Level);
    }

    [Fact]
    public void WriteToAuxIsSwallowed()
    {
        Command(0xD4);
        Data(0xFF);
        Assert.Empty(Drain());
    }

    [Fact]
    public void WriteKeyboardOutputBufferEchoesByte()
    {
        Command(0xD2);
        Data(0x1C);
        Assert.Equal([0x1C], Drain());
    }

    [Fact]
    public void OutputPortControlsA20()
    {
        Command(0xD1);
        Data(0xDD);
        Assert.False(_a20.Enabled);
        Assert.Equal([false], _a20Changes);
        Command(0xD0);
        Assert.Equal(0x00, Drain()[0] & 0x02);
        Command(0xD1);
        Data(0xDF);
        Assert.True(_a20.Enabled);
    }

    [Fact]
    public void OutputPortResetBitLowRequestsReset()
    {
        Command(0xD1);
        Data(0xDE);
        Assert.Equal(1, _resets);
    }

    [Fact]
    public void PulseFeRequestsReset()
    {
        Command(0xFE);
        Assert.Equal(1, _resets);
        Command(0xFF);
        Assert.Equal(1, _resets);
    }

    [Fact]
    public void Port92FastA20AndReset()
    {
        Command(0xD1);
        Data(0xDD);
        _port92.Write(0, 1, 0x02);
        Assert.True(_a20.Enabled);
        Assert.Equal(0x02u, _port92.Read(0, 1) & 0x02);
        Assert.Equal(0, _resets);
        _port92.Write(0, 1, 0x03);
        Assert.Equal(1, _resets);
    }

    [Fact]
    public void A20IsTheOrOfBothSources()
    {
        _port92.Write(0, 1, 0x02);
        Command(0xD1);
        Data(0xDD);
        Assert.True(_a20.Enabled);
        _port92.Write(0, 1, 0x00);
        Assert.False(_a20.Enabled);
    }

    [Fact]
    public void ReadingEmptyBufferRepeatsLastByte()
    {
        Data(0xEE);
        Drain();
        Assert.Equal(0xEEu, _kbc.DataPort.Read(0, 1));
    }

    [Fact]
    [Trait("Category", FuzzBudget.Category)]
    public void RandomPortTrafficNeverThrows()
    {
        var random = new Random(8042);
        var bus = new IoPortBus();
        bus.Register(Kbc8042.DataRange, _kbc.DataPort, "kbd-data");
        bus.Register(Kbc8042.CommandRange, _kbc.CommandPort, "kbd-cmd");
        bus.Register(SystemControlPortA.Range, _port92, "port92");
        ushort[] ports = [0x60, 0x64, 0x92];
        for (int i = 0; i < FuzzBudget.Iterations(20_000); i++)
        {
            ushort port = ports[random.Next(ports.Length)];
            if (random.Next(2) == 0)
            {
                bus.Write(port, 1, (uint)random.Next(256));
            }
            else
            {
                Assert.InRange(bus.Read(port, 1), 0u, 0xFFu);
            }
        }
    }
}
