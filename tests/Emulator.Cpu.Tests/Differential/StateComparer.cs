using System.Text;

namespace Emulator.Cpu.Tests.Differential;

/// <summary>
/// Compares an expected run (the host CPU) with an actual one (the interpreter): every GPR but RSP, the memory base
/// and the case's undefined registers; the case's defined flags (other status-flag differences are counted, not
/// failed); and the scratch buffer byte for byte.
/// </summary>
public static class StateComparer
{
    private static readonly (ulong Bit, string Name)[] FlagNames =
    [
        (RflagsBits.CF, "CF"), (RflagsBits.PF, "PF"), (RflagsBits.AF, "AF"), (RflagsBits.ZF, "ZF"),
        (RflagsBits.SF, "SF"), (RflagsBits.DF, "DF"), (RflagsBits.OF, "OF"),
    ];

    public static Comparison Compare(DifferentialCase testCase, ExecutionResult expected, ExecutionResult actual)
    {
        ArgumentNullException.ThrowIfNull(testCase);
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);

        var differences = new StringBuilder();
        if (expected.Failure != actual.Failure)
        {
            differences.AppendLine($"  run: expected {expected.Failure ?? "to reach the end"}, got {actual.Failure ?? "to reach the end"}");
        }

        for (int i = 0; i < GprFile.Count; i++)
        {
            var register = (GeneralRegister)i;
            bool skipped = register == GeneralRegister.Rsp || register == DifferentialCase.MemoryBase || (testCase.UndefinedRegisters & (1 << i)) != 0;
            if (!skipped && expected.Registers.Gpr[i] != actual.Registers.Gpr[i])
            {
                differences.AppendLine($"  {register}: expected {expected.Registers.Gpr[i]:x16} got {actual.Registers.Gpr[i]:x16}");
            }
        }

        ulong flagDifference = (expected.Registers.Rflags ^ actual.Registers.Rflags) & RegisterSnapshot.StatusFlags;
        ulong definedDifference = flagDifference & testCase.DefinedFlags;
        if (definedDifference != 0)
        {
            differences.AppendLine(
                $"  RFLAGS: expected {expected.Registers.Rflags & RegisterSnapshot.StatusFlags:x} got {actual.Registers.Rflags & RegisterSnapshot.StatusFlags:x}, differing {FlagList(definedDifference)}");
        }

        int length = Math.Min(expected.Memory.Length, actual.Memory.Length);
        if (expected.Memory.Length != actual.Memory.Length)
        {
            differences.AppendLine($"  memory: expected {expected.Memory.Length} bytes got {actual.Memory.Length}");
        }

        for (int offset = 0; offset < length; offset++)
        {
            if (expected.Memory[offset] != actual.Memory[offset])
            {
                differences.AppendLine($"  memory[+0x{offset:x}]: expected {expected.Memory[offset]:x2} got {actual.Memory[offset]:x2}");
            }
        }

        if (differences.Length == 0)
        {
            return new Comparison(true, string.Empty, flagDifference & ~testCase.DefinedFlags);
        }

        string message =
            $"{testCase.Text} [{testCase.Form}] bytes {Convert.ToHexString(testCase.Code)}{Environment.NewLine}" +
            $"  input:    {testCase.Input}{Environment.NewLine}" +
            $"  expected: {expected.Registers}{Environment.NewLine}" +
            $"  got:      {actual.Registers}{Environment.NewLine}" +
            $"  defined flags {FlagList(testCase.DefinedFlags)}; undefined flags differing (ignored): {FlagList(flagDifference & ~testCase.DefinedFlags)}{Environment.NewLine}" +
            differences;
        return new Comparison(false, message, flagDifference & ~testCase.DefinedFlags);
    }

    public static string FlagList(ulong flags)
    {
        string list = string.Join(' ', FlagNames.Where(f => (flags & f.Bit) != 0).Select(f => f.Name));
        return list.Length == 0 ? "none" : list;
    }
}
