using System.Buffers;
using System.Globalization;
using System.Text;

namespace Emulator.GdbStub;

/// <summary>
/// One debugger connection's protocol state, as QEMU's gdbstub answers for qemu-system-x86_64: bytes in
/// (<see cref="Receive"/>), stops in (<see cref="OnStop"/>), framed replies out to the writer. No I/O and
/// no threads of its own: the owner calls it from one thread and sends what it wrote. One thread (id 1).
/// </summary>
public sealed class GdbSession
{
    /// <summary>What qSupported advertises: QEMU's MAX_PACKET_LENGTH.</summary>
    public const int PacketSize = 4096;

    private static readonly TimeSpan PauseTimeout = TimeSpan.FromSeconds(5);

    private readonly IGdbTarget _target;
    private readonly IBufferWriter<byte> _output;
    private readonly GdbPacketDecoder _decoder = new(PacketSize);
    private readonly byte[] _description = X86TargetDescription.Build();
    private byte[] _lastPacket = [];
    private bool _noAck;
    private bool _reportSoftware;
    private bool _reportHardware;

    public GdbSession(IGdbTarget target, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(output);
        _target = target;
        _output = output;
    }

    /// <summary>True while the guest runs on the debugger's behalf and a stop reply is owed.</summary>
    public bool Running { get; private set; }

    /// <summary>True once the debugger detached or killed: the owner closes the connection after sending the output.</summary>
    public bool Finished { get; private set; }

    /// <summary>Stops the guest for a new debugger, as QEMU does on connect.</summary>
    public void Start() => _target.Pause(PauseTimeout);

    public void Receive(ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes)
        {
            if (Finished)
            {
                return;
            }

            switch (_decoder.Feed(b))
            {
                case GdbInput.Packet:
                    Ack('+');

                    // gdb sends nothing but Ctrl-C while the guest runs; any other client is stopped first
                    // (as QEMU stops the VM on any byte), so state is never touched under a running vCPU.
                    if (Running)
                    {
                        Interrupt();
                    }

                    Handle(Encoding.Latin1.GetString(_decoder.Payload));
                    break;
                case GdbInput.BadChecksum:
                    Ack('-');
                    break;
                case GdbInput.TooLong:
                    Ack('+');
                    Error(GdbPacketError.Malformed);
                    break;
                case GdbInput.Nack when !_noAck:
                    _output.Write(_lastPacket);
                    break;
                case GdbInput.Interrupt when Running:
                    Interrupt();
                    break;
                default:
                    break;
            }
        }
    }

    /// <summary>The target stopped; answers the pending c/s/vCont, or is dropped when none is pending.</summary>
    public void OnStop(GdbStop stop)
    {
        if (!Running)
        {
            return;
        }

        Running = false;
        Reply(StopReply(stop));
        if (stop.Reason == GdbStopReason.Exited)
        {
            Finished = true;
        }
    }

    private void Interrupt()
    {
        _target.Pause(PauseTimeout);
        Running = false;
        Reply("S02");
    }

    /// <summary>The connection broke: QEMU lets the guest run on without the debugger.</summary>
    public void Disconnect()
    {
        if (!Finished)
        {
            Finished = true;
            _target.Detach();
        }
    }

    private string StopReply(GdbStop stop) => stop.Reason switch
    {
        GdbStopReason.WriteWatchpoint => $"T05thread:01;watch:{stop.Address:x};",
        GdbStopReason.Interrupted => "S02",
        GdbStopReason.Faulted => "S0b",
        GdbStopReason.Exited => "W00",
        GdbStopReason.SoftwareBreakpoint when _reportSoftware => "T05thread:01;swbreak:;",
        GdbStopReason.HardwareBreakpoint when _reportHardware => "T05thread:01;hwbreak:;",
        _ => "T05thread:01;",
    };

    private void Handle(string packet)
    {
        if (packet.Length == 0)
        {
            Reply(string.Empty);
            return;
        }

        switch (packet[0])
        {
            case '?':
                Reply("T05thread:01;");
                break;
            case 'g':
                ReadAllRegisters();
                break;
            case 'G':
                WriteAllRegisters(packet.AsSpan(1));
                break;
            case 'p':
                ReadRegister(packet.AsSpan(1));
                break;
            case 'P':
                WriteRegister(packet.AsSpan(1));
                break;
            case 'm':
                ReadMemory(packet.AsSpan(1));
                break;
            case 'M':
                WriteMemory(packet.AsSpan(1), binary: false);
                break;
            case 'X':
                WriteMemory(packet.AsSpan(1), binary: true);
                break;
            case 'c':
            case 's':
                Continue(packet.AsSpan(1), step: packet[0] == 's');
                break;
            case 'v':
                HandleV(packet);
                break;
            case 'Z':
            case 'z':
                Breakpoint(packet.AsSpan(1), insert: packet[0] == 'Z');
                break;
            case 'q':
            case 'Q':
                HandleQuery(packet);
                break;
            case 'H':
                Reply("OK");
                break;
            case 'T':
                Reply(IsOurThread(packet.AsSpan(1)) ? "OK" : "E22");
                break;
            case 'D':
                Reply("OK");
                Finished = true;
                _target.Detach();
                break;
            case 'k':
                Finished = true;
                _target.Kill();
                break;
            default:
                Reply(string.Empty);
                break;
        }
    }

    private void HandleQuery(string packet)
    {
        if (packet.StartsWith("qSupported", StringComparison.Ordinal))
        {
            _reportSoftware = packet.Contains("swbreak+", StringComparison.Ordinal);
            _reportHardware = packet.Contains("hwbreak+", StringComparison.Ordinal);
            Reply($"PacketSize={PacketSize:x};qXfer:features:read+;QStartNoAckMode+;vContSupported+;swbreak+;hwbreak+");
        }
        else if (packet == "QStartNoAckMode")
        {
            Reply("OK");
            _noAck = true;
        }
        else if (packet.StartsWith("qXfer:features:read:", StringComparison.Ordinal))
        {
            ReadFeatures(packet.AsSpan("qXfer:features:read:".Length));
        }
        else if (packet == "qAttached" || packet.StartsWith("qAttached:", StringComparison.Ordinal))
        {
            Reply("1");
        }
        else if (packet == "qC")
        {
            Reply("QC1");
        }
        else if (packet == "qfThreadInfo")
        {
            Reply("m1");
        }
        else if (packet == "qsThreadInfo")
        {
            Reply("l");
        }
        else
        {
            Reply(string.Empty);
        }
    }

    private void HandleV(string packet)
    {
        if (packet == "vCont?")
        {
            Reply("vCont;c;C;s;S");
        }
        else if (packet.StartsWith("vCont;", StringComparison.Ordinal))
        {
            VCont(packet.AsSpan("vCont;".Length));
        }
        else
        {
            Reply(string.Empty);
        }
    }

    /// <summary>The first action that applies to thread 1 (no thread, 1, -1 or 0) decides; C and S ignore their signal as QEMU does.</summary>
    private void VCont(ReadOnlySpan<char> actions)
    {
        foreach (Range range in actions.Split(';'))
        {
            ReadOnlySpan<char> action = actions[range];
            int colon = action.IndexOf(':');
            ReadOnlySpan<char> thread = colon < 0 ? [] : action[(colon + 1)..];
            ReadOnlySpan<char> verb = colon < 0 ? action : action[..colon];
            if (verb.IsEmpty || (!thread.IsEmpty && !IsOurThread(thread)))
            {
                continue;
            }

            switch (verb[0])
            {
                case 'c' or 'C':
                    Resume(step: false);
                    return;
                case 's' or 'S':
                    Resume(step: true);
                    return;
                default:
                    Error(GdbPacketError.Malformed);
                    return;
            }
        }

        Error(GdbPacketError.Malformed);
    }

    /// <summary>Thread ids as gdb writes them: <c>1</c>, <c>-1</c> (all), <c>0</c> (any), or multiprocess <c>p1.1</c>.</summary>
    private static bool IsOurThread(ReadOnlySpan<char> thread)
    {
        if (thread.StartsWith("p"))
        {
            int dot = thread.IndexOf('.');
            if (dot < 0)
            {
                return false;
            }

            thread = thread[(dot + 1)..];
        }

        return thread is "-1" or "0" || (GdbHex.TryParseNumber(thread, out ulong id) && id == 1);
    }

    private void Continue(ReadOnlySpan<char> address, bool step)
    {
        if (!address.IsEmpty)
        {
            if (!GdbHex.TryParseNumber(address, out ulong rip))
            {
                Error(GdbPacketError.Malformed);
                return;
            }

            Span<byte> value = stackalloc byte[8];
            BitConverter.TryWriteBytes(value, rip);
            _target.TryWriteRegister(X86GdbRegisters.Rip, value);
        }

        Resume(step);
    }

    private void Resume(bool step)
    {
        Running = true;
        _target.Resume(step);
    }

    private void ReadAllRegisters()
    {
        var hex = new StringBuilder(X86GdbRegisters.TotalSize * 2);
        Span<byte> value = stackalloc byte[16];
        for (int i = 0; i < X86GdbRegisters.Count; i++)
        {
            Span<byte> slot = value[..X86GdbRegisters.SizeOf(i)];
            if (!_target.TryReadRegister(i, slot))
            {
                slot.Clear();
            }

            GdbHex.AppendBytes(hex, slot);
        }

        Reply(hex.ToString());
    }

    private void WriteAllRegisters(ReadOnlySpan<char> hex)
    {
        byte[] all = new byte[X86GdbRegisters.TotalSize];
        if (hex.Length > all.Length * 2 || hex.Length % 2 != 0 || !GdbHex.TryParseBytes(hex, all.AsSpan(0, hex.Length / 2)))
        {
            Error(GdbPacketError.Malformed);
            return;
        }

        // A shorter G sets the leading registers only, as gdb may send fewer than the description holds.
        int offset = 0;
        int available = hex.Length / 2;
        for (int i = 0; i < X86GdbRegisters.Count && offset + X86GdbRegisters.SizeOf(i) <= available; i++)
        {
            _target.TryWriteRegister(i, all.AsSpan(offset, X86GdbRegisters.SizeOf(i)));
            offset += X86GdbRegisters.SizeOf(i);
        }

        Reply("OK");
    }

    private void ReadRegister(ReadOnlySpan<char> text)
    {
        if (!GdbHex.TryParseNumber(text, out ulong number))
        {
            Error(GdbPacketError.Malformed);
            return;
        }

        int size = number < X86GdbRegisters.Count ? X86GdbRegisters.SizeOf((int)number) : 0;
        Span<byte> value = stackalloc byte[16];
        if (size == 0 || !_target.TryReadRegister((int)number, value[..size]))
        {
            Error(GdbPacketError.BadAddress);
            return;
        }

        var hex = new StringBuilder(size * 2);
        GdbHex.AppendBytes(hex, value[..size]);
        Reply(hex.ToString());
    }

    private void WriteRegister(ReadOnlySpan<char> text)
    {
        int equals = text.IndexOf('=');
        if (equals < 0 || !GdbHex.TryParseNumber(text[..equals], out ulong number))
        {
            Error(GdbPacketError.Malformed);
            return;
        }

        int size = number < X86GdbRegisters.Count ? X86GdbRegisters.SizeOf((int)number) : 0;
        Span<byte> value = stackalloc byte[16];
        if (size == 0)
        {
            Error(GdbPacketError.BadAddress);
            return;
        }

        if (!GdbHex.TryParseBytes(text[(equals + 1)..], value[..size]) || !_target.TryWriteRegister((int)number, value[..size]))
        {
            Error(GdbPacketError.Malformed);
            return;
        }

        Reply("OK");
    }

    private void ReadMemory(ReadOnlySpan<char> text)
    {
        // QEMU's bound: the hex reply is at most one advertised packet of data.
        if (!TryParseRange(text, out ulong address, out ulong length) || length > PacketSize / 2)
        {
            Error(GdbPacketError.Malformed);
            return;
        }

        byte[] data = new byte[length];
        if (!_target.TryReadMemory(address, data))
        {
            Error(GdbPacketError.BadAddress);
            return;
        }

        var hex = new StringBuilder(data.Length * 2);
        GdbHex.AppendBytes(hex, data);
        Reply(hex.ToString());
    }

    private void WriteMemory(ReadOnlySpan<char> text, bool binary)
    {
        int colon = text.IndexOf(':');
        if (colon < 0 || !TryParseRange(text[..colon], out ulong address, out ulong length) || length > PacketSize)
        {
            Error(GdbPacketError.Malformed);
            return;
        }

        ReadOnlySpan<char> body = text[(colon + 1)..];
        byte[] data = new byte[length];
        bool parsed = binary
            ? body.Length == data.Length && Encoding.Latin1.GetBytes(body, data) == data.Length
            : GdbHex.TryParseBytes(body, data);
        if (!parsed)
        {
            Error(GdbPacketError.Malformed);
            return;
        }

        if (data.Length > 0 && !_target.TryWriteMemory(address, data))
        {
            Error(GdbPacketError.BadAddress);
            return;
        }

        Reply("OK");
    }

    private void Breakpoint(ReadOnlySpan<char> text, bool insert)
    {
        Span<Range> parts = stackalloc Range[4];
        if (text.Split(parts, ',') != 3
            || !int.TryParse(text[parts[0]], NumberStyles.None, CultureInfo.InvariantCulture, out int type)
            || !GdbHex.TryParseNumber(text[parts[1]], out ulong address)
            || !GdbHex.TryParseNumber(text[parts[2]], out ulong kind))
        {
            Error(GdbPacketError.Malformed);
            return;
        }

        if (type > (int)GdbBreakpointType.AccessWatchpoint)
        {
            Reply(string.Empty);
            return;
        }

        var breakpoint = (GdbBreakpointType)type;
        bool done = insert ? _target.TryAddBreakpoint(breakpoint, address, kind) : _target.TryRemoveBreakpoint(breakpoint, address, kind);
        if (done)
        {
            Reply("OK");
        }
        else if (breakpoint == GdbBreakpointType.Hardware && insert)
        {
            // Out of hardware slots: gdb reports it and the user picks another.
            Error(GdbPacketError.Malformed);
        }
        else
        {
            Reply(string.Empty);
        }
    }

    private void ReadFeatures(ReadOnlySpan<char> text)
    {
        int colon = text.IndexOf(':');
        if (colon < 0 || !TryParseRange(text[(colon + 1)..], out ulong offset, out ulong length))
        {
            Error(GdbPacketError.Malformed);
            return;
        }

        if (!text[..colon].SequenceEqual(X86TargetDescription.Annex))
        {
            Error(GdbPacketError.NotFound);
            return;
        }

        ulong total = (ulong)_description.Length;
        if (offset >= total)
        {
            Reply("l");
            return;
        }

        // Escaping may double each byte; keep the framed reply inside the advertised size.
        ulong chunk = Math.Min(Math.Min(length, total - offset), (PacketSize / 2) - 8);
        bool last = offset + chunk >= total;
        byte[] reply = new byte[chunk + 1];
        reply[0] = (byte)(last ? 'l' : 'm');
        _description.AsSpan((int)offset, (int)chunk).CopyTo(reply.AsSpan(1));
        Send(reply);
    }

    private static bool TryParseRange(ReadOnlySpan<char> text, out ulong address, out ulong length)
    {
        int comma = text.IndexOf(',');
        length = 0;
        address = 0;
        return comma >= 0 && GdbHex.TryParseNumber(text[..comma], out address) && GdbHex.TryParseNumber(text[(comma + 1)..], out length);
    }

    private void Ack(char ack)
    {
        if (!_noAck)
        {
            _output.Write([(byte)ack]);
        }
    }

    private void Error(GdbPacketError error) => Reply($"E{(int)error:x2}");

    private void Reply(string payload) => Send(Encoding.Latin1.GetBytes(payload));

    private void Send(ReadOnlySpan<byte> payload)
    {
        _lastPacket = GdbPacketEncoder.Encode(payload);
        _output.Write(_lastPacket);
    }
}
