using System.Buffers.Binary;
using System.Text;
using Emulator.Tests.Shared;

namespace Emulator.Cpu.Tests.X87;

/// <summary>
/// Each x87 form, with edge and random stacks, operands, RC and PC, runs on the host's x87 and in the
/// interpreter; the FNSAVE images (registers, FCW, FSW with TOP and condition codes, full tag word), the
/// memory operand and the status flags must match bit for bit. FIP/FCS/FOP/FDP/FDS are not compared here (the
/// code and data addresses differ): X87PointerTests compares them relative to where each side placed code and data.
/// </summary>
[Trait("Category", FuzzBudget.Category)]
public sealed class X87DifferentialTests : IDisposable
{
    private readonly X87NativeRunner _native = new();
    private readonly X87InterpreterRunner _interpreter = new();

    [Theory]
    [MemberData(nameof(Forms))]
    public void MatchesHost(string name)
    {
        X87Form form = X87Forms.All.Single(f => f.Name == name);
        byte[] snippet = X87Snippet.Build(form.Emit);
        var builder = new X87CaseBuilder(new Random(name.Aggregate(0x87, (hash, ch) => (hash * 31) + ch)));
        int iterations = FuzzBudget.Iterations(4000);
        for (int n = 0; n < iterations; n++)
        {
            byte[] input = builder.Build(form);
            byte[] expected = _native.Run(snippet, input);
            byte[] actual = _interpreter.Run(snippet, input);
            string? difference = Compare(form, expected, actual);
            if (difference != null)
            {
                Assert.Fail($"{name} case {n}: {difference}\ninput: {Describe(input.AsSpan(X87Block.Input))}\noperand: {Convert.ToHexString(input, X87Block.Operand, 16)}");
            }
        }
    }

    public static TheoryData<string> Forms() => X87Forms.Names();

    private static string? Compare(X87Form form, byte[] expected, byte[] actual)
    {
        var report = new StringBuilder();
        Span<byte> e = expected.AsSpan(X87Block.Output, X87Block.ImageSize);
        Span<byte> a = actual.AsSpan(X87Block.Output, X87Block.ImageSize);
        ushort fswE = BinaryPrimitives.ReadUInt16LittleEndian(e[4..]);
        ushort fswA = BinaryPrimitives.ReadUInt16LittleEndian(a[4..]);
        if (!e[..12].SequenceEqual(a[..12]))
        {
            report.Append($" env FCW/FSW/FTW host {Convert.ToHexString(e[..12])} emu {Convert.ToHexString(a[..12])} (FSW host {fswE:x4} emu {fswA:x4});");
        }

        for (int st = 0; st < 8; st++)
        {
            Span<byte> re = e.Slice(28 + (10 * st), 10);
            Span<byte> ra = a.Slice(28 + (10 * st), 10);
            if (!re.SequenceEqual(ra))
            {
                report.Append($" ST{st} host {Text(re)} emu {Text(ra)};");
            }
        }

        Span<byte> oe = expected.AsSpan(X87Block.Operand, X87Block.OperandSize);
        Span<byte> oa = actual.AsSpan(X87Block.Operand, X87Block.OperandSize);
        if (form.OperandHoldsEnvironment)
        {
            oe = oe.ToArray();
            oa = oa.ToArray();
            oe[12..28].Clear();
            oa[12..28].Clear();
        }

        if (!oe.SequenceEqual(oa))
        {
            report.Append($" memory host {Convert.ToHexString(oe)} emu {Convert.ToHexString(oa)};");
        }

        const ulong status = 0x8D5;
        ulong flagsE = BinaryPrimitives.ReadUInt64LittleEndian(expected.AsSpan(X87Block.FlagsOut)) & status;
        ulong flagsA = BinaryPrimitives.ReadUInt64LittleEndian(actual.AsSpan(X87Block.FlagsOut)) & status;
        if (flagsE != flagsA)
        {
            report.Append($" RFLAGS host {flagsE:x} emu {flagsA:x};");
        }

        return report.Length == 0 ? null : report.ToString();
    }

    private static string Text(ReadOnlySpan<byte> bytes) => $"{BinaryPrimitives.ReadUInt16LittleEndian(bytes[8..]):x4}:{BinaryPrimitives.ReadUInt64LittleEndian(bytes):x16}";

    private static string Describe(ReadOnlySpan<byte> image)
    {
        var text = new StringBuilder();
        text.Append($"FCW {BinaryPrimitives.ReadUInt16LittleEndian(image):x4} FSW {BinaryPrimitives.ReadUInt16LittleEndian(image[4..]):x4} FTW {BinaryPrimitives.ReadUInt16LittleEndian(image[8..]):x4}");
        for (int st = 0; st < 8; st++)
        {
            text.Append($" ST{st}={Text(image.Slice(28 + (10 * st), 10))}");
        }

        return text.ToString();
    }

    public void Dispose()
    {
        _native.Dispose();
        _interpreter.Dispose();
    }
}
