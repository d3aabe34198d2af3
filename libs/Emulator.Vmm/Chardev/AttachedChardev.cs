namespace Emulator.Vmm.Chardev;

/// <summary>One running chardev: its plan, its server, the connection to it and the monitors on its streams.</summary>
internal sealed record AttachedChardev(PlannedChardev Plan, DeviceConnection Server, ChardevClient Client, IReadOnlyList<MonitorPort> Monitors);
