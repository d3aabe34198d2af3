using System.Buffers;
using System.Text;
using Emulator.Vmm;

namespace Emulator.System.Tests;

public sealed class LineEditorTests
{
    private readonly LineEditor _editor = new(echo: true);
    private readonly ArrayBufferWriter<byte> _echo = new();

    private List<string> Type(string keys) => Type(Encoding.UTF8.GetBytes(keys));

    private List<string> Type(byte[] keys)
    {
        var lines = new List<string>();
        foreach (byte b in keys)
        {
            if (_editor.Push(b, _echo) is string line)
            {
                lines.Add(line);
            }
        }

        return lines;
    }

    private string Echo => Encoding.UTF8.GetString(_echo.WrittenSpan);

    [Theory]
    [InlineData("stop\r")]
    [InlineData("stop\n")]
    [InlineData("stop\r\n")]
    public void AnyLineEndFinishesOneLine(string keys)
    {
        Assert.Equal(["stop"], Type(keys));
        Assert.Equal("stop\r\n", Echo);
    }

    [Fact]
    public void CrLfIsOneLineButTwoCrsAreTwo()
    {
        Assert.Equal(["a", "b"], Type("a\r\nb\r\n"));
        Assert.Equal(["", ""], Type("\r\r"));
        Assert.Equal(["x", "", ""], Type("x\n\n\n"));
    }

    [Fact]
    public void BackspaceAndDeleteEraseOneCharacter()
    {
        Assert.Equal(["stop"], Type("stpp\u007f\u007fop\r"));
        Assert.Equal("stpp\b \b\b \bop\r\n", Echo);
        Assert.Equal(["ab"], Type("abc\b\r"));
    }

    [Fact]
    public void BackspaceOnAnEmptyLineEchoesNothing()
    {
        Assert.Equal(["x"], Type("\u007f\bx\r"));
        Assert.Equal("x\r\n", Echo);
    }

    [Fact]
    public void BackspaceErasesAWholeUtf8Character()
    {
        Assert.Equal(["a"], Type("aé\u007f\r"));
        Assert.Equal(["é"], Type("é\r"));
    }

    [Fact]
    public void CtrlUErasesTheLine()
    {
        Assert.Equal(["cont"], Type("stop\u0015cont\r"));
        Assert.Equal("stop\b \b\b \b\b \b\b \bcont\r\n", Echo);
    }

    [Fact]
    public void EscapeSequencesAndControlBytesAreDropped()
    {
        Assert.Equal(["info"], Type("in\u001b[Af\u001bOBo\u0003\u0004\t\u001b[1;5D\r"));
        Assert.Equal("info\r\n", Echo);
    }

    [Fact]
    public void NoEchoWhenOff()
    {
        var editor = new LineEditor(echo: false);
        var output = new ArrayBufferWriter<byte>();
        foreach (byte b in "ab\u007fc\r"u8.ToArray())
        {
            editor.Push(b, output);
        }

        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void LongLinesAreCappedWithABell()
    {
        byte[] keys = Enumerable.Repeat((byte)'x', LineEditor.MaxLineBytes + 10).ToArray();
        Assert.Empty(Type(keys));
        Assert.Equal(LineEditor.MaxLineBytes, _editor.Pending.Length);
        Assert.Equal(10, _echo.WrittenSpan.ToArray().Count(b => b == 0x07));
        Assert.Equal([new string('x', LineEditor.MaxLineBytes)], Type("\r"));
    }
}
