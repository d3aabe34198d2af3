namespace Emulator.VhostUser;

/// <summary>The shape of one request: payload size rule and fd count rule (<paramref name="FdCount"/> for <see cref="FdRule.Exact"/>).</summary>
public readonly record struct RequestRule(PayloadKind Kind, uint Size, FdRule Fds, uint MaxSize = 0, int FdCount = 0)
{
    public static RequestRule Fixed(uint size, FdRule fds = FdRule.None) => new(PayloadKind.Fixed, size, fds);
}
