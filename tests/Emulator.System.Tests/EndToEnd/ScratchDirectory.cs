namespace Emulator.System.Tests.EndToEnd;

/// <summary>A fresh directory under /tmp (short, so socket paths fit), removed at dispose.</summary>
internal sealed class ScratchDirectory : IDisposable
{
    public ScratchDirectory()
    {
        Path = global::System.IO.Path.Combine(global::System.IO.Path.GetTempPath(), $"emu-e2e-{Guid.NewGuid():N}"[..20]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => global::System.IO.Path.Combine(Path, name);

    /// <summary>The file's text, or "" if it does not exist (yet).</summary>
    public string Read(string name) => global::System.IO.File.Exists(File(name)) ? global::System.IO.File.ReadAllText(File(name)) : string.Empty;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A process still writing into it: the temp cleaner will get it.
        }
    }
}
