namespace Emulator.Platform;

/// <summary>
/// A minimal Intel 8042 keyboard controller with a keyboard that answers but never types: data port
/// 0x60 (<see cref="DataPort"/>), status/command port 0x64 (<see cref="CommandPort"/>). It passes the
/// controller self-test, interface tests and Linux's atkbd probe (reset, get ID, echo, set LEDs),
/// and reports no auxiliary (mouse) port: AUX loop-back gets no answer and the AUX interface test
/// reports a stuck clock, which is how Linux's i8042 decides there is no mouse. The output port
/// drives A20 and the reset line; pulsing bit 0 (command 0xFE) requests a system reset.
/// With the command byte's XLATE bit set, the keyboard's replies reach the host in scan code set 1
/// form (its ID reads AB 41), as QEMU's controller translates them.
/// </summary>
public sealed class Kbc8042
{
    private const byte CmdKbdInterrupt = 0x01;
    private const byte CmdAuxInterrupt = 0x02;
    private const byte CmdSystemFlag = 0x04;
    private const byte CmdKbdDisabled = 0x10;
    private const byte CmdAuxDisabled = 0x20;
    private const byte CmdTranslate = 0x40;
    private const int MaxQueued = 16;

    /// <summary>The command byte after a hardware reset: both interrupts on, no translation.</summary>
    public const byte PowerOnCommandByte = CmdKbdInterrupt | CmdAuxInterrupt;

    /// <summary>
    /// The command byte a PC BIOS (SeaBIOS under QEMU) leaves for the OS: keyboard interrupt on, AUX
    /// disabled, scan-code translation on. Linux keeps XLATE ("AT Translated Set 2 keyboard").
    /// </summary>
    public const byte FirmwareCommandByte = CmdKbdInterrupt | CmdAuxDisabled | CmdTranslate;

    private readonly Queue<(byte Value, bool Aux)> _output = new();
    private readonly IInterruptLine _irq1;
    private readonly IInterruptLine _irq12;
    private readonly A20Gate _a20;
    private readonly Action _resetRequested;
    private byte _commandByte;
    private byte _outputPort = 0xCF;
    private byte _pendingCommand;
    private byte _keyboardCommand;
    private bool _lastWriteWasCommand = true;
    private byte _lastRead;
    private bool _irq1Level;
    private bool _irq12Level;

    public Kbc8042(IInterruptLine irq1, IInterruptLine irq12, A20Gate a20, Action resetRequested, byte initialCommandByte = PowerOnCommandByte)
    {
        ArgumentNullException.ThrowIfNull(irq1);
        ArgumentNullException.ThrowIfNull(irq12);
        ArgumentNullException.ThrowIfNull(a20);
        ArgumentNullException.ThrowIfNull(resetRequested);
        _irq1 = irq1;
        _irq12 = irq12;
        _a20 = a20;
        _resetRequested = resetRequested;
        _commandByte = initialCommandByte;
        DataPort = new DelegatePort(ReadData, v => WriteData((byte)v));
        CommandPort = new DelegatePort(ReadStatus, v => WriteCommand((byte)v));
    }

    public static PortRange DataRange => new(0x60, 1);

    public static PortRange CommandRange => new(0x64, 1);

    /// <summary>Port 0x60.</summary>
    public IPortDevice DataPort { get; }

    /// <summary>Port 0x64.</summary>
    public IPortDevice CommandPort { get; }

    public byte CommandByte => _commandByte;

    public uint ReadStatus()
    {
        int status = 0x10; // keyboard not inhibited
        if (_output.Count > 0)
        {
            status |= 0x01;
            if (_output.Peek().Aux)
            {
                status |= 0x20;
            }
        }

        status |= _commandByte & CmdSystemFlag;
        status |= _lastWriteWasCommand ? 0x08 : 0;
        return (uint)status;
    }

    public uint ReadData()
    {
        if (_output.Count > 0)
        {
            _lastRead = _output.Dequeue().Value;
            // OBF drops with each read, so the next queued byte gives the edge-triggered IRQ a new edge.
            LowerIrqs();
            UpdateIrq();
        }

        return _lastRead;
    }

    public void WriteCommand(byte command)
    {
        _lastWriteWasCommand = true;
        _pendingCommand = 0;
        switch (command)
        {
            case 0x20:
                Queue(_commandByte);
                break;
            case >= 0x21 and <= 0x3F:
                Queue(0);
                break;
            case >= 0x60 and <= 0x7F:
            case 0xD1:
            case 0xD2:
            case 0xD3:
            case 0xD4:
                _pendingCommand = command;
                break;
            case 0xA7:
                _commandByte |= CmdAuxDisabled;
                break;
            case 0xA8:
                _commandByte &= unchecked((byte)~CmdAuxDisabled);
                break;
            case 0xA9:
                Queue(0x02); // AUX clock line stuck high: nothing connected
                break;
            case 0xAA:
                _commandByte |= CmdSystemFlag;
                Queue(0x55);
                break;
            case 0xAB:
                Queue(0x00);
                break;
            case 0xAD:
                _commandByte |= CmdKbdDisabled;
                break;
            case 0xAE:
                _commandByte &= unchecked((byte)~CmdKbdDisabled);
                break;
            case 0xC0:
                Queue(0x80);
                break;
            case 0xD0:
                Queue((byte)((_outputPort & 0xCF) | (HasKeyboardData ? 0x10 : 0) | (HasAuxData ? 0x20 : 0)));
                break;
            case 0xDD:
                _a20.SetFromKeyboardController(false);
                _outputPort &= 0xFD;
                break;
            case 0xDF:
                _a20.SetFromKeyboardController(true);
                _outputPort |= 0x02;
                break;
            case 0xE0:
                Queue(0x00);
                break;
            case >= 0xF0:
                // Pulse output port bits whose command bit is 0; bit 0 is the CPU reset line.
                if ((command & 0x01) == 0)
                {
                    _resetRequested();
                }

                break;
            default:
                break;
        }

        UpdateIrq();
    }

    public void WriteData(byte value)
    {
        _lastWriteWasCommand = false;
        byte pending = _pendingCommand;
        _pendingCommand = 0;
        switch (pending)
        {
            case 0x60:
                _commandByte = value;
                break;
            case > 0x60 and <= 0x7F:
            case 0xD3: // AUX loop-back: no AUX port, so no answer
            case 0xD4: // to the mouse: there is none
                break;
            case 0xD1:
                WriteOutputPort(value);
                break;
            case 0xD2:
                Queue(value);
                break;
            default:
                KeyboardReceive(value);
                break;
        }

        UpdateIrq();
    }

    private bool HasKeyboardData => _output.Count > 0 && !_output.Peek().Aux;

    private bool HasAuxData => _output.Count > 0 && _output.Peek().Aux;

    private void WriteOutputPort(byte value)
    {
        _outputPort = value;
        _a20.SetFromKeyboardController((value & 0x02) != 0);
        if ((value & 0x01) == 0)
        {
            _resetRequested();
        }
    }

    /// <summary>The keyboard's side: answers the host commands of the PS/2 keyboard protocol.</summary>
    private void KeyboardReceive(byte value)
    {
        byte expectingArgument = _keyboardCommand;
        _keyboardCommand = 0;
        if (expectingArgument == 0xF0 && value == 0)
        {
            Queue(0xFA);
            QueueFromKeyboard(0x02); // current scan code set
            return;
        }

        if (expectingArgument != 0)
        {
            Queue(0xFA);
            return;
        }

        switch (value)
        {
            case 0xEE:
                Queue(0xEE);
                break;
            case 0xF2:
                Queue(0xFA);
                Queue(0xAB);
                QueueFromKeyboard(0x83);
                break;
            case 0xFF:
                Queue(0xFA);
                Queue(0xAA);
                break;
            case 0xED:
            case 0xF0:
            case 0xF3:
                _keyboardCommand = value;
                Queue(0xFA);
                break;
            default:
                Queue(0xFA);
                break;
        }
    }

    // The keyboard sends only replies (it never types): of those, just the set number and the ID's
    // second byte change under set 2 -> set 1 translation (the 8042's table maps 02 and 83 to 41).
    private void QueueFromKeyboard(byte value) =>
        Queue((_commandByte & CmdTranslate) != 0 && value is 0x02 or 0x83 ? (byte)0x41 : value);

    private void Queue(byte value)
    {
        if (_output.Count < MaxQueued)
        {
            _output.Enqueue((value, false));
        }
    }

    private void LowerIrqs()
    {
        if (_irq1Level)
        {
            _irq1Level = false;
            _irq1.Set(false);
        }

        if (_irq12Level)
        {
            _irq12Level = false;
            _irq12.Set(false);
        }
    }

    private void UpdateIrq()
    {
        bool irq1 = HasKeyboardData && (_commandByte & CmdKbdInterrupt) != 0;
        bool irq12 = HasAuxData && (_commandByte & CmdAuxInterrupt) != 0;
        if (irq1 != _irq1Level)
        {
            _irq1Level = irq1;
            _irq1.Set(irq1);
        }

        if (irq12 != _irq12Level)
        {
            _irq12Level = irq12;
            _irq12.Set(irq12);
        }
    }
}
