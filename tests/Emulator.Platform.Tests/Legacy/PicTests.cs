using Emulator.Platform;
using Emulator.Tests.Shared;

namespace Emulator.Platform.Tests.Legacy;

public sealed class PicTests
{
    private readonly RecordingLine _int = new();
    private readonly DualPic _pic;

    public PicTests()
    {
        _pic = new DualPic(_int);
        // Linux/BIOS style init: vectors 0x20/0x28, cascade on IRQ 2, 8086 mode, all unmasked.
        Init(_pic.Master, 0x20, 0x04);
        Init(_pic.Slave, 0x28, 0x02);
    }

    private static void Init(Pic8259 pic, byte vectorBase, byte cascade, byte icw4 = 0x01)
    {
        pic.Write(0, 1, 0x11);
        pic.Write(1, 1, vectorBase);
        pic.Write(1, 1, cascade);
        pic.Write(1, 1, icw4);
        pic.Write(1, 1, 0x00);
    }

    private void Pulse(int irq)
    {
        _pic.Input(irq).Set(true);
        _pic.Input(irq).Set(false);
    }

    private void Eoi(Pic8259 pic) => pic.Write(0, 1, 0x20);

    [Fact]
    public void Icw2SetsVectorBaseWithLowBitsCleared()
    {
        Init(_pic.Master, 0x27, 0x04);
        Assert.Equal(0x20, _pic.Master.VectorBase);
    }

    [Fact]
    public void EdgeRequestRaisesOutputAndAcknowledgeReturnsVector()
    {
        Pulse(1);
        Assert.True(_int.Level);
        Assert.Equal(0x21, _pic.Acknowledge());
        Assert.False(_int.Level);
        Assert.Equal(0x02, _pic.Master.Isr);
    }

    [Fact]
    public void LowerNumberedIrqHasPriority()
    {
        Pulse(4);
        Pulse(3);
        Assert.Equal(0x23, _pic.Acknowledge());
    }

    [Fact]
    public void InServiceIrqBlocksLowerPriorityUntilEoi()
    {
        Pulse(3);
        Assert.Equal(0x23, _pic.Acknowledge());
        Pulse(4);
        Assert.False(_int.Level);
        Eoi(_pic.Master);
        Assert.True(_int.Level);
        Assert.Equal(0x24, _pic.Acknowledge());
    }

    [Fact]
    public void HigherPriorityInterruptsNestedService()
    {
        Pulse(4);
        _pic.Acknowledge();
        Pulse(3);
        Assert.True(_int.Level);
    }

    [Fact]
    public void MaskedIrqDoesNotRaiseOutputButStaysInIrr()
    {
        _pic.Master.Write(1, 1, 0x02);
        Pulse(1);
        Assert.False(_int.Level);
        Assert.Equal(0x02, _pic.Master.Irr);
        _pic.Master.Write(1, 1, 0x00);
        Assert.True(_int.Level);
    }

    [Fact]
    public void Ocw1IsReadBackFromDataPort()
    {
        _pic.Master.Write(1, 1, 0xA5);
        Assert.Equal(0xA5u, _pic.Master.Read(1, 1));
    }

    [Fact]
    public void Ocw3SelectsIrrOrIsrRead()
    {
        Pulse(5);
        _pic.Master.Write(0, 1, 0x0A);
        Assert.Equal(0x20u, _pic.Master.Read(0, 1));
        _pic.Acknowledge();
        _pic.Master.Write(0, 1, 0x0B);
        Assert.Equal(0x20u, _pic.Master.Read(0, 1));
        _pic.Master.Write(0, 1, 0x0A);
        Assert.Equal(0x00u, _pic.Master.Read(0, 1));
    }

    [Fact]
    public void EdgeInputHeldHighDoesNotRequestAgain()
    {
        _pic.Input(3).Set(true);
        _pic.Acknowledge();
        Eoi(_pic.Master);
        _pic.Input(3).Set(true);
        Assert.False(_int.Level);
    }

    [Fact]
    public void LevelInputStaysRequestedWhileHigh()
    {
        _pic.Elcr.Write(0, 1, 0x08);
        _pic.Input(3).Set(true);
        Assert.Equal(0x23, _pic.Acknowledge());
        Eoi(_pic.Master);
        Assert.True(_int.Level);
        _pic.Input(3).Set(false);
        Assert.False(_int.Level);
    }

    [Fact]
    public void ElcrCannotMakeTimerKeyboardOrCascadeLevelTriggered()
    {
        _pic.Elcr.Write(0, 1, 0xFF);
        _pic.Elcr.Write(1, 1, 0xFF);
        Assert.Equal(0xF8u, _pic.Elcr.Read(0, 1));
        Assert.Equal(0xDEu, _pic.Elcr.Read(1, 1));
    }

    [Fact]
    public void SlaveIrqCascadesThroughMasterIrq2()
    {
        Pulse(12);
        Assert.True(_int.Level);
        Assert.Equal(0x2C, _pic.Acknowledge());
        Assert.Equal(0x04, _pic.Master.Isr);
        Assert.Equal(0x10, _pic.Slave.Isr);
    }

    [Fact]
    public void SpecificEoiClearsOnlyTheNamedIrq()
    {
        Pulse(1);
        _pic.Acknowledge();
        _pic.Master.Write(0, 1, 0x60 | 1);
        Assert.Equal(0, _pic.Master.Isr);
    }

    [Fact]
    public void RotateOnNonSpecificEoiMakesServicedIrqLowestPriority()
    {
        Pulse(1);
        _pic.Acknowledge();
        _pic.Master.Write(0, 1, 0xA0);
        Pulse(1);
        Pulse(3);
        Assert.Equal(0x23, _pic.Acknowledge());
    }

    [Fact]
    public void SetPriorityCommandMakesNextIrqHighest()
    {
        _pic.Master.Write(0, 1, 0xC0 | 4);
        Pulse(1);
        Pulse(5);
        Assert.Equal(0x25, _pic.Acknowledge());
    }

    [Fact]
    public void AutoEoiLeavesIsrClear()
    {
        Init(_pic.Master, 0x20, 0x04, icw4: 0x03);
        Pulse(1);
        Assert.Equal(0x21, _pic.Acknowledge());
        Assert.Equal(0, _pic.Master.Isr);
    }

    [Fact]
    public void SingleModeSkipsIcw3()
    {
        _pic.Master.Write(0, 1, 0x13);
        _pic.Master.Write(1, 1, 0x40);
        _pic.Master.Write(1, 1, 0x01);
        _pic.Master.Write(1, 1, 0xFE);
        Assert.Equal(0x40, _pic.Master.VectorBase);
        Assert.Equal(0xFE, _pic.Master.Imr);
    }

    [Fact]
    public void NothingPendingGivesSpuriousIrq7()
    {
        Assert.Equal(0x27, _pic.Acknowledge());
        Assert.Equal(0, _pic.Master.Isr);
    }

    [Fact]
    public void SlaveRequestWithdrawnBeforeAcknowledgeGivesSpuriousIrq15()
    {
        _pic.Elcr.Write(1, 1, 0x02);
        _pic.Input(9).Set(true);
        _pic.Input(9).Set(false);
        Assert.True(_int.Level);
        Assert.Equal(0x2F, _pic.Acknowledge());
        Assert.Equal(0, _pic.Slave.Isr);
    }

    [Fact]
    public void MasterRequestWithdrawnBeforeAcknowledgeGivesSpuriousIrq7()
    {
        _pic.Elcr.Write(0, 1, 0x20);
        _pic.Input(5).Set(true);
        _pic.Input(5).Set(false);
        Assert.Equal(0x27, _pic.Acknowledge());
        Assert.Equal(0, _pic.Master.Isr);
    }

    [Fact]
    public void SecondSlaveRequestIsDeliveredAfterBothEois()
    {
        Pulse(8);
        Pulse(12);
        Assert.Equal(0x28, _pic.Acknowledge());
        Eoi(_pic.Slave);
        Eoi(_pic.Master);
        Assert.True(_int.Level);
        Assert.Equal(0x2C, _pic.Acknowledge());
    }

    [Fact]
    public void PollModeReturnsHighestRequestAndAcknowledgesIt()
    {
        Pulse(6);
        _pic.Master.Write(0, 1, 0x0C);
        Assert.Equal(0x86u, _pic.Master.Read(0, 1));
        Assert.Equal(0x40, _pic.Master.Isr);
        _pic.Master.Write(0, 1, 0x0C);
        Assert.Equal(0u, _pic.Master.Read(0, 1));
    }

    [Fact]
    public void SpecialMaskModeAllowsLowerPriorityWhenInServiceMasked()
    {
        Pulse(3);
        _pic.Acknowledge();
        _pic.Master.Write(1, 1, 0x08);
        _pic.Master.Write(0, 1, 0x68);
        Pulse(5);
        Assert.True(_int.Level);
        Assert.Equal(0x25, _pic.Acknowledge());
    }

    [Fact]
    public void Icw1ClearsMaskAndInService()
    {
        _pic.Master.Write(1, 1, 0xFF);
        Pulse(0);
        _pic.Master.Write(1, 1, 0x00);
        _pic.Acknowledge();
        _pic.Master.Write(0, 1, 0x11);
        Assert.Equal(0, _pic.Master.Isr);
        Assert.Equal(0, _pic.Master.Imr);
    }

    [Fact]
    [Trait("Category", FuzzBudget.Category)]
    public void RandomPortTrafficNeverThrows()
    {
        var random = new Random(8259);
        ushort[] ports = [0x20, 0x21, 0xA0, 0xA1, 0x4D0, 0x4D1];
        var bus = new IoPortBus();
        bus.Register(DualPic.MasterRange, _pic.Master, "pic1");
        bus.Register(DualPic.SlaveRange, _pic.Slave, "pic2");
        bus.Register(DualPic.ElcrRange, _pic.Elcr, "elcr");
        for (int i = 0; i < FuzzBudget.Iterations(20_000); i++)
        {
            ushort port = ports[random.Next(ports.Length)];
            switch (random.Next(4))
            {
                case 0:
                    bus.Write(port, 1, (uint)random.Next(256));
                    break;
                case 1:
                    Assert.InRange(bus.Read(port, 1), 0u, 0xFFu);
                    break;
                case 2:
                    _pic.Input(random.Next(16)).Set(random.Next(2) == 1);
                    break;
                default:
                    _pic.Acknowledge();
                    break;
            }

            Assert.Equal(_pic.OutputAsserted, _int.Level);
        }
    }
}
