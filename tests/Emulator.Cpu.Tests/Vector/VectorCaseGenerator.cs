using System.Buffers.Binary;
using Iced.Intel;

namespace Emulator.Cpu.Tests.Vector;

/// <summary>
/// Cases for one legacy-encoded vector form: operands chosen from the form's Iced operand kinds (MMX, XMM and
/// general registers except RSP, RDI and the memory base; memory at [R15+disp] inside the scratch buffer, 16-byte
/// aligned unless the form allows any alignment), with edge-biased register, MXCSR and memory values. A few
/// encodings per form, many value sets per encoding. An MXCSR the instruction loads (LDMXCSR, FXRSTOR) is planted valid.
/// </summary>
public sealed class VectorCaseGenerator(int seed)
{
    private static readonly int[] Gprs = [0, 1, 2, 3, 5, 6, 8, 9, 10, 11, 12, 13, 14];

    private readonly VectorValues _values = new(seed);

    public IEnumerable<VectorCase> Generate(Code code, int encodings, int valuesPerEncoding)
    {
        string name = code.Mnemonic().ToString().ToUpperInvariant();
        int ps = Math.Max(name.IndexOf("PS", StringComparison.Ordinal), name.IndexOf("SS", StringComparison.Ordinal));
        int pd = Math.Max(name.IndexOf("PD", StringComparison.Ordinal), name.IndexOf("SD", StringComparison.Ordinal));
        _values.PreferredLane = ps < 0 && pd < 0 ? 0 : ps >= 0 && (pd < 0 || ps < pd) ? 4 : 8;
        for (int e = 0; e < encodings; e++)
        {
            (byte[] bytes, int memoryOffset, string text) = Encode(code);
            for (int v = 0; v < valuesPerEncoding; v++)
            {
                VectorState state = NextState();
                yield return new VectorCase(bytes, state, NextMemory(code, memoryOffset), text);
            }
        }
    }

    private VectorState NextState()
    {
        var state = new VectorState { Mxcsr = _values.NextMxcsr() };
        for (int i = 0; i < XmmFile.Count; i++)
        {
            state.XmmLow(i) = _values.NextValue();
            state.XmmHigh(i) = _values.NextValue();
        }

        for (int i = 0; i < 8; i++)
        {
            state.Mmx(i) = _values.NextValue();
        }

        for (int i = 0; i < 16; i++)
        {
            state.Gpr(i) = _values.NextValue();
        }

        return state;
    }

    private byte[] NextMemory(Code code, int memoryOffset)
    {
        byte[] memory = new byte[VectorCase.MemorySize];
        _values.Fill(memory);
        Mnemonic mnemonic = code.Mnemonic();
        if (memoryOffset >= 0 && mnemonic is Mnemonic.Ldmxcsr)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(memory.AsSpan(memoryOffset), (uint)_values.NextMxcsr());
        }

        if (memoryOffset >= 0 && mnemonic is Mnemonic.Fxrstor or Mnemonic.Fxrstor64)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(memory.AsSpan(memoryOffset + 24), (uint)_values.NextMxcsr());

            // A sane x87 control word: everything masked, so the host's later x87 use cannot trap before FNINIT.
            BinaryPrimitives.WriteUInt16LittleEndian(memory.AsSpan(memoryOffset), 0x37F);
        }

        return memory;
    }

    /// <summary>
    /// 16-byte operands of the aligned forms are always aligned: a misaligned one is #GP(0) on any CPU without AMD's
    /// MXCSR.MM, which our vCPU (like QEMU) does not offer and which these tests never set on the host; the fault
    /// itself is covered by VectorFaultTests.
    /// </summary>
    private (byte[] Bytes, int MemoryOffset, string Text) Encode(Code code)
    {
        var instruction = new Instruction { Code = code };
        OpCodeInfo info = code.ToOpCode();
        int memoryOffset = -1;
        if (code is Code.Maskmovq_rDI_mm_mm or Code.Maskmovdqu_rDI_xmm_xmm)
        {
            instruction = code == Code.Maskmovq_rDI_mm_mm
                ? Instruction.CreateMaskmovq(64, Pick(OpCodeOperandKind.mm_reg), Pick(OpCodeOperandKind.mm_rm))
                : Instruction.CreateMaskmovdqu(64, Pick(OpCodeOperandKind.xmm_reg), Pick(OpCodeOperandKind.xmm_rm));
        }
        else
        {
            for (int op = 0; op < info.OpCount; op++)
            {
                OpCodeOperandKind kind = info.GetOpKind(op);
                bool memory = kind == OpCodeOperandKind.mem
                    || (kind is OpCodeOperandKind.mm_or_mem or OpCodeOperandKind.xmm_or_mem or OpCodeOperandKind.r32_or_mem or OpCodeOperandKind.r64_or_mem && _values.Next(2) == 0);
                if (kind == OpCodeOperandKind.imm8)
                {
                    instruction.SetOpKind(op, OpKind.Immediate8);
                    instruction.Immediate8 = (byte)(_values.Next(4) == 0 ? _values.Next(40) : _values.Next(256));
                }
                else if (memory)
                {
                    int size = instruction.MemorySize.GetSize();
                    Mnemonic mnemonic = code.Mnemonic();
                    bool unalignedForm = mnemonic is Mnemonic.Movups or Mnemonic.Movupd or Mnemonic.Movdqu or Mnemonic.Lddqu;
                    bool aligned = size >= 16 && !unalignedForm;
                    memoryOffset = aligned || size == 0 ? 16 * _values.Next(30) : _values.Next(480);
                    instruction.SetOpKind(op, OpKind.Memory);
                    instruction.MemoryBase = Register.R15;
                    instruction.MemoryDisplacement64 = (ulong)memoryOffset;
                    instruction.MemoryDisplSize = 8;
                }
                else
                {
                    instruction.SetOpKind(op, OpKind.Register);
                    instruction.SetOpRegister(op, Pick(kind));
                }
            }
        }

        var writer = new CodeWriterImpl();
        var encoder = Encoder.Create(64, writer);
        if (!encoder.TryEncode(instruction, VectorInterpreterRunner.CodeAddress, out _, out string? error))
        {
            throw new InvalidOperationException($"{code}: {error}");
        }

        return (writer.ToArray(), memoryOffset, instruction.ToString());
    }

    private Register Pick(OpCodeOperandKind kind) => kind switch
    {
        OpCodeOperandKind.mm_reg or OpCodeOperandKind.mm_rm or OpCodeOperandKind.mm_or_mem => Register.MM0 + _values.Next(8),
        OpCodeOperandKind.xmm_reg or OpCodeOperandKind.xmm_rm or OpCodeOperandKind.xmm_or_mem => Register.XMM0 + _values.Next(16),
        OpCodeOperandKind.r32_reg or OpCodeOperandKind.r32_rm or OpCodeOperandKind.r32_or_mem or OpCodeOperandKind.r32_reg_mem => Register.EAX + Gprs[_values.Next(Gprs.Length)],
        OpCodeOperandKind.r64_reg or OpCodeOperandKind.r64_rm or OpCodeOperandKind.r64_or_mem or OpCodeOperandKind.r64_reg_mem => Register.RAX + Gprs[_values.Next(Gprs.Length)],
        _ => throw new InvalidOperationException($"operand kind {kind} is not generated"),
    };

    private sealed class CodeWriterImpl : CodeWriter
    {
        private readonly List<byte> _bytes = [];

        public override void WriteByte(byte value) => _bytes.Add(value);

        public byte[] ToArray() => [.. _bytes];
    }
}
