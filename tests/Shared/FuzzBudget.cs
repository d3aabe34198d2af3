namespace Emulator.Tests.Shared;

/// <summary>
/// How many iterations a random-input test runs: its suite default, or EMU_FUZZ_ITERATIONS when
/// set (`make fuzz` runs every test tagged Category=Fuzz with millions).
/// </summary>
internal static class FuzzBudget
{
    public const string Category = "Fuzz";

    public static int Iterations(int suiteDefault) =>
        int.TryParse(Environment.GetEnvironmentVariable("EMU_FUZZ_ITERATIONS"), out int n) && n > 0 ? n : suiteDefault;
}
