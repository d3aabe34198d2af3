namespace Emulator.Chardev.Tests;

/// <summary>How long a test waits for something that should happen; only hit when a test fails.</summary>
internal static class Timeouts
{
    public const int Milliseconds = 20_000;
}
