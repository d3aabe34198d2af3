using System.Buffers;
using System.Globalization;
using System.Text;

namespace Emulator.Chardev;

/// <summary>
/// QEMU's character-device multiplexer as pure logic: several front-ends (serial console, monitor)
/// share one backend. Input goes to the focused front-end, except the escape character (C-a by
/// default) and the command that follows it; output from every front-end goes to the backend
/// whatever the focus, as QEMU does, with optional "[hh:mm:ss.mmm] " line stamps.
/// Not thread-safe: the caller serializes calls.
/// </summary>
public sealed class ChardevMux
{
    /// <summary>QEMU's MAX_MUX.</summary>
    public const int MaxFrontEnds = 4;

    public const byte DefaultEscapeChar = 0x01;

    private static ReadOnlySpan<byte> Terminated => "QEMU: Terminated\n\r"u8;

    private readonly TimeProvider _time;
    private readonly byte[] _help;
    private bool _gotEscape;
    private bool _lineStart;
    private long _timestampStartMs = -1;

    public ChardevMux(int frontEndCount, byte escapeChar = DefaultEscapeChar, TimeProvider? time = null, int initialFocus = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(frontEndCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(frontEndCount, MaxFrontEnds);
        ArgumentOutOfRangeException.ThrowIfNegative(initialFocus);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(initialFocus, frontEndCount);
        FrontEndCount = frontEndCount;
        EscapeChar = escapeChar;
        Focus = initialFocus;
        _time = time ?? TimeProvider.System;
        _help = MuxHelp.Text(escapeChar);
    }

    public int FrontEndCount { get; }

    public byte EscapeChar { get; }

    /// <summary>The front-end that receives input.</summary>
    public int Focus { get; private set; }

    /// <summary>C-a t: prefix each output line with the time since stamping was turned on.</summary>
    public bool Timestamps { get; private set; }

    /// <summary>True between an escape character and the command byte that follows it.</summary>
    public bool EscapePending => _gotEscape;

    /// <summary>Moves the focus (QEMU's mux_set_focus), reporting MUX_OUT/MUX_IN through the sink.</summary>
    public void SetFocus(int frontEnd, IMuxInputSink sink)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(frontEnd);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(frontEnd, FrontEndCount);
        int previous = Focus;
        Focus = frontEnd;
        sink.FocusChanged(previous, frontEnd);
    }

    /// <summary>
    /// Consumes keyboard input. Returns how many bytes were consumed: fewer than given only when the
    /// focused front-end refused a data byte (it is full); the caller offers the rest again later,
    /// so nothing is dropped and input order is kept.
    /// </summary>
    public int ProcessInput(ReadOnlySpan<byte> input, IMuxInputSink sink)
    {
        int i = 0;
        while (i < input.Length)
        {
            byte b = input[i];
            if (_gotEscape)
            {
                if (b == EscapeChar)
                {
                    // C-a C-a sends one C-a; if the front-end is full, stay in the escape state so the retry works.
                    if (sink.Deliver(Focus, input.Slice(i, 1)) == 0)
                    {
                        return i;
                    }

                    _gotEscape = false;
                    i++;
                    continue;
                }

                _gotEscape = false;
                i++;
                RunCommand(b, sink);
                continue;
            }

            if (b == EscapeChar)
            {
                _gotEscape = true;
                i++;
                continue;
            }

            int run = input[i..].IndexOf(EscapeChar);
            int length = run < 0 ? input.Length - i : run;
            int taken = sink.Deliver(Focus, input.Slice(i, length));
            i += taken;
            if (taken < length)
            {
                return i;
            }
        }

        return i;
    }

    /// <summary>Copies a front-end's output to <paramref name="output"/>, stamping line starts when asked.</summary>
    public void FormatOutput(ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        if (!Timestamps)
        {
            output.Write(data);
            return;
        }

        foreach (byte b in data)
        {
            if (_lineStart)
            {
                output.Write(Encoding.ASCII.GetBytes(Stamp()));
                _lineStart = false;
            }

            output.Write([b]);
            if (b == (byte)'\n')
            {
                _lineStart = true;
            }
        }
    }

    private void RunCommand(byte command, IMuxInputSink sink)
    {
        switch (command)
        {
            case (byte)'?':
            case (byte)'h':
                sink.WriteToBackend(_help);
                break;
            case (byte)'x':
                sink.WriteToBackend(Terminated);
                sink.ExitRequested();
                break;
            case (byte)'s':
                sink.CommitRequested();
                break;
            case (byte)'b':
                sink.BreakRequested(Focus);
                break;
            case (byte)'c':
                SetFocus((Focus + 1) % FrontEndCount, sink);
                break;
            case (byte)'t':
                // QEMU restarts the clock and waits for the next newline before the first stamp.
                Timestamps = !Timestamps;
                _timestampStartMs = -1;
                _lineStart = false;
                break;
            default:
                // Unknown commands are swallowed, as in QEMU.
                break;
        }
    }

    private string Stamp()
    {
        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (_timestampStartMs == -1)
        {
            _timestampStartMs = now;
        }

        long elapsed = now - _timestampStartMs;
        long seconds = elapsed / 1000;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"[{seconds / 3600:00}:{seconds / 60 % 60:00}:{seconds % 60:00}.{elapsed % 1000:000}] ");
    }
}
