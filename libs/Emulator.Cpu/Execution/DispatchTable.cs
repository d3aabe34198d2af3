using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// Handlers indexed by Iced <see cref="Code"/>, filled by each instruction family's
/// <c>AddTo</c>. Built once per interpreter and read-only afterwards. A code with no handler is #UD.
/// </summary>
public sealed class DispatchTable
{
    private readonly InstructionHandler?[] _handlers;
    private readonly OperandRegisters[] _registers;
    private readonly Dictionary<Mnemonic, List<Code>> _codesByMnemonic = [];
    private readonly HashSet<Mnemonic> _lockable = [];

    public DispatchTable()
    {
        Code[] codes = Enum.GetValues<Code>();
        _handlers = new InstructionHandler?[codes.Max(c => (int)c) + 1];
        _registers = new OperandRegisters[_handlers.Length];
        foreach (Code code in codes)
        {
            Mnemonic mnemonic = code.Mnemonic();
            if (!_codesByMnemonic.TryGetValue(mnemonic, out List<Code>? list))
            {
                list = [];
                _codesByMnemonic.Add(mnemonic, list);
            }

            list.Add(code);
        }

        DataTransferInstructions.AddTo(this);
        BinaryArithmeticInstructions.AddTo(this);
        LogicalInstructions.AddTo(this);
        ShiftRotateInstructions.AddTo(this);
        MultiplyDivideInstructions.AddTo(this);
        StackInstructions.AddTo(this);
        FrameInstructions.AddTo(this);
        PushAllInstructions.AddTo(this);
        BoundInstructions.AddTo(this);
        ControlTransferInstructions.AddTo(this);
        FlagControlInstructions.AddTo(this);
        BitInstructions.AddTo(this);
        ExchangeInstructions.AddTo(this);
        MiscellaneousInstructions.AddTo(this);
        HintNopInstructions.AddTo(this);
        TableLookupInstructions.AddTo(this);
        DoubleShiftInstructions.AddTo(this);
        FlagTransferInstructions.AddTo(this);
        StringInstructions.AddTo(this);
        WideCompareExchangeInstructions.AddTo(this);
        DecimalArithmeticInstructions.AddTo(this);
        SystemInstructions.AddTo(this);
        InterruptFlagInstructions.AddTo(this);
        InterruptInstructions.AddTo(this);
        VectorMoves.AddTo(this);
        PackedIntegerArithmetic.AddTo(this);
        PackedMultiply.AddTo(this);
        PackedShifts.AddTo(this);
        PackedShuffles.AddTo(this);
        VectorExtraction.AddTo(this);
        VectorStateInstructions.AddTo(this);
        FxsaveInstructions.AddTo(this);
        SimdFloatArithmetic.AddTo(this);
        SimdFloatConversions.AddTo(this);
        SimdFloatCompareFlags.AddTo(this);
        SimdFloatApproximations.AddTo(this);
        X87Instructions.AddTo(this);
        PortInstructions.AddTo(this);

        // After DataTransferInstructions: MOV to/from CRn/DRn replace its generic MOV for those codes.
        ControlRegisterInstructions.AddTo(this);
        SegmentRegisterInstructions.AddTo(this);
        SystemTableInstructions.AddTo(this);
        DescriptorQueryInstructions.AddTo(this);
        FarTransferInstructions.AddTo(this);
        FastSystemCallInstructions.AddTo(this);
    }

    public InstructionHandler? this[Code code] => _handlers[(int)code];

    /// <summary>Whether a LOCK prefix is allowed on <paramref name="mnemonic"/> (with a memory destination).</summary>
    public bool IsLockable(Mnemonic mnemonic) => _lockable.Contains(mnemonic);

    public IReadOnlyList<Code> CodesOf(Mnemonic mnemonic) =>
        _codesByMnemonic.TryGetValue(mnemonic, out List<Code>? list) ? list : [];

    /// <summary>The register classes the handler of <paramref name="code"/> accepts as register operands.</summary>
    public OperandRegisters RegistersOf(Code code) => _registers[(int)code];

    public void Add(Mnemonic mnemonic, InstructionHandler handler, bool lockable = false, OperandRegisters registers = OperandRegisters.General)
    {
        foreach (Code code in CodesOf(mnemonic))
        {
            _handlers[(int)code] = handler;
            _registers[(int)code] = registers;
        }

        if (lockable)
        {
            _lockable.Add(mnemonic);
        }
    }

    public void Add(Code code, InstructionHandler handler, OperandRegisters registers = OperandRegisters.General)
    {
        _handlers[(int)code] = handler;
        _registers[(int)code] = registers;
    }
}
