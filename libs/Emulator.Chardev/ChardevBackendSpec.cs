namespace Emulator.Chardev;

/// <summary>The backend half of a <see cref="ChardevSpec"/>; one derived record per backend.</summary>
public abstract record ChardevBackendSpec
{
    /// <summary>QEMU's driver name: "null", "stdio", "file", "socket", "pty".</summary>
    public abstract string Name { get; }
}
