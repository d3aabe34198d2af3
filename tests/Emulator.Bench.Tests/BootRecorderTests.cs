namespace Emulator.Bench.Tests;

public sealed class BootRecorderTests
{
    [Fact]
    public void ACleanBootGivesEveryFigure()
    {
        var recorder = new BootRecorder();
        Feed(recorder, ("EMU-GUEST-READY", 10, 8), ("EMU-BEGIN shell", 11, 9), ("EMU-TIME shell 2.5", 14, 11.5),
            ("EMU-OUT awk 42", 15, 12), ("EMU-GUEST-EXIT 0", 20, 17));
        BootResult result = recorder.Finish(0, "");

        Assert.Null(result.Problem);
        Assert.Equal((10.0, 8.0, 20.0, 17.0), (result.ReadyWall, result.ReadyCpu, result.TotalWall, result.TotalCpu));
        Assert.Equal(2.5, result.GuestSeconds["shell"]);
        Assert.Equal(2.5, result.HostCpu["shell"], 9);
        Assert.Equal("42", result.Outputs["awk"]);
    }

    [Fact]
    public void MissingMarkersLeaveNaNAndAProblem()
    {
        var recorder = new BootRecorder();
        Feed(recorder, ("EMU-TIME gzip 3", 5, 5));
        BootResult result = recorder.Finish(null, "");

        Assert.True(double.IsNaN(result.ReadyWall));
        Assert.True(double.IsNaN(result.TotalCpu));
        Assert.True(double.IsNaN(result.HostCpu["gzip"]));
        Assert.Contains("time limit", result.Problem, StringComparison.Ordinal);
        Assert.Contains("no ready marker", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void TheFirstValueWinsAndFailuresAreReported()
    {
        var recorder = new BootRecorder();
        Feed(recorder, ("EMU-GUEST-READY", 1, 1), ("EMU-TIME md5sum 1", 2, 2), ("EMU-TIME md5sum 9", 3, 3),
            ("EMU-FAIL md5sum 1", 3, 3), ("EMU-GUEST-EXIT 1", 4, 4), ("EMU-GUEST-EXIT 0", 5, 5));
        BootResult result = recorder.Finish(3, "boom");

        Assert.Equal(1, result.GuestSeconds["md5sum"]);
        Assert.Equal(4, result.TotalWall);
        Assert.Contains("emulator exited 3: boom", result.Problem, StringComparison.Ordinal);
        Assert.Contains("guest script exited 1", result.Problem, StringComparison.Ordinal);
        Assert.Contains("md5sum exited 1", result.Problem, StringComparison.Ordinal);
    }

    private static void Feed(BootRecorder recorder, params (string Line, double Wall, double Cpu)[] lines)
    {
        foreach ((string line, double wall, double cpu) in lines)
        {
            recorder.Observe(GuestTimings.Parse(line) ?? throw new InvalidOperationException($"not a marker: {line}"), wall, cpu);
        }
    }
}
