using Emulator.Chardev;

namespace Emulator.Vmm.Chardev;

/// <summary>
/// The CPU process's end of one byte stream: it created both rings and handed them to the server
/// with EMU_SET_BYTE_STREAM. <see cref="Output"/> takes what the guest (or the monitor) sends;
/// <see cref="Input"/> yields what the backend received. Use each from one thread.
/// </summary>
public sealed class ChardevStream : IDisposable
{
    private readonly ByteRing _toBackend;
    private readonly ByteRing _toFrontEnd;

    internal ChardevStream(int id, int capacity, string name)
    {
        Id = id;
        _toBackend = ByteRing.Create(capacity, $"{name}-out");
        try
        {
            _toFrontEnd = ByteRing.Create(capacity, $"{name}-in");
        }
        catch
        {
            _toBackend.Dispose();
            throw;
        }

        Output = _toBackend.CreateProducer();
        Input = _toFrontEnd.CreateConsumer();
    }

    /// <summary>The stream number (mux front-end index).</summary>
    public int Id { get; }

    /// <summary>Toward the backend; TryWrite comes back short while the ring is full.</summary>
    public ByteRingProducer Output { get; }

    /// <summary>From the backend.</summary>
    public ByteRingConsumer Input { get; }

    /// <summary>The six descriptors of EMU_SET_BYTE_STREAM, in protocol order; valid while the stream lives.</summary>
    internal int[] Descriptors =>
    [
        _toBackend.Memory.Number, _toBackend.DataAvailable.Handle.Number, _toBackend.SpaceAvailable.Handle.Number,
        _toFrontEnd.Memory.Number, _toFrontEnd.DataAvailable.Handle.Number, _toFrontEnd.SpaceAvailable.Handle.Number,
    ];

    /// <summary>Only once nothing uses <see cref="Output"/> or <see cref="Input"/> any more.</summary>
    public void Dispose()
    {
        _toBackend.Dispose();
        _toFrontEnd.Dispose();
    }
}
