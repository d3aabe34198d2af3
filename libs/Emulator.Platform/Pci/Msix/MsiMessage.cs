namespace Emulator.Platform;

/// <summary>
/// Decodes an MSI write (address, data) into the APIC bus message it stands for (SDM vol. 3, 10.11):
/// address 0xFEEx_xxxx with the destination in bits 19:12 and the destination mode in bit 2; data with
/// the vector in bits 7:0, the delivery mode in bits 10:8 and the trigger mode in bit 15.
/// </summary>
public static class MsiMessage
{
    public const ulong AddressBase = 0xFEE0_0000;
    private const ulong AddressMask = 0xFFFF_FFFF_FFF0_0000;

    /// <summary>False for writes that are not interrupt messages (outside 0xFEEx_xxxx, or a reserved delivery mode).</summary>
    public static bool TryDecode(ulong address, uint data, out ApicMessage message)
    {
        message = default;
        var mode = (ApicDeliveryMode)((data >> 8) & 0x7);
        if ((address & AddressMask) != AddressBase || mode is not (ApicDeliveryMode.Fixed or ApicDeliveryMode.LowestPriority or ApicDeliveryMode.Smi
            or ApicDeliveryMode.Nmi or ApicDeliveryMode.Init or ApicDeliveryMode.ExtInt))
        {
            return false;
        }

        message = new ApicMessage((byte)data, mode, (byte)(address >> 12), Logical: (address & 0x4) != 0, LevelTriggered: (data & 0x8000) != 0);
        return true;
    }

    /// <summary>Sends the message (address, data) stands for on <paramref name="bus"/>; a write that is no interrupt is dropped.</summary>
    public static void Deliver(ApicBus bus, ulong address, uint data)
    {
        ArgumentNullException.ThrowIfNull(bus);
        if (TryDecode(address, data, out ApicMessage message))
        {
            bus.Send(message);
        }
    }
}
