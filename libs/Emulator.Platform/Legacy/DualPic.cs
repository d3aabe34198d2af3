namespace Emulator.Platform;

/// <summary>
/// The PC's cascaded 8259A pair: master at 0x20, slave at 0xA0 on master IRQ 2, ELCR at 0x4D0.
/// Register <see cref="Master"/>, <see cref="Slave"/> and <see cref="Elcr"/> on the port bus; give
/// devices <see cref="Input"/> lines (IRQ 0-15); the CPU side calls <see cref="Acknowledge"/> when it
/// takes the interrupt signalled on the output line (INTR / LAPIC LINT0).
/// </summary>
public sealed class DualPic
{
    public const int Irqs = 16;

    private readonly PicInput[] _inputs = new PicInput[Irqs];

    public DualPic(IInterruptLine output)
    {
        // IRQ 0, 1, 2 (master) and 8, 13 (slave) are always edge-triggered on PIIX.
        Master = new Pic8259(output, isMaster: true, elcrMask: 0xF8);
        Slave = new Pic8259(new PicInput(Master, 2), isMaster: false, elcrMask: 0xDE);
        Elcr = new ElcrPorts(Master, Slave);
        for (int i = 0; i < Irqs; i++)
        {
            _inputs[i] = new PicInput(i < 8 ? Master : Slave, i & 7);
        }
    }

    public static PortRange MasterRange => new(0x20, 2);

    public static PortRange SlaveRange => new(0xA0, 2);

    public static PortRange ElcrRange => new(0x4D0, 2);

    public Pic8259 Master { get; }

    public Pic8259 Slave { get; }

    public ElcrPorts Elcr { get; }

    /// <summary>The input line for ISA IRQ <paramref name="irq"/> (0-15).</summary>
    public IInterruptLine Input(int irq)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(irq);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(irq, Irqs);
        return _inputs[irq];
    }

    /// <summary>Whether the output (INT) is asserted.</summary>
    public bool OutputAsserted => Master.PendingIrq() >= 0;

    /// <summary>
    /// The INTA cycle: returns the vector of the highest-priority request and marks it in service.
    /// With nothing pending it returns the spurious vector of IRQ 7 (or IRQ 15 from the slave) without
    /// touching ISR, as the 8259A does.
    /// </summary>
    public byte Acknowledge()
    {
        int irq = Master.PendingIrq();
        if (irq < 0)
        {
            return (byte)(Master.VectorBase + 7);
        }

        if (irq != 2)
        {
            Master.Acknowledge(irq);
            return (byte)(Master.VectorBase + irq);
        }

        int slaveIrq = Slave.PendingIrq();
        Master.Acknowledge(2);
        if (slaveIrq < 0)
        {
            return (byte)(Slave.VectorBase + 7);
        }

        Slave.Acknowledge(slaveIrq);
        return (byte)(Slave.VectorBase + slaveIrq);
    }
}
