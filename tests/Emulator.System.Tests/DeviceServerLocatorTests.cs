using System.Runtime.Versioning;
using Emulator.Vmm;

namespace Emulator.System.Tests;

[UnsupportedOSPlatform("windows")]
public sealed class DeviceServerLocatorTests : IDisposable
{
    private readonly string _base = Directory.CreateTempSubdirectory("emu-base-").FullName;
    private readonly string _override = Directory.CreateTempSubdirectory("emu-override-").FullName;

    public void Dispose()
    {
        Directory.Delete(_base, recursive: true);
        Directory.Delete(_override, recursive: true);
    }

    [Fact]
    public void FindsTheProgramNextToTheEmulator()
    {
        string path = MakeProgram(_base, "emu-chardev");
        Assert.Equal(path, new DeviceServerLocator(_base, null).Find("emu-chardev"));
        Assert.Equal(path, new DeviceServerLocator(_base, string.Empty).Find("emu-chardev"));
    }

    [Fact]
    public void OverrideDirectoryWins()
    {
        MakeProgram(_base, "emu-chardev");
        string preferred = MakeProgram(_override, "emu-chardev");
        var locator = new DeviceServerLocator(_base, _override);
        Assert.Equal(preferred, locator.Find("emu-chardev"));
        Assert.Equal([_override, _base], locator.SearchDirectories);
    }

    [Fact]
    public void FallsBackToTheBaseDirectory()
    {
        string path = MakeProgram(_base, "emu-chardev");
        Assert.Equal(path, new DeviceServerLocator(_base, _override).Find("emu-chardev"));
    }

    [Fact]
    public void NonExecutableFilesDoNotCount()
    {
        File.WriteAllText(Path.Combine(_base, "emu-chardev"), "not a program");
        File.SetUnixFileMode(Path.Combine(_base, "emu-chardev"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Assert.False(new DeviceServerLocator(_base, null).TryFind("emu-chardev", out _));
    }

    [Fact]
    public void MissingProgramNamesTheDirectoriesAndTheVariable()
    {
        var e = Assert.Throws<DeviceManagerException>(() => new DeviceServerLocator(_base, _override).Find("emu-none"));
        Assert.Contains(_base, e.Message, StringComparison.Ordinal);
        Assert.Contains(_override, e.Message, StringComparison.Ordinal);
        Assert.Contains(DeviceServerLocator.OverrideVariable, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CommandCarriesTheServerArguments()
    {
        string path = MakeProgram(_base, "emu-chardev");
        DeviceServerCommand command = new DeviceServerLocator(_base, null).Command("emu-chardev", "--chardev", "stdio,id=c0");
        Assert.Equal(path, command.FileName);
        Assert.Equal(["--chardev", "stdio,id=c0"], command.Arguments);
    }

    [Fact]
    public void PathsAreNotProgramNames()
    {
        var locator = new DeviceServerLocator(_base, null);
        Assert.Throws<ArgumentException>(() => locator.Find("../emu-chardev"));
        Assert.Throws<ArgumentException>(() => locator.Find(".."));
    }

    private static string MakeProgram(string directory, string name)
    {
        string path = Path.Combine(directory, name);
        File.WriteAllText(path, "#!/bin/sh\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
