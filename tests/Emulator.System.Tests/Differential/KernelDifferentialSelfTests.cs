namespace Emulator.System.Tests.Differential;

public sealed class KernelDifferentialSelfTests
{
    [Fact]
    public void FirstDifferenceNamesTheLineAndBothSides()
    {
        string? diff = KernelDifferential.FirstDifference("a\nb\nc", "a\nx\nc");
        Assert.Equal("line 2 differs\nQEMU: b\nemu:  x", diff);
        Assert.Null(KernelDifferential.FirstDifference("same", "same"));
        Assert.Contains("(no line)", KernelDifferential.FirstDifference("a\nb", "a"), StringComparison.Ordinal);
    }
}
