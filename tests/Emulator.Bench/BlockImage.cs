namespace Emulator.Bench;

/// <summary>The block bench's raw disk image: every byte written (pseudo-random), so no read hits a hole in the file.</summary>
public static class BlockImage
{
    public static string Create(string directory, int mebibytes)
    {
        string path = Path.Combine(directory, "disk.img");
        var rng = new Random(1);
        byte[] chunk = new byte[1 << 20];
        using FileStream file = File.Create(path);
        for (int i = 0; i < mebibytes; i++)
        {
            rng.NextBytes(chunk);
            file.Write(chunk);
        }

        return path;
    }
}
