namespace Emulator.Vmm;

/// <summary>
/// How to start a device server: the executable and its own arguments. The manager appends
/// <c>--fd N --parent-pid P</c>.
/// </summary>
public sealed record DeviceServerCommand(string FileName, IReadOnlyList<string> Arguments);
