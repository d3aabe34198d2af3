using Emulator.Options;
using Emulator.Vmm.CommandLine;

namespace Emulator.System.Tests;

public sealed class EmulatorCommandLineTests
{
    private static VmConfiguration Parse(params string[] args) =>
        EmulatorCommandLine.Parse(args).Configuration ?? throw new InvalidOperationException("expected a configuration");

    [Fact]
    public void Nographic_alone_muxes_serial_and_monitor_on_stdio()
    {
        VmConfiguration c = Parse("-nographic");
        Assert.Equal(["mon:stdio"], c.Serials);
        Assert.Empty(c.Monitors);
        Assert.Equal("none", c.Display);
    }

    [Fact]
    public void Nographic_with_an_explicit_monitor_puts_only_serial_on_stdio()
    {
        VmConfiguration c = Parse("-nographic", "-monitor", "unix:/tmp/m.sock,server=on,wait=off");
        Assert.Equal(["stdio"], c.Serials);
        Assert.Equal(["unix:/tmp/m.sock,server=on,wait=off"], c.Monitors);
    }

    [Fact]
    public void Without_nographic_nothing_is_attached_to_stdio()
    {
        VmConfiguration c = Parse("-display", "none");
        Assert.Empty(c.Serials);
        Assert.Empty(c.Monitors);
    }

    [Fact]
    public void Serial_none_keeps_its_place_so_later_ports_do_not_shift()
    {
        VmConfiguration c = Parse("-serial", "none", "-serial", "stdio", "-serial", "none", "-serial", "null");
        Assert.Equal([null, "stdio", null, "null"], c.Serials);
    }

    [Fact]
    public void Serial_none_with_nographic_leaves_only_the_monitor_on_stdio()
    {
        VmConfiguration c = Parse("-nographic", "-serial", "none");
        Assert.Equal([null], c.Serials);
        Assert.Equal(["stdio"], c.Monitors);
    }

    [Fact]
    public void Serial_none_counts_towards_the_four_ports()
    {
        OptionsException e = Assert.Throws<OptionsException>(
            () => EmulatorCommandLine.Parse(["-serial", "none", "-serial", "none", "-serial", "none", "-serial", "none", "-serial", "null"]));
        Assert.Equal("Maximum number of serial devices reached (4)", e.Message);
    }

    [Theory]
    [InlineData("512", 512UL << 20)]
    [InlineData("1G", 1UL << 30)]
    [InlineData("size=256M", 256UL << 20)]
    public void Memory_sizes_default_to_mebibytes(string value, ulong expected) => Assert.Equal(expected, Parse("-m", value).MemorySize);

    [Fact]
    public void Chardevs_serials_mon_and_double_dash_spelling()
    {
        VmConfiguration c = Parse("--chardev", "socket,id=c0,path=/tmp/s", "-serial", "chardev:c0", "-serial", "null", "-mon", "chardev=c0", "-S");
        Assert.Equal(["socket,id=c0,path=/tmp/s"], c.Chardevs);
        Assert.Equal(["chardev:c0", "null"], c.Serials);
        Assert.Equal(["chardev:c0"], c.Monitors);
        Assert.True(c.StartPaused);
    }

    [Theory]
    [InlineData("-bogus")]
    [InlineData("kernel")]
    [InlineData("-m")]
    [InlineData("-m", "1")]
    [InlineData("-m", "lots")]
    [InlineData("-display", "gtk")]
    [InlineData("-mon", "chardev=c0,mode=control")]
    [InlineData("-serial", "null", "-serial", "null", "-serial", "null", "-serial", "null", "-serial", "null")]
    public void Bad_command_lines_are_refused_with_a_message(params string[] args)
    {
        OptionsException e = Assert.Throws<OptionsException>(() => EmulatorCommandLine.Parse(args));
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
    }

    [Fact]
    public void Help_and_version_print_and_exit_zero()
    {
        CommandLineResult help = EmulatorCommandLine.Parse(["-h"]);
        Assert.Null(help.Configuration);
        Assert.Contains("-serial dev", help.Message, StringComparison.Ordinal);
        Assert.StartsWith("emu version", EmulatorCommandLine.Parse(["-version"]).Message, StringComparison.Ordinal);
    }
}
