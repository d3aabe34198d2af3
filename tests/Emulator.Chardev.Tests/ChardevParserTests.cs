using Emulator.Tests.Shared;
using Emulator.Options;

namespace Emulator.Chardev.Tests;

public class ChardevParserTests
{
    [Fact]
    public void StdioDefaultsToSignalOn()
    {
        ChardevSpec spec = ChardevParser.ParseChardev("stdio,id=char0");
        Assert.Equal("char0", spec.Id);
        Assert.Equal(new StdioBackendSpec(Signal: true), spec.Backend);
        Assert.False(spec.Mux);
        Assert.Null(spec.LogFile);
    }

    [Theory]
    [InlineData("stdio,id=c,signal=off", false)]
    [InlineData("stdio,id=c,signal=on", true)]
    [InlineData("stdio,id=c,nosignal", false)]
    [InlineData("backend=stdio,id=c,signal=no", false)]
    public void StdioSignal(string text, bool signal)
    {
        Assert.Equal(new StdioBackendSpec(signal), ChardevParser.ParseChardev(text).Backend);
    }

    [Fact]
    public void FileWithAppendAndCommonOptions()
    {
        ChardevSpec spec = ChardevParser.ParseChardev("file,id=f1,path=/tmp/a,,b.log,append=on,mux=on,logfile=/tmp/l,logappend=on");
        Assert.Equal(new FileBackendSpec("/tmp/a,b.log", Append: true), spec.Backend);
        Assert.True(spec.Mux);
        Assert.False(spec.MonitorMuxed);
        Assert.Equal("/tmp/l", spec.LogFile);
        Assert.True(spec.LogAppend);
    }

    [Fact]
    public void UnixServerWaitsByDefault()
    {
        ChardevSpec spec = ChardevParser.ParseChardev("socket,id=s,path=/tmp/s.sock,server=on");
        Assert.Equal(new SocketBackendSpec(new UnixSocketAddressSpec("/tmp/s.sock"), Server: true, Wait: true), spec.Backend);
    }

    [Theory]
    [InlineData("socket,id=s,path=/tmp/s,server=on,wait=off")]
    [InlineData("socket,id=s,path=/tmp/s,server,nowait")]
    [InlineData("socket,id=s,path=/tmp/s,server=yes,wait=no")]
    public void UnixServerNoWaitSpellings(string text)
    {
        Assert.Equal(new SocketBackendSpec(new UnixSocketAddressSpec("/tmp/s"), Server: true, Wait: false), ChardevParser.ParseChardev(text).Backend);
    }

    [Fact]
    public void TcpClientWithReconnectAndNoDelay()
    {
        ChardevSpec spec = ChardevParser.ParseChardev("socket,id=t,host=127.0.0.1,port=4444,reconnect=2,nodelay=on");
        Assert.Equal(
            new SocketBackendSpec(new TcpSocketAddressSpec("127.0.0.1", 4444), Server: false, Wait: false, TimeSpan.FromSeconds(2), NoDelay: true),
            spec.Backend);
    }

    [Theory]
    [InlineData("socket,id=t,host=h,port=1,reconnect-ms=250", 250)]
    [InlineData("socket,id=t,host=h,port=1,reconnect=0", -1)]
    public void ReconnectUnits(string text, int expectedMs)
    {
        SocketBackendSpec socket = Assert.IsType<SocketBackendSpec>(ChardevParser.ParseChardev(text).Backend);
        Assert.Equal(expectedMs < 0 ? null : TimeSpan.FromMilliseconds(expectedMs), socket.Reconnect);
    }

    [Theory]
    [InlineData("socket,id=t,host=h,port=1,delay=off", true)]
    [InlineData("socket,id=t,host=h,port=1,nodelay", true)]
    [InlineData("socket,id=t,host=h,port=1", false)]
    public void NoDelaySpellings(string text, bool noDelay)
    {
        Assert.Equal(noDelay, Assert.IsType<SocketBackendSpec>(ChardevParser.ParseChardev(text).Backend).NoDelay);
    }

    [Fact]
    public void PtyAndNull()
    {
        Assert.IsType<PtyBackendSpec>(ChardevParser.ParseChardev("pty,id=p").Backend);
        Assert.IsType<NullBackendSpec>(ChardevParser.ParseChardev("null,id=n").Backend);
    }

    [Theory]
    [InlineData("stdio", "chardev: no id specified")]
    [InlineData("id=x", "chardev: \"x\" missing backend")]
    [InlineData("serial,id=x", "'serial' is not a valid char driver name")]
    [InlineData("stdio,id=1abc", "Parameter 'id' expects an identifier")]
    [InlineData("stdio,id=a b", "Parameter 'id' expects an identifier")]
    [InlineData("stdio,id=x,path=/p", "Invalid parameter 'path'")]
    [InlineData("stdio,id=x,signal=maybe", "Parameter 'signal' expects 'on' or 'off'")]
    [InlineData("stdio,id=x,signal=on,nosignal", "Parameter 'signal' given more than once")]
    [InlineData("file,id=x", "chardev: file: no filename given")]
    [InlineData("file,id=x,path=", "chardev: file: no filename given")]
    [InlineData("socket,id=x", "chardev: socket: 'path' or 'host' option required")]
    [InlineData("socket,id=x,host=h", "chardev: socket: no port given")]
    [InlineData("socket,id=x,host=h,port=http", "Parameter 'port' expects a port number")]
    [InlineData("socket,id=x,host=h,port=65536", "Parameter 'port' expects a port number")]
    [InlineData("socket,id=x,host=h,port=0", "chardev: socket: port 0 is only valid for a server")]
    [InlineData("socket,id=x,path=/a,host=h,port=1", "Only one of 'path' or 'host' may be given")]
    [InlineData("socket,id=x,path=/a,server=on,reconnect=1", "'reconnect' option is incompatible with socket in server listen mode")]
    [InlineData("socket,id=x,path=/a,wait=off", "'wait' option is incompatible with socket in client connect mode")]
    [InlineData("socket,id=x,path=/a,reconnect=1,reconnect-ms=5", "'reconnect' and 'reconnect-ms' are mutually exclusive")]
    [InlineData("socket,id=x,path=/a,reconnect=-1", "Parameter 'reconnect' expects a number between 0 and 2147483")]
    [InlineData("socket,id=x,host=h,port=1,delay=on,nodelay=on", "'delay' and 'nodelay' are mutually exclusive")]
    [InlineData("socket,id=x,path=/a,telnet=on", "Invalid parameter 'telnet'")]
    [InlineData("pty,id=x,logfile=", "Parameter 'logfile' expects a file name")]
    [InlineData("null,id=x,mux=2", "Parameter 'mux' expects 'on' or 'off'")]
    public void RejectsWithQemuLikeMessages(string text, string message)
    {
        OptionsException e = Assert.Throws<OptionsException>(() => ChardevParser.ParseChardev(text));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void RejectsOverlongUnixPath()
    {
        string path = "/" + new string('a', 107);
        OptionsException e = Assert.Throws<OptionsException>(() => ChardevParser.ParseChardev($"socket,id=x,path={path}"));
        Assert.Equal($"UNIX socket path '{path}' is too long", e.Message);
    }

    [Fact]
    public void HelpIsRecognised()
    {
        Assert.True(ChardevParser.IsHelpRequest("help"));
        Assert.True(ChardevParser.IsHelpRequest("?"));
        Assert.False(ChardevParser.IsHelpRequest("stdio,id=help"));
        OptionsException e = Assert.Throws<OptionsException>(() => ChardevParser.ParseChardev("help"));
        Assert.Equal(ChardevParser.BackendHelpText, e.Message);
        Assert.Contains("\n  socket", ChardevParser.BackendHelpText, StringComparison.Ordinal);
    }

    [Fact]
    public void ShorthandStdio()
    {
        ChardevSpec? spec = ChardevParser.ParseShorthand("stdio", "serial0");
        Assert.NotNull(spec);
        Assert.Equal(new ChardevSpec("serial0", new StdioBackendSpec(Signal: true)), spec);
    }

    [Fact]
    public void ShorthandMonStdioMuxesMonitorAndPassesCtrlC()
    {
        ChardevSpec? spec = ChardevParser.ParseShorthand("mon:stdio", "serial0");
        Assert.NotNull(spec);
        Assert.Equal(new StdioBackendSpec(Signal: false), spec.Backend);
        Assert.True(spec.Mux);
        Assert.True(spec.MonitorMuxed);
    }

    [Fact]
    public void ShorthandMonOverSocket()
    {
        ChardevSpec? spec = ChardevParser.ParseShorthand("mon:unix:/tmp/m,server=on,wait=off", "serial0");
        Assert.NotNull(spec);
        Assert.True(spec.MonitorMuxed);
        Assert.Equal(new SocketBackendSpec(new UnixSocketAddressSpec("/tmp/m"), true, false), spec.Backend);
    }

    [Fact]
    public void ShorthandNoneIsNoDevice() => Assert.Null(ChardevParser.ParseShorthand("none", "serial0"));

    [Theory]
    [InlineData("file:/var/log/guest,1.log", "/var/log/guest,1.log")]
    [InlineData("file:relative", "relative")]
    public void ShorthandFileTakesTheRestVerbatim(string text, string path)
    {
        Assert.Equal(new FileBackendSpec(path), ChardevParser.ParseShorthand(text, "serial0")?.Backend);
    }

    [Theory]
    [InlineData("unix:/tmp/a.sock,server=on,wait=off", true, false)]
    [InlineData("unix:/tmp/a.sock,server,nowait", true, false)]
    [InlineData("unix:/tmp/a.sock,server", true, true)]
    [InlineData("unix:/tmp/a.sock", false, false)]
    public void ShorthandUnix(string text, bool server, bool wait)
    {
        Assert.Equal(new SocketBackendSpec(new UnixSocketAddressSpec("/tmp/a.sock"), server, wait), ChardevParser.ParseShorthand(text, "serial0")?.Backend);
    }

    [Theory]
    [InlineData("tcp::4444,server=on,wait=off", "", 4444, true, false)]
    [InlineData("tcp:localhost:23,server,nowait", "localhost", 23, true, false)]
    [InlineData("tcp:10.0.0.1:5555", "10.0.0.1", 5555, false, false)]
    public void ShorthandTcp(string text, string host, int port, bool server, bool wait)
    {
        Assert.Equal(new SocketBackendSpec(new TcpSocketAddressSpec(host, port), server, wait), ChardevParser.ParseShorthand(text, "serial0")?.Backend);
    }

    [Fact]
    public void ShorthandTcpTakesCommonOptions()
    {
        ChardevSpec? spec = ChardevParser.ParseShorthand("tcp::4444,server=on,wait=off,logfile=/tmp/x", "serial0");
        Assert.Equal("/tmp/x", spec?.LogFile);
    }

    [Fact]
    public void ShorthandPtyAndNull()
    {
        Assert.IsType<PtyBackendSpec>(ChardevParser.ParseShorthand("pty", "serial0")?.Backend);
        Assert.IsType<NullBackendSpec>(ChardevParser.ParseShorthand("null", "serial0")?.Backend);
    }

    [Theory]
    [InlineData("vc", "'vc' is not a valid char driver")]
    [InlineData("mon:bogus", "'bogus' is not a valid char driver")]
    [InlineData("tcp:4444", "could not connect serial device to character backend 'tcp:4444'")]
    [InlineData("tcp:host:", "could not connect serial device to character backend 'tcp:host:'")]
    [InlineData("tcp::4444,host=x", "Invalid parameter 'host'")]
    [InlineData("tcp::99999", "Parameter 'port' expects a port number")]
    [InlineData("unix:", "Parameter 'path' is missing")]
    [InlineData("unix:/a,server=on,reconnect=1", "'reconnect' option is incompatible with socket in server listen mode")]
    [InlineData("file:", "chardev: file: no filename given")]
    public void ShorthandRejects(string text, string message)
    {
        OptionsException e = Assert.Throws<OptionsException>(() => ChardevParser.ParseShorthand(text, "serial0"));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void ShorthandMonitorMuxCanBeForbidden()
    {
        OptionsException e = Assert.Throws<OptionsException>(() => ChardevParser.ParseShorthand("mon:stdio", "parallel0", permitMonitorMux: false));
        Assert.Equal("mon: isn't supported in this context", e.Message);
    }

    [Fact]

    [Trait("Category", FuzzBudget.Category)]
    public void FuzzedInputOnlyEverRaisesOptionsException()
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789,,==::/._- \0\u00e9?";
        string[] seeds =
        [
            "socket,id=a,", "stdio,id=b,", "file,id=c,path=", "mon:", "tcp:", "unix:", "file:", "pty,id=", "null,",
            "server", "wait", "nowait", "reconnect=", "reconnect-ms=", "port=", "host=", "logfile=", "logappend", "mux", "signal", "nodelay", "delay=",
        ];
        Random random = new(1234);
        for (int i = 0, n = FuzzBudget.Iterations(20000); i < n; i++)
        {
            System.Text.StringBuilder text = new();
            int parts = random.Next(1, 6);
            for (int p = 0; p < parts; p++)
            {
                if (random.Next(2) == 0)
                {
                    text.Append(seeds[random.Next(seeds.Length)]);
                }
                else
                {
                    int length = random.Next(0, 12);
                    for (int c = 0; c < length; c++)
                    {
                        text.Append(alphabet[random.Next(alphabet.Length)]);
                    }
                }
            }

            string input = text.ToString();
            AssertOnlyOptionsException(() => ChardevParser.ParseChardev(input), input);
            AssertOnlyOptionsException(() => ChardevParser.ParseShorthand(input, "serial0"), input);
        }
    }

    private static void AssertOnlyOptionsException(Action parse, string input)
    {
        try
        {
            parse();
        }
        catch (OptionsException)
        {
            // The only acceptable failure.
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            Assert.Fail($"input '{input}' raised {e.GetType().Name}: {e.Message}");
        }
    }
}
