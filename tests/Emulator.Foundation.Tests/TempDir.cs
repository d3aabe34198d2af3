namespace Emulator.Foundation.Tests;

/// <summary>A private temporary directory (for socket files and the like), removed with everything in it.</summary>
internal sealed class TempDir : IDisposable
{
    private readonly string _path = Directory.CreateTempSubdirectory("emu-test-").FullName;

    public string File(string name) => Path.Combine(_path, name);

    public void Dispose() => Directory.Delete(_path, recursive: true);
}
