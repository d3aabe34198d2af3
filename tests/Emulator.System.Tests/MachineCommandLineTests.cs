using Emulator.Options;
using Emulator.Vmm.CommandLine;

namespace Emulator.System.Tests;

public sealed class MachineCommandLineTests
{
    [Theory]
    [InlineData("-M", "help")]
    [InlineData("-machine", "?")]
    public void MachineHelpListsPcAsTheDefault(string option, string value)
    {
        CommandLineResult result = EmulatorCommandLine.Parse([option, value]);
        Assert.Null(result.Configuration);
        Assert.Contains("pc ", result.Message, StringComparison.Ordinal);
        Assert.Contains("(default)", result.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-M", "pc")]
    [InlineData("-machine", "type=pc,accel=tcg")]
    [InlineData("-M", "pc-i440fx-7.2")]
    [InlineData("-accel", "tcg")]
    public void ThePcMachineAndTcgAreAccepted(string option, string value) =>
        Assert.NotNull(EmulatorCommandLine.Parse([option, value]).Configuration);

    [Theory]
    [InlineData("-M", "q35", "unsupported machine type")]
    [InlineData("-M", "pc,accel=kvm", "invalid accelerator kvm")]
    [InlineData("-accel", "kvm", "invalid accelerator kvm")]
    [InlineData("-M", "pc,smm=on", "smm")]
    public void OtherMachinesAndAcceleratorsAreRefused(string option, string value, string message)
    {
        var e = Assert.Throws<OptionsException>(() => EmulatorCommandLine.Parse([option, value]));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }
}
