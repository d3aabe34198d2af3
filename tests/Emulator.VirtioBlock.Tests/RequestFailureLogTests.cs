namespace Emulator.VirtioBlock.Tests;

public sealed class RequestFailureLogTests
{
    [Fact]
    public void Only_the_first_failures_are_logged_then_one_notice()
    {
        List<string> lines = [];
        var log = new RequestFailureLog(lines.Add, "blk-queue3");
        for (int i = 0; i < 100; i++)
        {
            log.Report($"bad {i}");
        }

        Assert.Equal(RequestFailureLog.Limit + 1, lines.Count);
        Assert.Equal("blk-queue3: bad 0", lines[0]);
        Assert.Equal("blk-queue3: further failed requests are not logged", lines[^1]);
        Assert.Equal(100, log.Count);
    }
}
