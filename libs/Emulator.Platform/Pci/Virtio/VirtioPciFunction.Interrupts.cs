namespace Emulator.Platform;

/// <summary>
/// Used-buffer and configuration-change notifications (virtio 1.2, 4.1.4.5, 4.1.5.3-4): an MSI-X message
/// on the queue's (or the config) vector while MSI-X is enabled, else an ISR bit and the level-triggered
/// INTx line, which reading the ISR lowers.
/// </summary>
public sealed partial class VirtioPciFunction
{
    private const byte IsrQueue = 1;
    private const byte IsrConfig = 2;

    /// <summary>The ISR status as the guest would read it (without the read's clearing).</summary>
    public byte Isr => _isr;

    /// <summary>Used buffers in <paramref name="queue"/>: interrupts the driver (ignored for a queue that does not exist).</summary>
    public void Interrupt(int queue)
    {
        if (queue < 0 || queue >= _queues.Length)
        {
            return;
        }

        Signal(_queues[queue].MsixVector, IsrQueue);
    }

    /// <summary>The device configuration changed: bumps config_generation and interrupts the driver.</summary>
    public void ConfigChanged()
    {
        ConfigGeneration++;
        Signal(_configVector, IsrConfig);
    }

    private void Signal(ushort vector, byte isrBit)
    {
        if (Msix.Enabled)
        {
            // NO_VECTOR: the driver asked for no interrupt for this source.
            if (vector != VirtioPciLayout.NoVector)
            {
                Msix.Notify(vector);
            }

            return;
        }

        _isr |= isrBit;
        UpdateInterruptLine();
    }

    private void ReadIsr(ulong offset, Span<byte> destination)
    {
        destination.Clear();
        if (offset == 0 && !destination.IsEmpty)
        {
            destination[0] = _isr;
            _isr = 0;
            UpdateInterruptLine();
        }
    }

    /// <summary>INTx is high while an ISR bit is set, unless MSI-X is on or the command register disables INTx.</summary>
    private void UpdateInterruptLine() =>
        InterruptLine?.Set(_isr != 0 && !Msix.Enabled && (Command & CommandInterruptDisable) == 0);
}
