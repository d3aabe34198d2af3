using System.ComponentModel;
using Emulator.Bench;
using Emulator.Posix;
using Emulator.VhostUser;

// `make bench`: vhost-user latency and CPU figures between this process (the front-end) and a device
// server in another process. Exits 0 whether or not the goals are met; 1 if a measurement failed.
if (args is ["--cpu"] or ["--cpu", "--no-qemu"])
{
    CpuBench.Run(Console.Out, Console.Error, withQemu: args.Length == 1);
    return 0;
}

if (args is ["--linux", .. var linuxArgs])
{
    return LinuxBootBench.Run(linuxArgs, Console.Out, Console.Error);
}

if (args is ["--block", .. var blockArgs])
{
    return BlockBench.Run(blockArgs, Console.Out, Console.Error);
}

BenchSettings? settings = BenchSettings.FromArgs(args);
if (settings is null)
{
    Console.Error.WriteLine("usage: Emulator.Bench [--quick | --cpu [--no-qemu] | --linux --kernel VMLINUX --initrd INITRD [--runs N] [--no-qemu] | --block ...]");
    return 1;
}

try
{
    BenchReport report = new BenchRun(settings, Console.Error).Execute(out bool ok);
    report.Print(Console.Out);
    CpuBench.Run(Console.Out, Console.Error);
    return ok ? 0 : 1;
}
catch (Exception e) when (e is VhostUserProtocolException or PosixException or TimeoutException or InvalidOperationException or IOException or Win32Exception)
{
    Console.Error.WriteLine($"bench failed: {e.GetType().Name}: {e.Message}");
    return 1;
}
