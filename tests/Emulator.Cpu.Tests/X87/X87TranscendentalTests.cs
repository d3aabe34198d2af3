using System.Buffers.Binary;
using Emulator.Tests.Shared;
using Iced.Intel;

namespace Emulator.Cpu.Tests.X87;

/// <summary>
/// The transcendentals against the host x87. The emulator rounds a 128-bit-precision value once, so its
/// results are correctly rounded (trig after reduction by the hardware's 66-bit pi). The hardware is not
/// correctly rounded for these instructions: its internal evaluation is a little wider than 64 bits, and
/// it lands one ulp off in a few percent of random operands (measured on this host's AMD family 1Ah part;
/// Intel parts differ from AMD by an ulp in other places again). So: random operands must be bit-identical
/// in the vast majority of cases and never more than one ulp off, and a one-ulp case may also differ in C1
/// (the round-up bit follows the result). Special operands (zeros, infinities, NaNs, denormals, the invalid and
/// divide-by-zero cases, out-of-range trig operands) must match bit for bit, FSW included.
/// </summary>
[Trait("Category", FuzzBudget.Category)]
public sealed class X87TranscendentalTests : IDisposable
{
    private readonly X87NativeRunner _native = new();
    private readonly X87InterpreterRunner _interpreter = new();

    public static TheoryData<string> Forms() => ["fsin", "fcos", "fptan", "fsincos", "f2xm1", "fyl2x", "fyl2xp1", "fpatan"];

    public static Action<Assembler> Emit(string name) => name switch
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
    public void RandomOperandsMatchHost(string name)
    {
        byte[] snippet = X87Snippet.Build(Emit(name));
        var random = new Random(name.Aggregate(0x1F, (hash, ch) => (hash * 31) + ch));
        int iterations = FuzzBudget.Iterations(1500);
        int exact = 0;
        for (int n = 0; n < iterations; n++)
        {
            ushort fcw = (ushort)(0x037F | (random.Next(4) << 10));
            Float80 x = name switch
            {
                "f2xm1" => Random(random, -64, -1),
                "fyl2xp1" => Random(random, -64, -3),
                "fyl2x" => Float80Arithmetic.Abs(Random(random, -300, 300)),
                "fpatan" => Random(random, -20, 20),
                _ => Random(random, -20, 62),
            };
            Float80 y = Random(random, -20, 20);
            Outcome outcome = Compare(snippet, fcw, x, y, out string detail);
            Assert.True(outcome != Outcome.Different, $"{name}: {detail}");
            exact += outcome == Outcome.Exact ? 1 : 0;
        }

        // The host misses correct rounding in 1-4% of these operands, depending on the instruction (see the class comment).
        Assert.True(exact >= iterations * 94 / 100, $"{name}: only {exact} of {iterations} bit-identical");
    }

    [Theory]
    [MemberData(nameof(Forms))]
    public void SpecialOperandsMatchHost(string name)
    {
        byte[] snippet = X87Snippet.Build(Emit(name));
        Float80[] operands = Specials(name);
        foreach (ushort fcw in new ushort[] { 0x037F, 0x0F7F })
        {
            foreach (Float80 x in operands)
            {
                foreach (Float80 y in name is "fyl2x" or "fyl2xp1" or "fpatan" ? Specials("y") : [Float80Arithmetic.One])
                {
                    Outcome outcome = Compare(snippet, fcw, x, y, out string detail);
                    Assert.True(outcome != Outcome.Different, $"{name}: {detail}");
                }
            }
        }
    }

    /// <summary>Values straddling multiples of pi/2: the reduction must cancel exactly as the hardware's does.</summary>
    [Theory]
    [InlineData("fsin")]
    [InlineData("fcos")]
    [InlineData("fptan")]
    public void NearMultiplesOfHalfPiMatchHost(string name)
    {
        byte[] snippet = X87Snippet.Build(Emit(name));
        var random = new Random(7);
        int exact = 0;
        int count = 0;
        foreach (long k in new long[] { 1, 2, 3, 4, 5, 7, 100, 1000, 123456789, 1L << 40, (1L << 61) + 12345 })
        {
            // The Float80 nearest k * pi/2, and a few neighbours.
            WideFloat target = WideConstants.HalfPi * WideFloat.FromInt(k);
            Float80 center = target.ToFloat80(new FloatStatus());
            for (int delta = -2; delta <= 2; delta++)
            {
                Float80 x = center;
                x.Significand = (ulong)((long)x.Significand + delta);
                ushort fcw = (ushort)(0x037F | (random.Next(4) << 10));
                Outcome outcome = Compare(snippet, fcw, x, Float80Arithmetic.One, out string detail);
                Assert.True(outcome != Outcome.Different, $"{name}: {detail}");
                exact += outcome == Outcome.Exact ? 1 : 0;
                count++;
            }
        }

        // sin and cos match throughout; the host's tan loses a little more near its poles (20% one ulp off here).
        Assert.True(exact >= count * (name == "fptan" ? 75 : 95) / 100, $"{name}: only {exact} of {count} bit-identical");
    }

    private enum Outcome
    {
        Exact,
        OneUlp,
        Different,
    }

    /// <summary>
    /// The differential suite's random machine states: any TOP, shallow stacks (underflow), full ones (FPTAN/FSINCOS
    /// overflow), random RC and PC, its edge values (unsupported formats, pseudo-denormals, huge and tiny numbers),
    /// and in a quarter of the cases one exception unmasked.
    /// </summary>
    [Theory]
    [MemberData(nameof(Forms))]
    public void RandomStacksMatchHost(string name)
    {
        byte[] snippet = X87Snippet.Build(Emit(name));
        var builder = new X87CaseBuilder(new Random(name.Aggregate(0x3B, (hash, ch) => (hash * 31) + ch)));
        var form = new X87Form(name, Emit(name), name is "fyl2x" or "fyl2xp1" or "fpatan" ? 2 : 1);
        int iterations = FuzzBudget.Iterations(500);
        for (int n = 0; n < iterations; n++)
        {
            byte[] block = builder.Build(form);
            if (n % 4 == 3)
            {
                // Unmask some exceptions: the snippet ends with no-wait instructions, so a pending one never traps,
                // and the host shows which results are still written and with what bias adjustment.
                // The input FSW then holds no exception flags, which would trap at once (a host SIGFPE).
                block[X87Block.Input] &= (byte)~(1 << (n / 4 % 6));
                block[X87Block.Input + 4] &= 0x40;
                block[X87Block.Input + 5] &= 0x7F;
            }

            Outcome outcome = Compare(snippet, block, out string detail);
            Assert.True(outcome != Outcome.Different, $"{name} case {n}: {detail}");
        }
    }

    private Outcome Compare(byte[] snippet, ushort fcw, Float80 x, Float80 y, out string detail)
    {
        byte[] block = new byte[X87Block.Size];
        Span<byte> image = block.AsSpan(X87Block.Input, X87Block.ImageSize);
        BinaryPrimitives.WriteUInt16LittleEndian(image, fcw);
        BinaryPrimitives.WriteUInt16LittleEndian(image[8..], 0xFFF0);
        X87Memory.Encode80(image[28..], x);
        X87Memory.Encode80(image[38..], y);
        return Compare(snippet, block, out detail);
    }

    private Outcome Compare(byte[] snippet, byte[] block, out string detail)
    {
        Span<byte> input = block.AsSpan(X87Block.Input, X87Block.ImageSize);
        ushort fcw = BinaryPrimitives.ReadUInt16LittleEndian(input);
        string x = Text(input[28..]);
        string y = Text(input[38..]);
        byte[] expected = _native.Run(snippet, block);
        byte[] actual = _interpreter.Run(snippet, block);
        Span<byte> e = expected.AsSpan(X87Block.Output, X87Block.ImageSize);
        Span<byte> a = actual.AsSpan(X87Block.Output, X87Block.ImageSize);
        ushort fswE = BinaryPrimitives.ReadUInt16LittleEndian(e[4..]);
        ushort fswA = BinaryPrimitives.ReadUInt16LittleEndian(a[4..]);
        detail = $"fcw {fcw:x4} FSW/FTW in {Convert.ToHexString(input[4..10])} x {x} y {y}: FSW host {fswE:x4} emu {fswA:x4}, ST0 host {Text(e[28..])} emu {Text(a[28..])}, ST1 host {Text(e[38..])} emu {Text(a[38..])}";
        if (e[..12].SequenceEqual(a[..12]) && e[28..48].SequenceEqual(a[28..48]))
        {
            return Outcome.Exact;
        }

        bool sameOtherwise = ((fswE ^ fswA) & ~X87Status.C1) == 0 && e[8..12].SequenceEqual(a[8..12]);
        bool within = OneUlp(e[28..38], a[28..38]) && OneUlp(e[38..48], a[38..48]);
        return sameOtherwise && within ? Outcome.OneUlp : Outcome.Different;
    }

    /// <summary>Equal, or adjacent finite values of one sign (the 80-bit encoding orders them as integers).</summary>
    private static bool OneUlp(ReadOnlySpan<byte> host, ReadOnlySpan<byte> emu)
    {
        Float80 h = X87Memory.Decode80(host);
        Float80 m = X87Memory.Decode80(emu);
        if (h.SignExponent == m.SignExponent && h.Significand == m.Significand)
        {
            return true;
        }

        if (Float80Arithmetic.SignOf(h) != Float80Arithmetic.SignOf(m) || Float80Arithmetic.IsNaN(h) || Float80Arithmetic.IsNaN(m))
        {
            return false;
        }

        static Int128 Key(Float80 f) => ((Int128)Float80Arithmetic.ExponentOf(f) << 63) + (long)(f.Significand & ~Float80Arithmetic.IntegerBit);
        Int128 gap = Key(h) - Key(m);
        return gap == 1 || gap == -1;
    }

    private static Float80 Random(Random random, int minExponent, int maxExponent)
    {
        int exponent = random.Next(minExponent, maxExponent + 1);
        ulong significand = (ulong)random.NextInt64() | Float80Arithmetic.IntegerBit;
        return Float80Arithmetic.Pack(random.Next(2) == 0, Float80Arithmetic.Bias + exponent, significand);
    }

    private static Float80 F(int signExponent, ulong significand) => new() { SignExponent = (ushort)signExponent, Significand = significand };

    /// <summary>The SDM tables' operand classes for each instruction, plus denormals and NaNs.</summary>
    private static Float80[] Specials(string name)
    {
        Float80[] common =
        [
            F(0, 0), F(0x8000, 0), F(0x7FFF, 1UL << 63), F(0xFFFF, 1UL << 63),
            F(0, 1), F(0x8000, 0x0000_0001_2345_6789), F(0, 0x7FFF_FFFF_FFFF_FFFF), F(0, 0x8000_0000_0000_0000),
            F(0x7FFF, 0xC000_0000_0000_0001), F(0xFFFF, 0x8000_0000_0000_0005), F(0x3FFF, 0x4000_0000_0000_0000),
            F(1, 1UL << 63), F(0x0010, 0xABCD_EF01_2345_6789), F(0x3FBF, 0x8000_0000_0000_0000), F(0xBFC0, 0xC000_0000_0000_0001),
        ];
        Float80[] extra = name switch
        {
            "fsin" or "fcos" or "fptan" or "fsincos" =>
            [
                F(0x403E, 1UL << 63), F(0xC03E, 0xFFFF_FFFF_FFFF_FFFF), F(0x403D, 0xFFFF_FFFF_FFFF_FFFF), F(0x4100, 0x8000_0000_0000_0000),
                F(0x3FFF, 0xC90F_DAA2_2168_C235), F(0x4000, 0xC90F_DAA2_2168_C235), F(0xC000, 0xC90F_DAA2_2168_C234), F(0x3FFE, 0xC90F_DAA2_2168_C235),
                F(0x3FFF, 1UL << 63), F(0xBFFF, 1UL << 63),
            ],
            "f2xm1" =>
            [
                F(0x3FFF, 1UL << 63), F(0xBFFF, 1UL << 63), F(0x3FFE, 1UL << 63), F(0xBFFE, 1UL << 63), F(0x3FFE, 0xFFFF_FFFF_FFFF_FFFF),
                F(0xBFFE, 0xFFFF_FFFF_FFFF_FFFF), F(0x3F00, 0x8000_0000_0000_0001), F(0xBF00, 0x8000_0000_0000_0001), F(0x3FC0, 0xFFFF_FFFF_FFFF_FFFF),
                F(0x4000, 1UL << 63), F(0xC000, 0xC000_0000_0000_0000), F(0x3FFF, 0x8000_0000_0000_0001), F(0x4010, 0x9000_0000_0000_0000),
            ],
            "fyl2x" =>
            [
                F(0x3FFF, 1UL << 63), F(0xBFFF, 1UL << 63), F(0x4000, 1UL << 63), F(0x3FF0, 1UL << 63), F(0x3FFE, 0xFFFF_FFFF_FFFF_FFFF),
                F(0x3FFF, 0x8000_0000_0000_0001), F(0x7FFE, 0xFFFF_FFFF_FFFF_FFFF), F(0xC000, 0xC000_0000_0000_0000),
            ],
            "fyl2xp1" =>
            [
                F(0x3FFD, 0x9000_0000_0000_0000), F(0xBFFD, 0x9000_0000_0000_0000), F(0x3FC0, 1UL << 63), F(0xBFC0, 0xFFFF_FFFF_FFFF_FFFF),
                F(0xBFFE, 0xE000_0000_0000_0000), F(0xBFFF, 1UL << 63), F(0xC000, 1UL << 63), F(0xC100, 0xC000_0000_0000_0000), F(0x3FFE, 1UL << 63),
            ],
            "fpatan" or "y" =>
            [
                F(0x3FFF, 1UL << 63), F(0xBFFF, 1UL << 63), F(0x4000, 0xC000_0000_0000_0000), F(0xC000, 0xC000_0000_0000_0000),
                F(0x7FFE, 0xFFFF_FFFF_FFFF_FFFF), F(0xBFF0, 0x8765_4321_0FED_CBA9),
            ],
            _ => [],
        };
        return [.. common, .. extra];
    }

    private static string Text(Float80 value) => $"{value.SignExponent:x4}:{value.Significand:x16}";

    private static string Text(ReadOnlySpan<byte> bytes) => Text(X87Memory.Decode80(bytes));

    public void Dispose()
    {
        _native.Dispose();
        _interpreter.Dispose();
    }
}
