using System.Buffers;
using System.Text;

namespace Emulator.Vmm;

/// <summary>
/// Minimal line editing for a raw terminal, one byte at a time: printable bytes are echoed,
/// backspace/DEL erase one character, Ctrl-U erases the line, CR, LF or CR LF end it. Escape
/// sequences (arrow keys) and other control bytes are dropped. A line is capped at
/// <see cref="MaxLineBytes"/>; further bytes are refused with a bell.
/// </summary>
public sealed class LineEditor
{
    /// <summary>QEMU's readline buffer holds 4095 bytes.</summary>
    public const int MaxLineBytes = 4095;

    private const byte Bell = 0x07;
    private const byte Backspace = 0x08;
    private const byte LineFeed = 0x0a;
    private const byte CarriageReturn = 0x0d;
    private const byte KillLine = 0x15;
    private const byte Escape = 0x1b;
    private const byte Delete = 0x7f;

    private readonly byte[] _line = new byte[MaxLineBytes];
    private readonly bool _echo;
    private readonly byte[] _newLine;
    private int _length;
    private EscapeState _escape;
    private bool _afterCarriageReturn;

    public LineEditor(bool echo, string newLine = "\r\n")
    {
        _echo = echo;
        _newLine = Encoding.UTF8.GetBytes(newLine);
    }

    private enum EscapeState
    {
        None,
        Escape,
        ControlSequence,
    }

    /// <summary>The bytes of the line typed so far.</summary>
    public ReadOnlySpan<byte> Pending => _line.AsSpan(0, _length);

    /// <summary>
    /// Takes one input byte; writes its echo to <paramref name="output"/>. Returns the finished
    /// line (UTF-8 decoded, without terminator) when <paramref name="b"/> ends one, else null.
    /// </summary>
    public string? Push(byte b, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        bool afterCarriageReturn = _afterCarriageReturn;
        _afterCarriageReturn = false;
        if (_escape != EscapeState.None)
        {
            SkipEscape(b);
            return null;
        }

        switch (b)
        {
            case CarriageReturn:
                _afterCarriageReturn = true;
                return FinishLine(output);
            case LineFeed:
                return afterCarriageReturn ? null : FinishLine(output);
            case Backspace or Delete:
                EraseLastCharacter(output);
                return null;
            case KillLine:
                while (_length > 0)
                {
                    EraseLastCharacter(output);
                }

                return null;
            case Escape:
                _escape = EscapeState.Escape;
                return null;
            case < 0x20:
                return null;
            default:
                Append(b, output);
                return null;
        }
    }

    /// <summary>Forgets the line typed so far (e.g. when the monitor is re-entered).</summary>
    public void Clear()
    {
        _length = 0;
        _escape = EscapeState.None;
        _afterCarriageReturn = false;
    }

    /// <summary>ESC then '[' or 'O' starts a sequence that ends at a byte in 0x40..0x7e; ESC x is two bytes.</summary>
    private void SkipEscape(byte b)
    {
        if (_escape == EscapeState.Escape)
        {
            _escape = b is (byte)'[' or (byte)'O' ? EscapeState.ControlSequence : EscapeState.None;
        }
        else if (b is >= 0x40 and <= 0x7e || b < 0x20)
        {
            _escape = EscapeState.None;
        }
    }

    private void Append(byte b, IBufferWriter<byte> output)
    {
        if (_length == _line.Length)
        {
            Write(output, [Bell]);
            return;
        }

        _line[_length++] = b;
        Write(output, [b]);
    }

    /// <summary>Drops one UTF-8 character: its continuation bytes (10xxxxxx) and its lead byte.</summary>
    private void EraseLastCharacter(IBufferWriter<byte> output)
    {
        if (_length == 0)
        {
            return;
        }

        do
        {
            _length--;
        }
        while (_length > 0 && (_line[_length] & 0xc0) == 0x80);
        Write(output, "\b \b"u8);
    }

    private string FinishLine(IBufferWriter<byte> output)
    {
        string line = Encoding.UTF8.GetString(_line, 0, _length);
        _length = 0;
        Write(output, _newLine);
        return line;
    }

    private void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        if (_echo)
        {
            output.Write(bytes);
        }
    }
}
