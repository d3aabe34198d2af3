using System.Collections.Concurrent;
using System.Diagnostics;
using Emulator.Posix;

namespace Emulator.Chardev.Tests;

public class LoggingBackendTests
{
    [Fact]
    public void DisposeInterruptsAWriteStuckOnAStalledLog()
    {
        using TempDirectory dir = new();
        string fifo = MakeFifo(dir);
        ConcurrentQueue<string> reports = new();

        // A reader that never drains: the log fills the pipe and the write has to wait.
        using SafeFd reader = PosixFile.Open(fifo, OpenFlags.ReadOnly | OpenFlags.NonBlocking | OpenFlags.CloseOnExec);
        LoggingBackend backend = new(new NullBackend("n"), fifo, append: false, reports.Enqueue);
        backend.Start();
        TestThread writer = new(() => backend.Write(new byte[1 << 20]));

        // The first logged byte shows the writer is inside the log write; 1 MiB cannot fit a pipe.
        Assert.Single(FdReader.ReadExactly(reader, 1));
        backend.Dispose();
        writer.Join();
        Assert.Empty(reports);
    }

    [Fact]
    public void ALogWhoseReaderLeftIsReportedOnceAndTheChardevGoesOn()
    {
        using TempDirectory dir = new();
        string fifo = MakeFifo(dir);
        string output = dir.File("out");
        ConcurrentQueue<string> reports = new();
        SafeFd reader = PosixFile.Open(fifo, OpenFlags.ReadOnly | OpenFlags.NonBlocking | OpenFlags.CloseOnExec);
        using (LoggingBackend backend = new(new FileBackend("f", new FileBackendSpec(output)), fifo, append: false, reports.Enqueue))
        {
            backend.Start();
            reader.Dispose();
            backend.Write("one "u8);
            backend.Write("two"u8);
        }

        Assert.Equal("one two", File.ReadAllText(output));
        string report = Assert.Single(reports);
        Assert.Contains($"writing log file '{fifo}' failed", report, StringComparison.Ordinal);
    }

    private static string MakeFifo(TempDirectory dir)
    {
        string path = dir.File("log.fifo");
        using Process mkfifo = Process.Start("mkfifo", [path]);
        Assert.True(mkfifo.WaitForExit(Timeouts.Milliseconds));
        Assert.Equal(0, mkfifo.ExitCode);
        return path;
    }
}
