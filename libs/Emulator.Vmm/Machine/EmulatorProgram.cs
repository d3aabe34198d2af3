using Emulator.Chardev;
using Emulator.Options;
using Emulator.Vmm.Chardev;
using Emulator.Vmm.CommandLine;

namespace Emulator.Vmm.Machine;

/// <summary><c>emu</c>'s whole entry point: the command line, then <see cref="MachineRunner"/>.</summary>
public static class EmulatorProgram
{
    /// <summary>Returns the process exit status: 1 for a command-line error (printed as <c>emu: message</c>).</summary>
    /// <param name="openStandardOutput">A write(2) stream on fd 1 (for <c>-debugcon stdio</c>); null where there is none.</param>
    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, Func<Stream>? openStandardOutput = null)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        VmConfiguration config;
        ChardevPlan plan;
        BlockPlan blocks;
        try
        {
            CommandLineResult result = EmulatorCommandLine.Parse(args);
            if (result.Configuration is null)
            {
                stdout.Write(result.Message);
                return result.ExitCode;
            }

            config = result.Configuration;
            if (config.Chardevs.Any(ChardevParser.IsHelpRequest))
            {
                stdout.WriteLine(ChardevParser.BackendHelpText);
                return 0;
            }

            blocks = BlockPlanner.Plan(config);
            plan = ChardevPlanner.Plan(config with { Chardevs = blocks.OtherChardevs });
        }
        catch (OptionsException e)
        {
            stderr.WriteLine($"emu: {e.Message}");
            return 1;
        }

        return MachineRunner.Run(config, plan, stderr, openStandardOutput, blocks);
    }
}
