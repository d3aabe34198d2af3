namespace Emulator.Chardev;

/// <summary>
/// One front-end slot of a <see cref="ChardevHub"/> (a mux front-end, or the only one): a pair of
/// in-process rings between the pump and whoever currently plays this front-end for the CPU
/// process, a byte stream or the virtio-console queues. The pump keeps its end for the life of the
/// server; front-ends come and go with connections, claiming the slot while they use it, so the
/// rings always have exactly one producer and one consumer.
/// </summary>
public sealed class ChardevPort : IDisposable
{
    private readonly ByteRing _toBackend;
    private readonly ByteRing _toFrontEnd;
    private object? _owner;

    internal ChardevPort(int index, int capacity)
    {
        Index = index;
        _toBackend = ByteRing.Create(capacity, $"chardev-port{index}-out");
        try
        {
            _toFrontEnd = ByteRing.Create(capacity, $"chardev-port{index}-in");
        }
        catch
        {
            _toBackend.Dispose();
            throw;
        }

        PumpChannel = new FrontEndChannel(_toBackend.CreateConsumer(), _toFrontEnd.CreateProducer());
        Output = _toBackend.CreateProducer();
        Input = _toFrontEnd.CreateConsumer();
    }

    /// <summary>The stream number (mux front-end index).</summary>
    public int Index { get; }

    /// <summary>Where the owner writes what the guest transmits; only the owner may use it.</summary>
    public ByteRingProducer Output { get; }

    /// <summary>Where the owner reads what the guest receives; only the owner may use it.</summary>
    public ByteRingConsumer Input { get; }

    /// <summary>The pump's end.</summary>
    internal FrontEndChannel PumpChannel { get; }

    /// <summary>The front-end currently using the slot, if any.</summary>
    public object? Owner => Volatile.Read(ref _owner);

    /// <summary>Takes the slot for <paramref name="owner"/>; false if another owner holds it.</summary>
    public bool TryClaim(object owner)
    {
        object? previous = Interlocked.CompareExchange(ref _owner, owner, null);
        return previous is null || ReferenceEquals(previous, owner);
    }

    /// <summary>Gives the slot back (only if <paramref name="owner"/> holds it). The owner must have stopped using the rings.</summary>
    public void Release(object owner) => Interlocked.CompareExchange(ref _owner, null, owner);

    /// <summary>Only after the pump and every owner have stopped.</summary>
    public void Dispose()
    {
        _toBackend.Dispose();
        _toFrontEnd.Dispose();
    }
}
