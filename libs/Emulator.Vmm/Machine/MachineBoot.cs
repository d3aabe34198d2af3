using Emulator.Cpu;
using Emulator.Memory;
using Emulator.Platform;
using Emulator.Vmm.CommandLine;

namespace Emulator.Vmm.Machine;

/// <summary>
/// What the machine boots, read and checked once at start-up so a bad file is an error before
/// anything runs: a <c>-bios</c> image (ROM on the MMIO bus ending at 4 GiB and in the ISA window
/// below 1 MiB, which RAM then leaves out; see <see cref="FirmwareImage.Register"/>), and/or a
/// <c>-kernel</c> with <c>-append</c> and <c>-initrd</c>, loaded straight into RAM with the vCPU set
/// to the kernel's entry state, as QEMU's firmware and option ROMs would leave it: a bzImage through
/// the 64-bit boot protocol, an ELF vmlinux through its PVH note, or a multiboot kernel with its
/// modules. <see cref="Apply"/> runs at power-on and every reset (the images are loaded anew).
/// </summary>
public sealed class MachineBoot
{
    private readonly byte[]? _kernel;
    private readonly string _commandLine;
    private readonly IReadOnlyList<MultibootModule> _modules;
    private readonly byte[] _initrd;

    private MachineBoot(RamLayout layout, FirmwareImage? firmware, KernelFormat format, byte[]? kernel, string commandLine, IReadOnlyList<MultibootModule> modules, byte[] initrd)
    {
        Layout = layout;
        Firmware = firmware;
        Format = format;
        _kernel = kernel;
        _commandLine = commandLine;
        _modules = modules;
        _initrd = initrd;
    }

    public RamLayout Layout { get; }

    public FirmwareImage? Firmware { get; }

    public KernelFormat Format { get; }

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
            return new MachineBoot(layout, firmware, KernelFormat.None, null, string.Empty, [], []);
        }

        byte[] kernel = ReadFile(kernelPath, "kernel");
        string append = config.Append ?? string.Empty;
        if (BzImageLoader.IsBzImage(kernel))
        {
            LinuxSetupHeader.Parse(kernel);
            return new MachineBoot(layout, firmware, KernelFormat.BzImage, kernel, append, [], ReadInitrd(config.Initrd));
        }

        if (PvhLoader.IsPvhKernel(kernel))
        {
            return new MachineBoot(layout, firmware, KernelFormat.Pvh, kernel, append, [], ReadInitrd(config.Initrd));
        }

        if (!MultibootLoader.IsMultiboot(kernel))
        {
            throw new BootImageException($"{kernelPath}: not a kernel emu can boot (a bzImage, an ELF vmlinux with a PVH note, or a multiboot kernel)");
        }

        MultibootLoader.Plan(kernel, layout.BelowFourGiB);
        List<MultibootModule> modules = [];
        foreach (string item in InitrdList.Split(config.Initrd ?? string.Empty))
        {
            string file = item.Split(' ', 2)[0];
            modules.Add(new MultibootModule(item, ReadFile(file, "module")));
        }

        // QEMU's multiboot command line is "<kernel path> <append>".
        return new MachineBoot(layout, firmware, KernelFormat.Multiboot, kernel, $"{kernelPath} {append}", modules, []);
    }

    /// <summary>
    /// Loads the images into <paramref name="memory"/> and sets the vCPU's entry state (the vCPU is in
    /// its RESET state); <paramref name="acpiRsdpAddress"/> is where the platform put the RSDP.
    /// </summary>
    public void Apply(GuestMemory memory, Vcpu vcpu, ulong acpiRsdpAddress)
    {
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentNullException.ThrowIfNull(vcpu);
        switch (Format)
        {
            case KernelFormat.BzImage:
                BzImageLoader.Load(memory, Layout, _kernel, _commandLine, _initrd, acpiRsdpAddress).ApplyEntryState(ref vcpu.State);
                break;
            case KernelFormat.Pvh:
                PvhLoader.Load(memory, Layout, _kernel, _commandLine, _initrd, acpiRsdpAddress).ApplyEntryState(ref vcpu.State);
                break;
            case KernelFormat.Multiboot:
                MultibootLoader.Load(memory, Layout, _kernel, _commandLine, _modules).ApplyEntryState(ref vcpu.State);
                break;
        }

        // QEMU boots -kernel through SeaBIOS, which programs the MTRRs first; -bios firmware does its own.
        if (Format is KernelFormat.BzImage or KernelFormat.Pvh or KernelFormat.Multiboot)
        {
            FirmwareMtrrs.Apply(ref vcpu.State, Layout.BelowFourGiB);
        }
    }

    /// <summary>A Linux initrd: one file (QEMU 7.2 takes one; a comma is part of the name).</summary>
    private static byte[] ReadInitrd(string? path) => path is null ? [] : ReadFile(path, "initrd");

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
