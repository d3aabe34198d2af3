namespace Emulator.Chardev;

/// <summary>A TCP endpoint. An empty <paramref name="Host"/> means every address for a server, loopback for a client.</summary>
public sealed record TcpSocketAddressSpec(string Host, int Port) : SocketAddressSpec
{
    public override string ToString() => $"tcp:{Host}:{Port}";
}
