using System.Text;

namespace Emulator.Chardev.Tests;

public class FileAndNullBackendTests
{
    [Fact]
    public void NullDiscardsOutputAndBlocksReadsUntilStopped()
    {
        using IChardevBackend backend = ChardevFactory.Create(ChardevParser.ParseChardev("null,id=n"));
        backend.Start();
        backend.Write(new byte[1 << 20]);
        Assert.False(backend.IsConnected);
        TestThread reader = new(() => Assert.Equal(0, backend.Read(new byte[16])));
        backend.Stop();
        reader.Join();
    }

    [Fact]
    public void FileTruncatesByDefault()
    {
        using TempDirectory dir = new();
        string path = dir.File("out.txt");
        File.WriteAllText(path, "old content that must go");
        using (IChardevBackend backend = ChardevFactory.Create(new ChardevSpec("f", new FileBackendSpec(path))))
        {
            backend.Start();
            Assert.True(backend.IsConnected);
            backend.Write("hello "u8);
            backend.Write("world\n"u8);
        }

        Assert.Equal("hello world\n", File.ReadAllText(path));
    }

    [Fact]
    public void FileAppendKeepsOldContent()
    {
        using TempDirectory dir = new();
        string path = dir.File("out.txt");
        File.WriteAllText(path, "old;");
        using (IChardevBackend backend = ChardevFactory.Create(ChardevParser.ParseChardev($"file,id=f,path={path},append=on")))
        {
            backend.Start();
            backend.Write("new"u8);
        }

        Assert.Equal("old;new", File.ReadAllText(path));
    }

    [Fact]
    public void FileHasNoInput()
    {
        using TempDirectory dir = new();
        using IChardevBackend backend = ChardevFactory.Create(new ChardevSpec("f", new FileBackendSpec(dir.File("x"))));
        backend.Start();
        TestThread reader = new(() => Assert.Equal(0, backend.Read(new byte[16])));
        backend.Stop();
        reader.Join();
    }

    [Fact]
    public void FileThatCannotBeOpenedFailsStart()
    {
        using IChardevBackend backend = ChardevFactory.Create(new ChardevSpec("f", new FileBackendSpec("/nonexistent-dir/x")));
        ChardevException e = Assert.Throws<ChardevException>(backend.Start);
        Assert.StartsWith("Could not open '/nonexistent-dir/x'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LogfileGetsEveryByteAndIsTruncatedFirst()
    {
        using TempDirectory dir = new();
        string log = dir.File("serial.log");
        File.WriteAllText(log, "stale");
        using (IChardevBackend backend = ChardevFactory.Create(ChardevParser.ParseChardev($"null,id=n,logfile={log}")))
        {
            Assert.IsType<LoggingBackend>(backend);
            backend.Start();
            backend.Write("dropped by null, "u8);
            backend.Write("still logged"u8);
        }

        Assert.Equal("dropped by null, still logged", File.ReadAllText(log));
    }

    [Fact]
    public void LogappendKeepsTheOldLog()
    {
        using TempDirectory dir = new();
        string log = dir.File("serial.log");
        string output = dir.File("out");
        File.WriteAllText(log, "first run\n");
        using (IChardevBackend backend = ChardevFactory.Create(ChardevParser.ParseChardev($"file,id=f,path={output},logfile={log},logappend=on")))
        {
            backend.Start();
            backend.Write("second run\n"u8);
        }

        Assert.Equal("first run\nsecond run\n", File.ReadAllText(log));
        Assert.Equal("second run\n", File.ReadAllText(output));
    }

    [Fact]
    public void BadLogfileFailsStart()
    {
        using IChardevBackend backend = ChardevFactory.Create(ChardevParser.ParseChardev("null,id=n,logfile=/nonexistent-dir/log"));
        Assert.Throws<ChardevException>(backend.Start);
    }

    [Fact]
    public void DisposeUnblocksAReader()
    {
        IChardevBackend backend = ChardevFactory.Create(new ChardevSpec("n", new NullBackendSpec()));
        backend.Start();
        int result = -1;
        TestThread reader = new(() => result = backend.Read(new byte[8]));
        backend.Dispose();
        reader.Join();
        Assert.Equal(0, result);
        Assert.Equal(0, backend.Read(new byte[8]));
        backend.Write(Encoding.ASCII.GetBytes("after dispose is a no-op"));
    }
}
