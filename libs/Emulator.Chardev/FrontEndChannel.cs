namespace Emulator.Chardev;

/// <summary>
/// The rings between one front-end (a UART, the monitor, a virtio-console port) and the chardev.
/// </summary>
/// <param name="Output">Bytes the front-end writes (the guest's transmit side); the pump reads them.</param>
/// <param name="Input">Bytes for the front-end (the guest's receive side); the pump writes them.</param>
public sealed record FrontEndChannel(ByteRingConsumer Output, ByteRingProducer Input);
