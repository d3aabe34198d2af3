namespace Emulator.VhostUser.Tests;

/// <summary>How many mappings of a named memfd this process holds (/proc/self/maps), to see what a session left mapped.</summary>
internal static class MappedFiles
{
    public static int CountMappings(string memfdName)
    {
        string marker = $"/memfd:{memfdName} ";
        return File.ReadLines("/proc/self/maps").Count(line => line.Contains(marker, StringComparison.Ordinal));
    }

    public static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}";
}
