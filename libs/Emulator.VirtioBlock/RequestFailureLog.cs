namespace Emulator.VirtioBlock;

/// <summary>
/// Logs a ring's failed requests, but only the first <see cref="Limit"/>: a guest that sends nothing but
/// bad requests (or keeps hitting a broken image) must not flood the server's log. One per ring thread.
/// </summary>
internal sealed class RequestFailureLog
{
    public const int Limit = 16;

    private readonly Action<string> _log;
    private readonly string _ring;
    private int _count;

    public RequestFailureLog(Action<string> log, string ring)
    {
        _log = log;
        _ring = ring;
    }

    public int Count => _count;

    public void Report(string message)
    {
        _count++;
        if (_count <= Limit)
        {
            _log($"{_ring}: {message}");
        }
        else if (_count == Limit + 1)
        {
            _log($"{_ring}: further failed requests are not logged");
        }
    }
}
