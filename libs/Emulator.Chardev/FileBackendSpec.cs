namespace Emulator.Chardev;

/// <summary><c>file</c>: output goes to <paramref name="Path"/>; there is no input.</summary>
/// <param name="Path">The file, created if missing.</param>
/// <param name="Append"><c>append=on</c>: keep old content instead of truncating.</param>
public sealed record FileBackendSpec(string Path, bool Append = false) : ChardevBackendSpec
{
    public override string Name => "file";
}
