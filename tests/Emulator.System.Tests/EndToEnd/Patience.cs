namespace Emulator.System.Tests.EndToEnd;

/// <summary>Guards against hangs (never speed requirements): every wait in these tests is bounded.</summary>
internal static class Patience
{
    /// <summary>One wait for one thing to happen.</summary>
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    public const int WaitMs = 20000;

    /// <summary>A whole test.</summary>
    public const int TestMs = 60000;
}
