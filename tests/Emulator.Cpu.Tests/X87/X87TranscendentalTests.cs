using System.Buffers.Binary;
using Emulator.Tests.Shared;
using Iced.Intel;

namespace Emulator.Cpu.Tests.X87;

/// <summary>
/// The transcendentals against the host, not bit for bit: the emulator computes them in binary64 (about 53
/// correct bits), so results are compared as doubles within 1e-13 absolute or relative, and only the stack
/// shape (TOP, tags) and C2 are compared in FSW.
/// </summary>
[Trait("Category", FuzzBudget.Category)]
public sealed class X87TranscendentalTests : IDisposable
{
    private readonly X87NativeRunner _native = new();
    private readonly X87InterpreterRunner _interpreter = new();

    public static TheoryData<string> Forms() => ["fsin", "fcos", "fptan", "fsincos", "f2xm1", "fyl2x", "fyl2xp1", "fpatan"];

    private static Action<Assembler> Emit(string name) => name switch
    {
        "fsin" => a => a.fsin(),
        "fcos" => a => a.fcos(),
        "fptan" => a => a.fptan(),
        "fsincos" => a => a.fsincos(),
        "f2xm1" => a => a.f2xm1(),
        "fyl2x" => a => a.fyl2x(),
        "fyl2xp1" => a => a.fyl2xp1(),
        _ => a => a.fpatan(),
    };

    [Theory]
    [MemberData(nameof(Forms))]
    public void CloseToHost(string name)
    {
        byte[] snippet = X87Snippet.Build(Emit(name));
        var random = new Random(name.Aggregate(0x1F, (hash, ch) => (hash * 31) + ch));
        int iterations = FuzzBudget.Iterations(2000);
        for (int n = 0; n < iterations; n++)
        {
            byte[] block = new byte[X87Block.Size];
            Span<byte> image = block.AsSpan(X87Block.Input, X87Block.ImageSize);
            BinaryPrimitives.WriteUInt16LittleEndian(image, 0x037F);
            BinaryPrimitives.WriteUInt16LittleEndian(image[8..], 0xFFF0);
            double x = name switch
            {
                "f2xm1" => (random.NextDouble() * 2) - 1,
                "fyl2xp1" => (random.NextDouble() - 0.5) * 0.5,
                "fyl2x" => random.NextDouble() * 1000,
                _ => (random.NextDouble() - 0.5) * 6,
            };
            double y = (random.NextDouble() - 0.5) * 8;
            X87Memory.Encode80(image[28..], Float80Arithmetic.FromFloat64(BitConverter.DoubleToUInt64Bits(x), out _));
            X87Memory.Encode80(image[38..], Float80Arithmetic.FromFloat64(BitConverter.DoubleToUInt64Bits(y), out _));
            byte[] expected = _native.Run(snippet, block);
            byte[] actual = _interpreter.Run(snippet, block);
            Span<byte> e = expected.AsSpan(X87Block.Output);
            Span<byte> a = actual.AsSpan(X87Block.Output);
            const ushort shape = X87Status.TopMask | X87Status.C2;
            Assert.True((BinaryPrimitives.ReadUInt16LittleEndian(e[4..]) & shape) == (BinaryPrimitives.ReadUInt16LittleEndian(a[4..]) & shape), $"{name}({x}, {y}): FSW");
            Assert.True(BinaryPrimitives.ReadUInt16LittleEndian(e[8..]) == BinaryPrimitives.ReadUInt16LittleEndian(a[8..]), $"{name}({x}, {y}): tags");
            for (int st = 0; st < 2; st++)
            {
                double host = ToDouble(e.Slice(28 + (10 * st), 10));
                double emu = ToDouble(a.Slice(28 + (10 * st), 10));
                double error = Math.Abs(host - emu);
                Assert.True(error <= 1e-13 || error <= Math.Abs(host) * 1e-13, $"{name}({x}, {y}) ST{st}: host {host:R} emu {emu:R}");
            }
        }
    }

    private static double ToDouble(ReadOnlySpan<byte> bytes) =>
        BitConverter.UInt64BitsToDouble(Float80Arithmetic.ToFloat64(X87Memory.Decode80(bytes), new FloatStatus()));

    public void Dispose()
    {
        _native.Dispose();
        _interpreter.Dispose();
    }
}
