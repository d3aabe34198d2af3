namespace Emulator.Chardev;

/// <summary>A socket address as the user wrote it: <see cref="UnixSocketAddressSpec"/> or <see cref="TcpSocketAddressSpec"/>.</summary>
public abstract record SocketAddressSpec;
