namespace Emulator.Platform;

/// <summary>
/// The PIIX3 reset control register at port 0xCF9 (byte wide): writing with RST_CPU (bit 2) set
/// requests a reset (the FADT's reset register writes <see cref="ResetValue"/>); SYS_RST (bit 1)
/// reads back. Register it as a one-port range between the PCI address and data ports.
/// </summary>
public sealed class ResetControlRegister : IPortDevice
{
    public const ushort Port = 0xCF9;
    public const byte ResetValue = 0x06;

    private readonly Action _reset;
    private byte _value;

    public ResetControlRegister(Action reset) => _reset = reset;

    public uint Read(ushort offset, int size) => _value;

    public void Write(ushort offset, int size, uint value)
    {
        _value = (byte)(value & 0x02);
        if ((value & 0x04) != 0)
        {
            _reset();
        }
    }
}
