namespace Emulator.Vmm.CommandLine;

/// <summary>Either a configuration to run, or text to print and an exit code (help, version).</summary>
public sealed record CommandLineResult(VmConfiguration? Configuration, string? Message, int ExitCode)
{
    public static CommandLineResult Run(VmConfiguration configuration) => new(configuration, null, 0);

    public static CommandLineResult Print(string message) => new(null, message, 0);
}
