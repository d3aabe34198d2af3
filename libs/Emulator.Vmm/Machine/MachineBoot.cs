using Emulator.Cpu;
using Emulator.Memory;
using Emulator.Platform;
using Emulator.Vmm.CommandLine;

namespace Emulator.Vmm.Machine;

/// <summary>
/// What the machine boots, read and checked once at start-up so a bad file is an error before
/// anything runs: a <c>-bios</c> image (ROM on the MMIO bus ending at 4 GiB and in the ISA window
/// below 1 MiB, which RAM then leaves out; see <see cref="FirmwareImage.Register"/>), and/or a multiboot
/// <c>-kernel</c> with <c>-append</c> and <c>-initrd</c> modules, loaded straight into RAM with the
/// vCPU set to the multiboot entry state (QEMU gets there through SeaBIOS and its multiboot option
/// ROM; the kernel sees the same contract). <see cref="Apply"/> runs at power-on and every reset.
/// </summary>
public sealed class MachineBoot
{
    private readonly byte[]? _kernel;
    private readonly string _commandLine = string.Empty;
    private readonly IReadOnlyList<MultibootModule> _modules = [];

    private MachineBoot(RamLayout layout, FirmwareImage? firmware, byte[]? kernel, string commandLine, IReadOnlyList<MultibootModule> modules)
    {
        Layout = layout;
        Firmware = firmware;
        _kernel = kernel;
        _commandLine = commandLine;
        _modules = modules;
    }

    public RamLayout Layout { get; }

    public FirmwareImage? Firmware { get; }

    /// <summary>False without <c>-bios</c> and <c>-kernel</c>: there is no firmware to run (see <see cref="MachineRunner"/>).</summary>
    public bool HasCode => Firmware is not null || _kernel is not null;

    /// <summary>Guest RAM: the layout's regions, without the firmware's ISA window.</summary>
    public (ulong Base, ulong Size)[] MemoryRegions =>
        Firmware is null ? [.. Layout.Regions] : [.. Firmware.RamAround(Layout)];

    /// <summary>Reads and checks every image the configuration names; a problem is a <see cref="BootImageException"/>.</summary>
    public static MachineBoot Prepare(VmConfiguration config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var layout = new RamLayout(config.MemorySize);
        FirmwareImage? firmware = config.Bios is { } bios ? FirmwareImage.Create(ReadFile(bios, "PC BIOS"), bios) : null;
        if (config.Kernel is not { } kernelPath)
        {
            return new MachineBoot(layout, firmware, null, string.Empty, []);
        }

        byte[] kernel = ReadFile(kernelPath, "kernel");
        if (!MultibootLoader.IsMultiboot(kernel))
        {
            throw new BootImageException($"{kernelPath}: not a multiboot kernel (other kernel formats are not supported yet)");
        }

        MultibootLoader.Plan(kernel, layout.BelowFourGiB);
        List<MultibootModule> modules = [];
        foreach (string item in InitrdList.Split(config.Initrd ?? string.Empty))
        {
            string file = item.Split(' ', 2)[0];
            modules.Add(new MultibootModule(item, ReadFile(file, "module")));
        }

        // QEMU's multiboot command line is "<kernel path> <append>".
        return new MachineBoot(layout, firmware, kernel, $"{kernelPath} {config.Append ?? string.Empty}", modules);
    }

    /// <summary>Loads the images into <paramref name="memory"/> and sets the vCPU's entry state (the vCPU is in its RESET state).</summary>
    public void Apply(GuestMemory memory, Vcpu vcpu)
    {
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentNullException.ThrowIfNull(vcpu);
        if (_kernel is not null)
        {
            MultibootLoader.Load(memory, Layout, _kernel, _commandLine, _modules).ApplyEntryState(ref vcpu.State);
        }
    }

    private static byte[] ReadFile(string path, string what)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new BootImageException($"could not load {what} '{path}': {e.Message}", e);
        }
    }
}
