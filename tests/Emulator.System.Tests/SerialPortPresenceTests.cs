using Emulator.Options;
using Emulator.Vmm.CommandLine;

namespace Emulator.System.Tests;

/// <summary>Which COM ports a command line gives the pc machine, as QEMU 7.2 (checked with <c>info qtree</c>).</summary>
public sealed class SerialPortPresenceTests
{
    [Theory]
    [InlineData("", "+---")] // QEMU's default vc serial
    [InlineData("-display none", "+---")]
    [InlineData("-nographic", "+---")]
    [InlineData("-nographic -serial none", "----")]
    [InlineData("-nographic -serial none -serial mon:stdio", "-+--")]
    [InlineData("-serial null -serial none -serial null -serial null", "+-++")]
    [InlineData("-serial file:a -serial file:b -serial file:c -serial file:d", "++++")]
    [InlineData("-serial none -serial none -serial none -serial null", "---+")]
    public void PortsExistForTheSerialsThatAreNotNone(string commandLine, string expected)
    {
        VmConfiguration config = EmulatorCommandLine.Parse(commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Configuration
            ?? throw new InvalidOperationException("expected a configuration");
        Assert.Equal(expected, string.Concat(SerialPortPresence.Of(config.Serials).Select(p => p ? '+' : '-')));
    }

    [Fact]
    public void AFifthSerialIsRefused()
    {
        OptionsException e = Assert.Throws<OptionsException>(() => EmulatorCommandLine.Parse(
            ["-serial", "file:a", "-serial", "file:b", "-serial", "file:c", "-serial", "file:d", "-serial", "file:e"]));
        Assert.Equal("Maximum number of serial devices reached (4)", e.Message);
    }
}
