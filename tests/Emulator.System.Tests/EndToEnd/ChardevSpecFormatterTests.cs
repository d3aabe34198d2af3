using Emulator.Chardev;

namespace Emulator.System.Tests.EndToEnd;

public sealed class ChardevSpecFormatterTests
{
    [Theory]
    [InlineData("null,id=a")]
    [InlineData("pty,id=a,mux=on")]
    [InlineData("stdio,id=a,signal=off,mux=on,logfile=/tmp/l,,x,logappend=on")]
    [InlineData("file,id=a,path=/tmp/with,,comma,append=on")]
    [InlineData("socket,id=a,path=/tmp/s,server=on,wait=off")]
    [InlineData("socket,id=a,host=127.0.0.1,port=4444,server=on,wait=on,nodelay=on")]
    [InlineData("socket,id=a,host=,port=4444,reconnect-ms=250")]
    public void FormattedSpecParsesBackToTheSameSpec(string text)
    {
        ChardevSpec spec = ChardevParser.ParseChardev(text);
        Assert.Equal(spec, ChardevParser.ParseChardev(ChardevSpecFormatter.Format(spec)));
    }

    [Theory]
    [InlineData("mon:stdio")]
    [InlineData("stdio")]
    [InlineData("file:/tmp/f")]
    [InlineData("tcp::4444,server=on,wait=off")]
    [InlineData("unix:/tmp/s,server=on,wait=off")]
    public void ShorthandBecomesAnEquivalentChardevString(string shorthand)
    {
        ChardevSpec spec = ChardevParser.ParseShorthand(shorthand, "serial0") ?? throw new InvalidOperationException("none");
        ChardevSpec back = ChardevParser.ParseChardev(ChardevSpecFormatter.Format(spec));
        Assert.Equal(spec with { MonitorMuxed = false }, back);
    }
}
