using Emulator.DeviceHost;

namespace Emulator.System.Tests;

public sealed class DeviceServerArgumentParserTests
{
    private static readonly DeviceServerDefinition Definition = new(
        "emu-test",
        "test",
        options:
        [
            new ServerOption("chardev", "STR", "backend", Required: true),
            new ServerOption("verbose", null, "talk more"),
        ]);

    private static DeviceServerArguments Parse(params string[] args) => DeviceServerArgumentParser.Parse(Definition, args);

    private static string Error(params string[] args) =>
        Assert.Throws<DeviceServerUsageException>(() => Parse(args)).Message;

    [Fact]
    public void SeparateAndEqualsSpellingsAreEquivalent()
    {
        DeviceServerArguments spaced = Parse("--socket-path", "/tmp/a.sock", "--chardev", "stdio,id=c0", "--parent-pid", "42");
        DeviceServerArguments joined = Parse("--socket-path=/tmp/a.sock", "--chardev=stdio,id=c0", "--parent-pid=42");
        foreach (DeviceServerArguments args in new[] { spaced, joined })
        {
            Assert.Equal("/tmp/a.sock", args.SocketPath);
            Assert.Null(args.Fd);
            Assert.Equal(42, args.ParentPid);
            Assert.Equal("stdio,id=c0", args.Get("chardev"));
            Assert.False(args.Has("verbose"));
        }
    }

    [Fact]
    public void EqualsSpellingKeepsLaterEqualsSigns()
    {
        Assert.Equal("file,path=a=b", Parse("--fd", "3", "--chardev=file,path=a=b").Get("chardev"));
    }

    [Fact]
    public void FdAndFlags()
    {
        DeviceServerArguments args = Parse("--fd", "0", "--chardev", "null", "--verbose");
        Assert.Equal(0, args.Fd);
        Assert.Null(args.SocketPath);
        Assert.True(args.Has("verbose"));
        Assert.Null(args.ParentPid);
    }

    [Theory]
    [InlineData("unknown option '--bogus'", "--fd", "3", "--chardev", "x", "--bogus")]
    [InlineData("unknown option '--bogus'", "--bogus=1")]
    [InlineData("option '--fd' needs a value", "--chardev", "x", "--fd")]
    [InlineData("option '--socket-path' needs a value", "--socket-path", "--chardev", "x")]
    [InlineData("option '--verbose' takes no value", "--fd", "3", "--chardev", "x", "--verbose=yes")]
    [InlineData("option '--help' takes no value", "--help=1")]
    [InlineData("unexpected argument 'extra'", "--fd", "3", "extra")]
    [InlineData("unexpected argument '-x'", "-x")]
    [InlineData("unexpected argument '--'", "--")]
    [InlineData("option '--chardev' given more than once", "--fd", "3", "--chardev", "a", "--chardev=b")]
    [InlineData("--socket-path and --fd cannot be used together", "--fd", "3", "--socket-path", "/tmp/s", "--chardev", "x")]
    [InlineData("one of --socket-path or --fd is required", "--chardev", "x")]
    [InlineData("option '--chardev' is required", "--fd", "3")]
    [InlineData("invalid --fd value '-1': expected a descriptor number", "--fd=-1", "--chardev", "x")]
    [InlineData("invalid --fd value '3x': expected a descriptor number", "--fd", "3x", "--chardev", "x")]
    [InlineData("invalid --fd value '99999999999': expected a descriptor number", "--fd", "99999999999", "--chardev", "x")]
    [InlineData("invalid --parent-pid value '0': expected a process id", "--fd", "3", "--parent-pid", "0", "--chardev", "x")]
    [InlineData("--socket-path must not be empty", "--socket-path=", "--chardev", "x")]
    public void ErrorsSayWhatIsWrong(string expected, params string[] args)
    {
        Assert.Equal(expected, Error(args));
    }

    [Fact]
    public void OverlongSocketPathIsRejected()
    {
        string path = "/tmp/" + new string('a', 103);
        Assert.Contains("longer than 107 bytes", Error("--socket-path", path, "--chardev", "x"), StringComparison.Ordinal);
        Assert.Equal(path[..107], Parse("--socket-path", path[..107], "--chardev", "x").SocketPath);
    }

    [Fact]
    public void HelpNeedsNothingElse()
    {
        Assert.True(Parse("--help").Help);
        Assert.True(Parse("-h").Help);
        Assert.True(Parse("--fd", "nonsense", "--help").Help);
    }

    [Fact]
    public void PrintCapabilitiesNeedsNoEndpointOrRequiredOption()
    {
        DeviceServerArguments args = Parse("--print-capabilities");
        Assert.True(args.PrintCapabilities);
        Assert.False(args.Help);
    }

    [Fact]
    public void DefinitionRejectsClashingOrMalformedOptionNames()
    {
        Assert.Throws<ArgumentException>(() => new DeviceServerDefinition("p", "t", options: [new ServerOption("fd", "N", "clash")]));
        Assert.Throws<ArgumentException>(() => new DeviceServerDefinition("p", "t", options: [new ServerOption("a", null, "x"), new ServerOption("a", null, "y")]));
        Assert.Throws<ArgumentException>(() => new DeviceServerDefinition("p", "t", options: [new ServerOption("Bad_Name", null, "x")]));
    }
}
