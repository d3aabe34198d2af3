namespace Emulator.Block;

/// <summary>QEMU's format probe, reduced to the formats we know: the qcow2 magic, else raw.</summary>
internal static class FormatProbe
{
    public const int MagicLength = 4;

    /// <summary>"QFI\xfb".</summary>
    public static ReadOnlySpan<byte> Qcow2Magic => [0x51, 0x46, 0x49, 0xFB];

    public static string ProbedRawWarning(string path) =>
        $"Image format was not specified for '{path}' and probing guessed raw.\n" +
        "Automatically detecting the format is dangerous for raw images, write operations on block 0 will be restricted.\n" +
        "Specify the 'raw' format explicitly to remove the restrictions.";

    public static bool LooksLikeOtherFormat(ReadOnlySpan<byte> head) =>
        head.Length >= MagicLength && head[..MagicLength].SequenceEqual(Qcow2Magic);

    public static string Probe(HostFile file)
    {
        Span<byte> head = stackalloc byte[MagicLength];
        file.ReadAt(0, head);
        return LooksLikeOtherFormat(head) ? "qcow2" : "raw";
    }
}
