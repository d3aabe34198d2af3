namespace Emulator.GdbStub;

/// <summary>
/// Splits the debugger's byte stream into packets, one byte at a time so it never needs more than
/// <see cref="MaxPayload"/> bytes of buffer: <c>$data#xx</c> with the modulo-256 checksum of the raw
/// bytes between <c>$</c> and <c>#</c>, <c>}</c> escapes (next byte XOR 0x20), run-length encoding
/// (<c>X*n</c> repeats X n-29 times), and the <c>+</c>, <c>-</c> and 0x03 bytes between packets.
/// Pure and total: every byte sequence yields events, no exception, bounded memory.
/// </summary>
public sealed class GdbPacketDecoder
{
    private readonly byte[] _payload;
    private State _state;
    private int _length;
    private byte _sum;
    private byte _received;
    private bool _overflow;
    private bool _badDigit;

    public GdbPacketDecoder(int maxPayload)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPayload, 1);
        _payload = new byte[maxPayload];
    }

    private enum State
    {
        Idle,
        Data,
        Escape,
        RunLength,
        Checksum1,
        Checksum2,
    }

    public int MaxPayload => _payload.Length;

    /// <summary>The decoded data of the last <see cref="GdbInput.Packet"/>; valid until the next <see cref="Feed"/>.</summary>
    public ReadOnlySpan<byte> Payload => _payload.AsSpan(0, Math.Min(_length, _payload.Length));

    public GdbInput Feed(byte value)
    {
        switch (_state)
        {
            case State.Idle:
                return value switch
                {
                    (byte)'$' => Begin(),
                    (byte)'+' => GdbInput.Ack,
                    (byte)'-' => GdbInput.Nack,
                    0x03 => GdbInput.Interrupt,
                    _ => GdbInput.None,
                };
            case State.Data:
                if (value == '#')
                {
                    _state = State.Checksum1;
                    return GdbInput.None;
                }

                if (value == '$')
                {
                    // A new start inside a packet: the debugger gave up on the old one.
                    return Begin();
                }

                _sum += value;
                if (value == '}')
                {
                    _state = State.Escape;
                }
                else if (value == '*' && _length > 0)
                {
                    _state = State.RunLength;
                }
                else
                {
                    Append(value);
                }

                return GdbInput.None;
            case State.Escape:
                _sum += value;
                Append((byte)(value ^ 0x20));
                _state = State.Data;
                return GdbInput.None;
            case State.RunLength:
                _sum += value;
                int repeat = value - 29;
                byte last = _payload[Math.Min(_length, _payload.Length) - 1];
                for (int i = 0; i < repeat; i++)
                {
                    Append(last);
                }

                _state = State.Data;
                return GdbInput.None;
            case State.Checksum1:
                _received = (byte)(HexDigit(value) << 4);
                _badDigit = HexDigit(value) < 0;
                _state = State.Checksum2;
                return GdbInput.None;
            default:
                _state = State.Idle;
                int low = HexDigit(value);
                if (_overflow)
                {
                    _length = 0;
                    return GdbInput.TooLong;
                }

                bool good = !_badDigit && low >= 0 && (byte)(_received | low) == _sum;
                if (!good)
                {
                    _length = 0;
                    return GdbInput.BadChecksum;
                }

                return GdbInput.Packet;
        }
    }

    private GdbInput Begin()
    {
        _state = State.Data;
        _length = 0;
        _sum = 0;
        _overflow = false;
        return GdbInput.None;
    }

    /// <summary>Past the limit only the count grows (capped), so a huge packet costs no memory.</summary>
    private void Append(byte value)
    {
        if (_length < _payload.Length)
        {
            _payload[_length++] = value;
            return;
        }

        _overflow = true;
        _length = _payload.Length + 1;
    }

    private static int HexDigit(byte value) => value switch
    {
        >= (byte)'0' and <= (byte)'9' => value - '0',
        >= (byte)'a' and <= (byte)'f' => value - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => value - 'A' + 10,
        _ => -1,
    };
}
