namespace Emulator.Cpu;

/// <summary>
/// The x86 I/O port space as the vCPU sees it (IN/OUT/INS/OUTS): the platform registers its devices
/// on an implementation. Accesses are 1, 2 or 4 bytes wide. A port no device claims reads as all ones
/// and ignores writes, as on a PC (and in QEMU). Called on the vCPU thread.
/// </summary>
public interface IIoPortBus
{
    uint Read(ushort port, int size);

    void Write(ushort port, int size, uint value);
}
