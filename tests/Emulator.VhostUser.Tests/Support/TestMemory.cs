using Emulator.Memory;

namespace Emulator.VhostUser.Tests;

/// <summary>Guest layouts the tests share.</summary>
internal static class TestMemory
{
    public const ulong RingBase = 0x1000;
    public const ulong DataBase = 0x10000;

    /// <summary>One 1 MiB region at guest address 0.</summary>
    public static GuestMemory OneRegion() => GuestMemory.Create((0, 0x100000));

    /// <summary>Two 64 KiB regions, adjacent in guest-physical space (but not in front-end virtual space).</summary>
    public static GuestMemory TwoAdjacentRegions() => GuestMemory.Create((0, 0x10000), (0x10000, 0x10000));
}
