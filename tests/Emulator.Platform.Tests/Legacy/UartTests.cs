using Emulator.Platform;
using Emulator.Tests.Shared;

namespace Emulator.Platform.Tests.Legacy;

public sealed class UartTests
{
    private const ushort Rbr = 0;
    private const ushort Ier = 1;
    private const ushort Iir = 2;
    private const ushort Lcr = 3;
    private const ushort Mcr = 4;
    private const ushort Lsr = 5;
    private const ushort Msr = 6;
    private const ushort Scr = 7;

    private readonly ManualClock _clock = new();
    private readonly RecordingLine _irq = new();
    private readonly List<byte> _sent = [];
    private readonly Uart16550 _uart;
    private int _pollRequests;

    public UartTests()
    {
        _uart = new Uart16550(_clock, _irq, _sent.Add, () => _pollRequests++);
    }

    private uint R(ushort offset) => _uart.Read(offset, 1);

    private void W(ushort offset, uint value) => _uart.Write(offset, 1, value);

    private void Receive(params byte[] bytes)
    {
        Assert.Equal(bytes.Length, _uart.Offer(bytes));
        _uart.PollReceive();
    }

    [Fact]
    public void DlabSelectsDivisorLatch()
    {
        W(Lcr, 0x83);
        W(0, 0x01);
        W(1, 0x00);
        Assert.Equal(1, _uart.Divisor);
        Assert.Equal(0x01u, R(0));
        W(Lcr, 0x03);
        Assert.Empty(_sent);
    }

    [Fact]
    public void TransmitHandsBytesToSink()
    {
        W(0, (byte)'A');
        Assert.Equal([(byte)'A'], _sent);
        Assert.Equal(0x60u, R(Lsr) & 0x60);
    }

    [Fact]
    public void ReceivedByteSetsDataReadyAndIsRead()
    {
        Receive(0x42);
        Assert.Equal(1u, R(Lsr) & 1);
        Assert.Equal(0x42u, R(Rbr));
        Assert.Equal(0u, R(Lsr) & 1);
    }

    [Fact]
    public void OfferAsksTheVcpuThreadToPoll()
    {
        _uart.Offer([1]);
        Assert.Equal(1, _pollRequests);
        Assert.Equal(0u, R(Lsr) & 1);
        _uart.PollReceive();
        Assert.Equal(1u, R(Lsr) & 1);
    }

    [Fact]
    public void NoInterruptWithoutOut2()
    {
        W(Mcr, 0x00);
        W(Ier, 0x01);
        Receive(1);
        Assert.False(_irq.Level);
        W(Mcr, 0x08);
        Assert.True(_irq.Level);
    }

    [Fact]
    public void RxDataInterruptIdentifiedAndClearedByRead()
    {
        W(Mcr, 0x08);
        W(Ier, 0x01);
        Receive(7);
        Assert.Equal(0x04u, R(Iir));
        R(Rbr);
        Assert.Equal(0x01u, R(Iir));
        Assert.False(_irq.Level);
    }

    [Fact]
    public void ThreInterruptOnEnableAndClearedByIirRead()
    {
        W(Mcr, 0x08);
        W(Ier, 0x02);
        Assert.True(_irq.Level);
        Assert.Equal(0x02u, R(Iir));
        Assert.Equal(0x01u, R(Iir));
        Assert.False(_irq.Level);
    }

    [Fact]
    public void ThreInterruptAgainAfterTransmit()
    {
        W(Ier, 0x02);
        R(Iir);
        W(0, 0x55);
        Assert.Equal(0x02u, R(Iir));
    }

    [Fact]
    public void FifoEnableShowsInIirAndHoldsSixteenBytes()
    {
        W(Iir, 0x01);
        Assert.Equal(0xC0u, R(Iir) & 0xC0);
        var data = Enumerable.Range(0, 20).Select(i => (byte)i).ToArray();
        Assert.Equal(20, _uart.Offer(data));
        _uart.PollReceive();
        var read = new List<byte>();
        while ((R(Lsr) & 1) != 0)
        {
            read.Add((byte)R(Rbr));
        }

        Assert.Equal(data, read);
    }

    [Fact]
    public void TriggerLevelDelaysRxInterrupt()
    {
        W(Iir, 0x81); // trigger 8
        W(Ier, 0x01);
        Receive(1, 2, 3, 4, 5, 6, 7);
        Assert.Equal(0x01u, R(Iir) & 0x0F);
        Receive(8);
        Assert.Equal(0x04u, R(Iir) & 0x0F);
    }

    [Fact]
    public void CharacterTimeoutFiresBelowTriggerLevel()
    {
        W(Iir, 0xC1); // trigger 14
        W(Ier, 0x01);
        Receive(1, 2);
        Assert.Equal(0x01u, R(Iir) & 0x0F);
        _clock.Advance(10_000_000);
        Assert.Equal(0x0Cu, R(Iir) & 0x0F);
        R(Rbr);
        Assert.Equal(0x01u, R(Iir) & 0x0F);
    }

    [Fact]
    public void FcrResetClearsReceiveFifo()
    {
        W(Iir, 0x01);
        Receive(1, 2, 3);
        W(Iir, 0x03);
        Assert.Equal(0u, R(Lsr) & 1);
    }

    [Fact]
    public void FullFifoAppliesBackPressureInsteadOfDropping()
    {
        var sent = new byte[300];
        int accepted = _uart.Offer(sent);
        Assert.True(accepted < sent.Length);
        Task space = _uart.WhenSpaceAvailable();
        Assert.False(space.IsCompleted);
        _uart.PollReceive();
        Assert.True(space.IsCompleted);
        Assert.Equal(0u, R(Lsr) & 0x02);
    }

    [Fact]
    public void NoOverrunWhenGuestIsSlow()
    {
        Receive(1);
        Assert.Equal(1, _uart.Offer([2]));
        _uart.PollReceive();
        Assert.Equal(0u, R(Lsr) & 0x02);
        Assert.Equal(1u, R(Rbr));
        Assert.Equal(2u, R(Rbr));
    }

    [Fact]
    public void LoopbackEchoesTransmitIntoReceive()
    {
        W(Mcr, 0x10);
        W(0, 0x99);
        Assert.Empty(_sent);
        Assert.Equal(0x99u, R(Rbr));
    }

    [Fact]
    public void LoopbackOverrunSetsOeAndLineStatusInterrupt()
    {
        W(Mcr, 0x18);
        W(Ier, 0x04);
        W(0, 1);
        W(0, 2);
        Assert.Equal(0x06u, R(Iir) & 0x0F);
        Assert.Equal(0x02u, R(Lsr) & 0x02);
        Assert.Equal(0u, R(Lsr) & 0x02);
    }

    [Fact]
    public void LoopbackRoutesModemControlToModemStatus()
    {
        W(Mcr, 0x10 | 0x01 | 0x02);
        Assert.Equal(0x30u, R(Msr) & 0xF0);
    }

    [Fact]
    public void ModemStatusDeltaBitsClearOnRead()
    {
        W(Mcr, 0x10);
        R(Msr);
        W(Mcr, 0x12);
        Assert.Equal(0x01u, R(Msr) & 0x0F);
        Assert.Equal(0x00u, R(Msr) & 0x0F);
    }

    [Fact]
    public void ModemStatusInterruptHasLowestPriority()
    {
        W(Mcr, 0x18);
        R(Msr);
        W(Ier, 0x08);
        W(Mcr, 0x1A);
        Assert.Equal(0x00u, R(Iir) & 0x0F);
        R(Msr);
        Assert.Equal(0x01u, R(Iir) & 0x0F);
    }

    [Fact]
    public void NormalModeReportsPeerPresent()
    {
        Assert.Equal(0xB0u, R(Msr) & 0xF0);
    }

    [Fact]
    public void ScratchRegisterHoldsValue()
    {
        W(Scr, 0xA5);
        Assert.Equal(0xA5u, R(Scr));
    }

    [Fact]
    public void LineStatusHasPriorityOverReceivedData()
    {
        W(Mcr, 0x10);
        W(Ier, 0x05);
        W(0, 1);
        W(0, 2);
        Assert.Equal(0x06u, R(Iir) & 0x0F);
        R(Lsr);
        Assert.Equal(0x04u, R(Iir) & 0x0F);
    }

    [Fact]
    public async Task ProducerThreadNeverLosesBytes()
    {
        var data = Enumerable.Range(0, 5000).Select(i => (byte)i).ToArray();
        var uart = new Uart16550(_clock, _irq, _ => { }, () => { });
        var producer = Task.Run(async () =>
        {
            int offset = 0;
            while (offset < data.Length)
            {
                offset += uart.Offer(data.AsSpan(offset));
                if (offset < data.Length)
                {
                    await uart.WhenSpaceAvailable();
                }
            }
        });
        var received = new List<byte>();
        while (received.Count < data.Length)
        {
            uart.PollReceive();
            while ((uart.Read(Lsr, 1) & 1) != 0)
            {
                received.Add((byte)uart.Read(Rbr, 1));
            }

            if (producer.IsFaulted)
            {
                break;
            }

            await Task.Yield();
        }

        await producer;
        Assert.Equal(data, received);
    }

    [Fact]
    [Trait("Category", FuzzBudget.Category)]
    public void RandomPortTrafficNeverThrows()
    {
        var random = new Random(16550);
        for (int i = 0; i < FuzzBudget.Iterations(20_000); i++)
        {
            switch (random.Next(5))
            {
                case 0:
                    W((ushort)random.Next(8), (uint)random.Next(256));
                    break;
                case 1:
                    Assert.InRange(R((ushort)random.Next(8)), 0u, 0xFFu);
                    break;
                case 2:
                    _uart.Offer([(byte)random.Next(256), (byte)random.Next(256)]);
                    break;
                case 3:
                    _uart.PollReceive();
                    break;
                default:
                    _clock.Advance(random.Next(10_000_000));
                    break;
            }
        }
    }
}
