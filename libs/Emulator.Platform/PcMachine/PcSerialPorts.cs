namespace Emulator.Platform;

/// <summary>
/// Where the <c>pc</c> machine's COM ports sit (QEMU's isa-serial by <c>index</c>): COM1 0x3F8/IRQ 4,
/// COM2 0x2F8/IRQ 3, COM3 0x3E8/IRQ 4, COM4 0x2E8/IRQ 3. COM3 and COM4 share their IRQ with COM1 and COM2.
/// </summary>
public static class PcSerialPorts
{
    /// <summary>QEMU's MAX_ISA_SERIAL_PORTS.</summary>
    public const int Count = 4;

    /// <summary>The first I/O port of COM<c>index + 1</c>.</summary>
    public static ushort BasePort(int index) => index switch
    {
        0 => Uart16550.Com1,
        1 => Uart16550.Com2,
        2 => Uart16550.Com3,
        3 => Uart16550.Com4,
        _ => throw new ArgumentOutOfRangeException(nameof(index), index, "COM ports are 0-3"),
    };

    /// <summary>The ISA IRQ of COM<c>index + 1</c>.</summary>
    public static int Irq(int index) => index switch
    {
        0 or 2 => Uart16550.Com1Irq,
        1 or 3 => Uart16550.Com2Irq,
        _ => throw new ArgumentOutOfRangeException(nameof(index), index, "COM ports are 0-3"),
    };
}
