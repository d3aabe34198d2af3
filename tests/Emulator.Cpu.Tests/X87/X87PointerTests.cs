using System.Buffers.Binary;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Cpu.Tests.X87;

/// <summary>
/// The last-instruction pointers FNSAVE stores (32-bit protected layout, as 64-bit mode uses): the opcode
/// (FOP: the low three opcode bits and the whole mod/rm byte, memory forms included), the instruction
/// pointer and the data pointer of the last non-control instruction, compared with the host relative to
/// where each placed the code and the block. Several addressing forms exercise the mod/rm reconstruction.
/// </summary>
public sealed class X87PointerTests : IDisposable
{
    private readonly X87NativeRunner _native = new();
    private readonly X87InterpreterRunner _interpreter = new();

    public static TheoryData<string> Forms() => [.. Cases.Keys];

    private static readonly Dictionary<string, (Action<Assembler> Emit, bool Memory)> Cases = new()
    {
        ["fld m32 [rdi+disp32]"] = (a => a.fld(__dword_ptr[rdi + X87Block.Operand]), true),
        ["fadd m64 [rax]"] = (a => { a.lea(rax, __[rdi + X87Block.Operand]); a.fadd(__qword_ptr[rax]); }, true),
        ["fmul m32 [rax+disp8]"] = (a => { a.lea(rax, __[rdi + X87Block.Operand - 8]); a.fmul(__dword_ptr[rax + 8]); }, true),
        ["fild m16 [rdi+rax]"] = (a => { a.mov(eax, X87Block.Operand); a.fild(__word_ptr[rdi + rax]); }, true),
        ["fistp m32 [rdi+rax*2+disp8]"] = (a => { a.mov(eax, (X87Block.Operand - 16) / 2); a.fistp(__dword_ptr[rdi + (rax * 2) + 16]); }, true),
        ["fstp m80 [r8]"] = (a => { a.lea(r8, __[rdi + X87Block.Operand]); a.fstp(__tword_ptr[r8]); }, true),
        ["fcom m64 [r12+disp32]"] = (a => { a.push(r12); a.lea(r12, __[rdi]); a.fcom(__qword_ptr[r12 + X87Block.Operand]); a.pop(r12); }, true),
        ["fadd st0,st3"] = (a => a.fadd(st0, st3), false),
        ["fsubrp st2,st0"] = (a => a.fsubrp(st2, st0), false),
        ["fxch st5"] = (a => a.fxch(st0, st5), false),
        ["fsin"] = (a => a.fsin(), false),
        ["fucomip st1"] = (a => a.fucomip(st0, st1), false),
        ["fld m32 then fnstcw (control: pointers kept)"] = (a => { a.fld(__dword_ptr[rdi + X87Block.Operand]); a.fnstcw(__word_ptr[rdi + X87Block.Operand + 8]); }, true),
    };

    [Theory]
    [MemberData(nameof(Forms))]
    public void PointersMatchHost(string name)
    {
        (Action<Assembler> emit, bool memory) = Cases[name];
        byte[] snippet = X87Snippet.Build(emit);
        byte[] block = new byte[X87Block.Size];
        Span<byte> image = block.AsSpan(X87Block.Input, X87Block.ImageSize);
        BinaryPrimitives.WriteUInt16LittleEndian(image, 0x037F);
        BinaryPrimitives.WriteUInt16LittleEndian(image[8..], 0xFFF0);
        X87Memory.Encode80(image[28..], Float80Arithmetic.One);
        X87Memory.Encode80(image[38..], Float80Arithmetic.One);
        BinaryPrimitives.WriteUInt64LittleEndian(block.AsSpan(X87Block.Operand), 0x3FF0_0000_3F80_0000);
        byte[] expected = _native.Run(snippet, block);
        byte[] actual = _interpreter.Run(snippet, block);
        Span<byte> e = expected.AsSpan(X87Block.Output);
        Span<byte> a = actual.AsSpan(X87Block.Output);
        Assert.Equal(Fop(e), Fop(a));
        Assert.Equal(Relative(e[12..], _native.CodeAddress), Relative(a[12..], X87InterpreterRunner.CodeAddress));
        if (memory)
        {
            Assert.Equal(Relative(e[20..], _native.BlockAddress), Relative(a[20..], X87InterpreterRunner.BlockAddress));
        }
    }

    /// <summary>
    /// FNSTENV with operand size 16 (66 D9 /6) in 64-bit mode stores the 14-byte protected-mode layout (SDM vol. 1,
    /// figure 8-11): FCW, FSW, full FTW, then the low 16 bits of FIP and FDP beside FCS and FDS, and no FOP.
    /// </summary>
    [Theory]
    [InlineData(Code.Fnstenv_m14byte, 14)]
    [InlineData(Code.Fnstenv_m28byte, 28)]
    [InlineData(Code.Fnsave_m94byte, 94)]
    public void EnvironmentLayoutsMatchHost(Code code, int size)
    {
        byte[] snippet = X87Snippet.Build(a =>
        {
            a.fld(__dword_ptr[rdi + X87Block.Operand]);
            a.fadd(__dword_ptr[rdi + X87Block.Operand + 4]);
            a.AddInstruction(Instruction.Create(code, new MemoryOperand(Register.RDI, 344)));
        });
        byte[] block = new byte[X87Block.Size];
        Span<byte> image = block.AsSpan(X87Block.Input, X87Block.ImageSize);
        BinaryPrimitives.WriteUInt16LittleEndian(image, 0x0B7F);
        BinaryPrimitives.WriteUInt16LittleEndian(image[4..], 0x3000);
        BinaryPrimitives.WriteUInt16LittleEndian(image[8..], 0xFFF0);
        X87Memory.Encode80(image[28..], Float80Arithmetic.One);
        X87Memory.Encode80(image[38..], Float80Arithmetic.Zero(true));
        BinaryPrimitives.WriteUInt64LittleEndian(block.AsSpan(X87Block.Operand), 0x3FC0_0000_3F80_0000);
        byte[] expected = _native.Run(snippet, block);
        byte[] actual = _interpreter.Run(snippet, block);
        const int at = 344;
        Span<byte> e = expected.AsSpan(at, size);
        Span<byte> a = actual.AsSpan(at, size);
        if (size == 28)
        {
            Assert.Equal(Convert.ToHexString(e[..12]), Convert.ToHexString(a[..12]));
            Assert.Equal(Fop(e), Fop(a));
            Assert.Equal(Relative(e[12..], _native.CodeAddress), Relative(a[12..], X87InterpreterRunner.CodeAddress));
            Assert.Equal(Relative(e[20..], _native.BlockAddress), Relative(a[20..], X87InterpreterRunner.BlockAddress));
            return;
        }

        Assert.Equal(Convert.ToHexString(e[..6]), Convert.ToHexString(a[..6]));
        Assert.Equal(Relative16(e[6..], _native.CodeAddress), Relative16(a[6..], X87InterpreterRunner.CodeAddress));
        Assert.Equal(Relative16(e[10..], _native.BlockAddress), Relative16(a[10..], X87InterpreterRunner.BlockAddress));
        Assert.Equal(Convert.ToHexString(e[14..]), Convert.ToHexString(a[14..]));
    }

    /// <summary>
    /// FXSAVE64 (REX.W) after FLD and FDIV. With the divide-by-zero unmasked, FSW.ES is pending and the host (AMD) stores
    /// FOP and the 64-bit FIP/FDP of the FDIV; with it masked (no pending exception) the host stores zeros there
    /// (AMD's documented FXSAVE behaviour), which the emulator does not model (it always stores the pointers),
    /// so that case compares everything but the pointers.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void FxsaveMatchesHost(bool pending)
    {
        const int at = X87Block.Fxsave;
        byte[] snippet = X87Snippet.Build(a =>
        {
            a.fld(__dword_ptr[rdi + X87Block.Operand]);
            a.fdiv(__dword_ptr[rdi + X87Block.Operand + 4]);
            a.fxsave64(__[rdi + at]);
        });
        byte[] block = new byte[X87Block.Size];
        Span<byte> image = block.AsSpan(X87Block.Input, X87Block.ImageSize);
        BinaryPrimitives.WriteUInt16LittleEndian(image, (ushort)(pending ? 0x037B : 0x037F));
        BinaryPrimitives.WriteUInt16LittleEndian(image[8..], 0xFFF0);
        X87Memory.Encode80(image[28..], Float80Arithmetic.One);
        BinaryPrimitives.WriteUInt64LittleEndian(block.AsSpan(X87Block.Operand), 0x0000_0000_3F80_0000);
        byte[] expected = _native.Run(snippet, block);
        byte[] actual = _interpreter.Run(snippet, block);
        Span<byte> e = expected.AsSpan(at, 160);
        Span<byte> a = actual.AsSpan(at, 160);
        Assert.Equal(Convert.ToHexString(e[..6]), Convert.ToHexString(a[..6]));
        Assert.Equal(Convert.ToHexString(e[32..]), Convert.ToHexString(a[32..]));
        if (pending)
        {
            Assert.Equal(BinaryPrimitives.ReadUInt16LittleEndian(e[6..]), BinaryPrimitives.ReadUInt16LittleEndian(a[6..]));
            Assert.Equal(BinaryPrimitives.ReadUInt64LittleEndian(e[8..]) - _native.CodeAddress, BinaryPrimitives.ReadUInt64LittleEndian(a[8..]) - X87InterpreterRunner.CodeAddress);
            Assert.Equal(BinaryPrimitives.ReadUInt64LittleEndian(e[16..]) - _native.BlockAddress, BinaryPrimitives.ReadUInt64LittleEndian(a[16..]) - X87InterpreterRunner.BlockAddress);
        }
    }

    private static ushort Relative16(ReadOnlySpan<byte> field, ulong address) => (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(field) - (ushort)address);

    private static int Fop(ReadOnlySpan<byte> image) => (int)(BinaryPrimitives.ReadUInt32LittleEndian(image[16..]) >> 16) & 0x7FF;

    /// <summary>The stored 32-bit pointer minus the base (the 32-bit layout keeps the low half of a 64-bit address).</summary>
    private static uint Relative(ReadOnlySpan<byte> field, ulong address) => BinaryPrimitives.ReadUInt32LittleEndian(field) - (uint)address;

    public void Dispose()
    {
        _native.Dispose();
        _interpreter.Dispose();
    }
}
