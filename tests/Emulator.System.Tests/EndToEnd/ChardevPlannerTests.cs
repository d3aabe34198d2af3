using Emulator.Tests.Shared;
using Emulator.Chardev;
using Emulator.Options;
using Emulator.Vmm.Chardev;
using Emulator.Vmm.CommandLine;

namespace Emulator.System.Tests.EndToEnd;

public sealed class ChardevPlannerTests
{
    [Fact]
    public void NographicPutsSerialAndMonitorOnOneMuxedStdio()
    {
        ChardevPlan plan = Plan("-nographic");
        PlannedChardev chardev = Assert.Single(plan.Chardevs);
        Assert.Equal("serial0", chardev.Spec.Id);
        Assert.True(chardev.Spec.Mux);
        Assert.IsType<StdioBackendSpec>(chardev.Spec.Backend);
        Assert.Equal(
            [new PlannedFrontEnd(FrontEndKind.Serial, 0, 0), new PlannedFrontEnd(FrontEndKind.Monitor, 0, 1)],
            chardev.FrontEnds);
    }

    [Fact]
    public void ChardevReferencesShareOneMuxedChardev()
    {
        ChardevPlan plan = Plan("-chardev", "socket,id=c,path=/tmp/x,server=on,wait=off,mux=on", "-serial", "chardev:c", "-mon", "chardev=c");
        PlannedChardev chardev = Assert.Single(plan.Chardevs);
        Assert.Equal(2, chardev.StreamSlots);
        Assert.Equal(FrontEndKind.Serial, chardev.FrontEnds[0].Kind);
        Assert.Equal(FrontEndKind.Monitor, chardev.FrontEnds[1].Kind);
        Assert.Equal(1, chardev.FrontEnds[1].Stream);
    }

    [Fact]
    public void ASerialPortAndAMonitorOnOneMuxStartOnTheSerialPortAsInQemu()
    {
        // QEMU attaches the monitor first and the serial port at board init; the last attach has the focus.
        PlannedChardev chardev = Assert.Single(Plan("-chardev", "stdio,mux=on,id=c", "-serial", "chardev:c", "-mon", "chardev=c").Chardevs);
        Assert.Equal(
            [new PlannedFrontEnd(FrontEndKind.Serial, 0, 0), new PlannedFrontEnd(FrontEndKind.Monitor, 0, 1)],
            chardev.FrontEnds);
    }

    [Fact]
    public void TwoSerialPortsOnOneMuxStartOnTheLastAndCycleInQemusAttachOrder()
    {
        // QEMU: monitor (tag 0), COM1 (1), COM2 (2); COM2 attached last, so focused; C-a c: monitor, COM1, COM2.
        PlannedChardev chardev = Assert.Single(
            Plan("-chardev", "socket,id=c,path=/tmp/m,server=on,wait=off,mux=on", "-serial", "chardev:c", "-serial", "chardev:c", "-mon", "chardev=c").Chardevs);
        Assert.Equal(
            [
                new PlannedFrontEnd(FrontEndKind.Serial, 1, 0),
                new PlannedFrontEnd(FrontEndKind.Monitor, 0, 1),
                new PlannedFrontEnd(FrontEndKind.Serial, 0, 2),
            ],
            chardev.FrontEnds);
    }

    [Fact]
    public void MonitorsAloneOnOneMuxStartOnTheLast()
    {
        PlannedChardev chardev = Assert.Single(Plan("-chardev", "null,id=m,mux=on", "-mon", "chardev=m", "-monitor", "chardev:m").Chardevs);
        Assert.Equal(
            [new PlannedFrontEnd(FrontEndKind.Monitor, 1, 0), new PlannedFrontEnd(FrontEndKind.Monitor, 0, 1)],
            chardev.FrontEnds);
    }

    [Fact]
    public void ShorthandsGetQemusNames()
    {
        ChardevPlan plan = Plan("-serial", "null", "-serial", "file:/tmp/f", "-monitor", "unix:/tmp/m,server=on,wait=off");
        Assert.Equal(["serial0", "serial1", "compat_monitor0"], plan.Chardevs.Select(c => c.Spec.Id));
        Assert.Equal(["-serial null", "-serial file:/tmp/f", "-monitor unix:/tmp/m,server=on,wait=off"], plan.Chardevs.Select(c => c.Origin));
        Assert.Equal(1, plan.FindSerial(1)?.FrontEnd.Index);
        Assert.Null(plan.FindSerial(2));
        Assert.NotNull(plan.Find(FrontEndKind.Monitor, 0));
    }

    [Fact]
    public void SerialNoneLeavesAHoleSoTheNextSerialIsTheNextComPort()
    {
        ChardevPlan plan = Plan("-serial", "none", "-serial", "stdio", "-serial", "none", "-serial", "file:/tmp/f");
        Assert.Null(plan.FindSerial(0));
        Assert.Null(plan.FindSerial(2));
        (PlannedChardev chardev, PlannedFrontEnd frontEnd) = plan.FindSerial(1) ?? throw new InvalidOperationException("COM2 has no chardev");
        Assert.Equal("serial1", chardev.Spec.Id);
        Assert.IsType<StdioBackendSpec>(chardev.Spec.Backend);
        Assert.Equal(new PlannedFrontEnd(FrontEndKind.Serial, 1, 0), frontEnd);
        Assert.Equal("serial3", plan.FindSerial(3)?.Chardev.Spec.Id);
        Assert.Equal(2, plan.Chardevs.Count);
    }

    [Fact]
    public void SerialNoneThenMonStdioPutsTheMuxOnComTwo()
    {
        PlannedChardev chardev = Assert.Single(Plan("-serial", "none", "-serial", "mon:stdio").Chardevs);
        Assert.Equal("serial1", chardev.Spec.Id);
        Assert.Equal(
            [new PlannedFrontEnd(FrontEndKind.Serial, 1, 0), new PlannedFrontEnd(FrontEndKind.Monitor, 0, 1)],
            chardev.FrontEnds);
    }

    [Fact]
    public void UnusedChardevIsStillServed()
    {
        PlannedChardev chardev = Assert.Single(Plan("-chardev", "null,id=spare").Chardevs);
        Assert.Empty(chardev.FrontEnds);
        Assert.Equal(1, chardev.StreamSlots);
    }

    [Theory]
    [InlineData("-serial chardev:nope", "-serial chardev:nope: could not connect serial device to character backend 'chardev:nope'")]
    [InlineData("-monitor chardev:nope", "chardev \"nope\" not found")]
    [InlineData("-mon chardev=nope", "chardev \"nope\" not found")]
    [InlineData("-chardev null,id=a -chardev null,id=a", "-chardev null,id=a: Duplicate ID 'a' for chardev")]
    [InlineData("-chardev null,id=a -serial chardev:a -monitor chardev:a", "chardev 'a' is already in use")]
    [InlineData("-serial stdio -monitor stdio", "cannot use stdio by multiple character devices")]
    [InlineData("-chardev bogus,id=a", "-chardev bogus,id=a: 'bogus' is not a valid char driver name")]
    [InlineData("-serial bogus", "-serial bogus: 'bogus' is not a valid char driver")]
    [InlineData("-monitor mon:stdio", "-monitor mon:stdio: mon: isn't supported in this context")]
    public void ErrorsUseQemuWording(string commandLine, string message)
    {
        OptionsException e = Assert.Throws<OptionsException>(() => Plan(commandLine.Split(' ')));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void AMuxHoldsAtMostFourFrontEnds()
    {
        string[] args =
        [
            "-chardev", "null,id=m,mux=on",
            "-serial", "chardev:m", "-serial", "chardev:m", "-serial", "chardev:m", "-serial", "chardev:m", "-monitor", "chardev:m",
        ];
        OptionsException e = Assert.Throws<OptionsException>(() => Plan(args));
        Assert.Equal("too many uses of multiplexed chardev 'm' (maximum is 4)", e.Message);
    }

    [Fact]
    [Trait("Category", "Fuzz")]
    public void RandomCommandLinesOnlyEverFailWithOptionsException()
    {
        string[] words =
        [
            "-serial", "-monitor", "-mon", "-chardev", "-nographic", "stdio", "mon:stdio", "null", "chardev:a", "chardev:b",
            "chardev=a", "null,id=a", "null,id=a,mux=on", "file:/tmp/x", "pty", "unix:/tmp/s,server=on,wait=off", "none", "id=", ",,", "",
        ];
        var random = new Random(1234);
        int iterations = Math.Min(FuzzBudget.Iterations(3000), 200_000);
        for (int i = 0; i < iterations; i++)
        {
            string[] args = [.. Enumerable.Range(0, random.Next(0, 9)).Select(_ => words[random.Next(words.Length)])];
            try
            {
                ChardevPlan plan = ChardevPlanner.Plan(EmulatorCommandLine.Parse(args).Configuration ?? new VmConfiguration());
                foreach (PlannedChardev chardev in plan.Chardevs)
                {
                    Assert.InRange(chardev.FrontEnds.Count, 0, ChardevMux.MaxFrontEnds);
                    Assert.True(chardev.FrontEnds.Count <= 1 || chardev.Spec.Mux);
                    Assert.Equal(Enumerable.Range(0, chardev.FrontEnds.Count), chardev.FrontEnds.Select(f => f.Stream));
                }
            }
            catch (OptionsException)
            {
                // A refused command line is fine; anything else escaping is a bug.
            }
        }
    }

    private static ChardevPlan Plan(params string[] args) =>
        ChardevPlanner.Plan(EmulatorCommandLine.Parse(args).Configuration ?? throw new InvalidOperationException("no configuration"));
}
