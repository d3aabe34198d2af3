using Iced.Intel;
using Emulator.Tests.Shared;

namespace Emulator.Cpu.Tests.Differential;

/// <summary>
/// The generator against the host CPU alone: every covered form encodes, decodes back to itself, runs natively
/// without faulting and gives the same result twice; seeds are deterministic.
/// </summary>
public sealed class SnippetGeneratorTests : IDisposable
{
    private readonly NativeRunner _runner = new();

    public void Dispose() => _runner.Dispose();

    [Fact]
    public void CoversEveryFamily()
    {
        IReadOnlyList<Code> forms = InstructionForms.Of(InstructionForms.Everything);

        Assert.True(forms.Count > 400, $"only {forms.Count} forms");
        Assert.Contains(Code.Add_rm64_r64, forms);
        Assert.Contains(Code.Shl_rm16_CL, forms);
        Assert.Contains(Code.Imul_r64_rm64, forms);
        Assert.Contains(Code.Adc_rm32_imm32, forms);
        Assert.Contains(Code.Cmpxchg_rm64_r64, forms);
        Assert.Contains(Code.Lea_r64_m, forms);
        Assert.Contains(Code.Bswap_r64, forms);
        Assert.DoesNotContain(Code.Bswap_r16, forms);
        Assert.DoesNotContain(Code.Movsb_m8_m8, forms);
    }

    [Fact]
    public void EveryFormRunsNativelyAndRepeatably()
    {
        var generator = new SnippetGenerator(seed: 1);
        foreach (Code code in InstructionForms.Of(InstructionForms.Everything))
        {
            foreach (DifferentialCase testCase in generator.Generate(code, 40))
            {
                var decoder = Decoder.Create(64, new ByteArrayCodeReader(testCase.Code));
                Instruction decoded = decoder.Decode();
                // XCHG eAX with itself is encoded 90h, which decodes as NOP; the 0F 1C hint NOP with /0 and a memory
                // operand is CLDEMOTE's encoding (a NOP where CPUID does not advertise it, as ours does not).
                Assert.True(decoded.Code == code || decoded.Mnemonic is Mnemonic.Nop or Mnemonic.Cldemote, $"{code} decoded as {decoded.Code}");
                Assert.Equal(testCase.Code.Length, decoded.Length);

                Comparison comparison = StateComparer.Compare(testCase, _runner.Run(testCase), _runner.Run(testCase));
                Assert.True(comparison.Matches, comparison.Message);
            }
        }
    }

    [Fact]
    public void SameSeedSameCases()
    {
        DifferentialCase[] first = [.. new SnippetGenerator(42).Generate(Code.Sbb_rm16_imm8, 50)];
        DifferentialCase[] second = [.. new SnippetGenerator(42).Generate(Code.Sbb_rm16_imm8, 50)];

        for (int i = 0; i < first.Length; i++)
        {
            Assert.Equal(first[i].Code, second[i].Code);
            Assert.Equal(first[i].Input.Gpr, second[i].Input.Gpr);
            Assert.Equal(first[i].Input.Rflags, second[i].Input.Rflags);
            Assert.Equal(first[i].Memory, second[i].Memory);
        }
    }

    [Fact]
    [Trait("Category", FuzzBudget.Category)]
    public void NativeAddMatchesManagedArithmetic()
    {
        var generator = new SnippetGenerator(seed: 3);
        foreach (DifferentialCase testCase in generator.Generate(Code.Add_rm64_r64, FuzzBudget.Iterations(2_000)))
        {
            var decoded = Decoder.Create(64, new ByteArrayCodeReader(testCase.Code)).Decode();
            if (decoded.Op0Kind != OpKind.Register || decoded.Op1Kind != OpKind.Register)
            {
                continue;
            }

            GeneralRegister destination = OperandAccess.FullRegister(decoded.Op0Register);
            ulong a = testCase.Input[destination];
            ulong b = testCase.Input[OperandAccess.FullRegister(decoded.Op1Register)];
            RegisterSnapshot output = _runner.Run(testCase).Registers;

            Assert.Equal(a + b, output[destination]);
            Assert.Equal(a + b < a, (output.Rflags & RflagsBits.CF) != 0);
            Assert.Equal(a + b == 0, (output.Rflags & RflagsBits.ZF) != 0);
        }
    }

    [Fact]
    public void LockAppearsOnlyOnLockableFormsWithAnAlignedMemoryDestination()
    {
        var generator = new SnippetGenerator(seed: 9);
        int locked = 0;
        foreach (Code code in new[] { Code.Add_rm64_r64, Code.Bts_rm32_r32, Code.Cmp_rm64_r64, Code.Xadd_rm16_r16, Code.Mov_rm64_r64 })
        {
            foreach (DifferentialCase testCase in generator.Generate(code, 200))
            {
                Instruction decoded = Decoder.Create(64, new ByteArrayCodeReader(testCase.Code)).Decode();
                if (!decoded.HasLockPrefix)
                {
                    continue;
                }

                locked++;
                Assert.True(code is not (Code.Cmp_rm64_r64 or Code.Mov_rm64_r64), $"LOCK on {decoded}");
                Assert.Equal(OpKind.Memory, decoded.Op0Kind);
                Assert.Equal(0UL, decoded.MemoryDisplacement64 % (ulong)decoded.MemorySize.GetSize());
            }
        }

        Assert.True(locked > 50, $"only {locked} locked cases");
    }

    [Fact]
    public void DivisionInputsNeverFault()
    {
        var generator = new SnippetGenerator(seed: 5);
        foreach (Code code in InstructionForms.Of(InstructionForms.MulDiv).Where(c => c.Mnemonic() is Mnemonic.Div or Mnemonic.Idiv))
        {
            // A #DE here would kill the test process, so reaching the end is the assertion; the result is checked too.
            foreach (DifferentialCase testCase in generator.Generate(code, 500))
            {
                Assert.NotNull(_runner.Run(testCase));
            }
        }
    }

    [Theory]
    [InlineData(Mnemonic.Shl, 32, 0, FlagDefinitions.All)]
    [InlineData(Mnemonic.Shl, 32, 32, FlagDefinitions.All)]
    [InlineData(Mnemonic.Shl, 32, 1, FlagDefinitions.All & ~RflagsBits.AF)]
    [InlineData(Mnemonic.Shr, 8, 9, FlagDefinitions.All & ~(RflagsBits.AF | RflagsBits.OF | RflagsBits.CF))]
    [InlineData(Mnemonic.Rol, 8, 1, FlagDefinitions.All)]
    [InlineData(Mnemonic.Rcr, 16, 2, FlagDefinitions.All & ~RflagsBits.OF)]
    [InlineData(Mnemonic.Rol, 64, 64, FlagDefinitions.All)]
    [InlineData(Mnemonic.Imul, 64, 0, RflagsBits.CF | RflagsBits.OF | RflagsBits.DF)]
    [InlineData(Mnemonic.Div, 64, 0, RflagsBits.DF)]
    [InlineData(Mnemonic.Xor, 64, 0, FlagDefinitions.All & ~RflagsBits.AF)]
    public void FlagDefinitionsFollowTheSdm(Mnemonic mnemonic, int width, int count, ulong expected) =>
        Assert.Equal(expected, FlagDefinitions.Defined(mnemonic, width, count));
}
