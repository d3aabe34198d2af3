using Emulator.System.Tests.EndToEnd;

namespace Emulator.System.Tests.Guest;

/// <summary>
/// COM1-COM4 end to end: a kernel assembled here (<see cref="ComPortGuests"/>) finds exactly the
/// ports given with <c>-serial</c> (<c>none</c> leaves a gap) and its text reaches each port's file,
/// under emu as under QEMU.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class ComPortMultibootTests
{
    public static TheoryData<bool[]> Layouts => new()
    {
        new[] { true, true, true, true },
        new[] { false, true, false, true },
    };

    [Theory(Timeout = Patience.TestMs)]
    [MemberData(nameof(Layouts))]
    public async Task EachPortsTextReachesItsFile(bool[] present)
    {
        await Task.Yield();
        RepoLayout.RequireBuild();
        AssertRun(RepoLayout.Emu, ["-display", "none"], present, "emu");
    }

    [Theory(Timeout = Patience.TestMs)]
    [MemberData(nameof(Layouts))]
    public async Task QemuAgrees(bool[] present)
    {
        await Task.Yield();
        AssertRun(GuestRun.FindQemu(), GuestRun.QemuArgs, present, "qemu");
    }

    private static void AssertRun(string program, string[] prefix, bool[] present, string who)
    {
        using var scratch = new ScratchDirectory();
        string kernel = scratch.File("com.elf");
        File.WriteAllBytes(kernel, ComPortGuests.ProbingKernel());
        List<string> args = ["-kernel", kernel];
        string[] files = new string[present.Length];
        for (int i = 0; i < present.Length; i++)
        {
            files[i] = scratch.File($"{who}-com{i + 1}.txt");
            args.AddRange(["-serial", present[i] ? "file:" + files[i] : "none"]);
        }

        (int status, string debugcon, string stderr) = GuestRun.Run(scratch, program, prefix, [.. args]);

        Assert.True(status == SerialGuests.ExitStatus, $"{who} exited {status}, expected {SerialGuests.ExitStatus}\n{stderr}");
        Assert.Equal(ComPortGuests.Report(present), debugcon);
        for (int i = 0; i < present.Length; i++)
        {
            Assert.Equal(present[i], File.Exists(files[i]));
            if (present[i])
            {
                Assert.Equal(ComPortGuests.Output(i), File.ReadAllText(files[i]));
            }
        }
    }
}
