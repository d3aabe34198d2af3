namespace Emulator.Platform.Tests.Pci.Virtio;

/// <summary>A virtio-pci function on bus 0 slot 3 with its BARs assigned and mapped, MSIs and INTx recorded.</summary>
internal sealed class VirtioPciRig
{
    public const int Slot = 3;

    public VirtioPciRig(int queueCount = 2, ushort maxQueueSize = 256)
    {
        Backend = new FakeVirtioBackend(queueCount, maxQueueSize);
        Function = new VirtioPciFunction(Backend, (address, data) => Messages.Add((address, data))) { InterruptLine = Intx };
        Bus.Attach(Slot, 0, Function);
        new PciBarAllocator(0xC000_0000, 0xFEBF_FFFF).AssignAll(Bus);
        Function.MapBars(Mmio, "virtio-test");
        Driver = new VirtioPciDriver(Bus, Slot, Mmio);
    }

    public PciBus Bus { get; } = new();

    public MmioBus Mmio { get; } = new();

    public FakeVirtioBackend Backend { get; }

    public VirtioPciFunction Function { get; }

    public RecordingLine Intx { get; } = new();

    public List<(ulong Address, uint Data)> Messages { get; } = [];

    public VirtioPciDriver Driver { get; }
}
