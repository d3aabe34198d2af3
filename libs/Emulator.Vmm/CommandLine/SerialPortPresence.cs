using Emulator.Platform;

namespace Emulator.Vmm.CommandLine;

/// <summary>
/// Which COM ports the <c>pc</c> machine gets from <see cref="VmConfiguration.Serials"/>, as QEMU's
/// serial_hds_isa_init: port i exists exactly when serial i was given and is not <c>none</c>. With no
/// <c>-serial</c> at all (and no <c>-nographic</c>, which adds its own) QEMU adds its default
/// <c>vc</c> serial, so COM1 exists with nothing behind it.
/// </summary>
public static class SerialPortPresence
{
    /// <summary><see cref="PcSerialPorts.Count"/> flags, COM1 first.</summary>
    public static bool[] Of(IReadOnlyList<string?> serials)
    {
        ArgumentNullException.ThrowIfNull(serials);
        var present = new bool[PcSerialPorts.Count];
        if (serials.Count == 0)
        {
            present[0] = true;
            return present;
        }

        for (int i = 0; i < present.Length && i < serials.Count; i++)
        {
            present[i] = serials[i] is not null;
        }

        return present;
    }
}
