namespace Emulator.DeviceHost;

/// <summary>
/// An option a particular server adds to the common ones, e.g. chardev's <c>--chardev STR</c>.
/// <paramref name="ValueName"/> null makes it a flag.
/// </summary>
public sealed record ServerOption(string Name, string? ValueName, string Description, bool Required = false)
{
    public bool TakesValue => ValueName is not null;
}
