using Emulator.Tests.Shared;

namespace Emulator.Platform.Tests;

public sealed class PciHostTests
{
    private readonly IoPortBus _ports = new();
    private readonly PciHost _host = new();
    private int _resets;

    public PciHostTests() => _host.Register(_ports, new ResetControlRegister(() => _resets++));

    private static uint Address(int slot, int function, int register) =>
        0x8000_0000u | ((uint)slot << 11) | ((uint)function << 8) | (uint)register;

    private uint Read(int slot, int function, int register, int size)
    {
        _ports.Write(0xCF8, 4, Address(slot, function, register & 0xFC));
        return _ports.Read((ushort)(0xCFC + (register & 3)), size);
    }

    private void Write(int slot, int function, int register, int size, uint value)
    {
        _ports.Write(0xCF8, 4, Address(slot, function, register & 0xFC));
        _ports.Write((ushort)(0xCFC + (register & 3)), size, value);
    }

    [Fact]
    public void LinuxType1ProbeSeesTheAddressRegister()
    {
        _ports.Write(0xCFB, 1, 0x01);
        _ports.Write(0xCF8, 4, 0x8000_0000);
        Assert.Equal(0x8000_0000u, _ports.Read(0xCF8, 4));
        _ports.Write(0xCF8, 4, 0xFFFF_FFFF);
        Assert.Equal(0x80FF_FFFCu, _ports.Read(0xCF8, 4));
    }

    [Fact]
    public void HostAndIsaBridgesLookLikeQemusPc()
    {
        Assert.Equal(0x1237_8086u, Read(0, 0, 0x00, 4));
        Assert.Equal(0x0600_0002u, Read(0, 0, 0x08, 4));
        Assert.Equal(0x00u, Read(0, 0, 0x0E, 1));
        Assert.Equal(0x7000_8086u, Read(1, 0, 0x00, 4));
        Assert.Equal(0x0601u, Read(1, 0, 0x0A, 2));
        Assert.Equal(0x80u, Read(1, 0, 0x0E, 1));
        Assert.Equal(0x7000u, Read(1, 0, 0x02, 2));
        Assert.Equal(0x70u, Read(1, 0, 0x03, 1));
    }

    [Fact]
    public void PowerManagementFunctionNamesThePmBlockAsQemusPiix4Does()
    {
        Assert.Equal(0x7113_8086u, Read(1, 3, 0x00, 4));
        Assert.Equal(0x0680_0003u, Read(1, 3, 0x08, 4)); // bridge/other, revision 3: no PM-timer erratum
        Assert.Equal(0x0601u, Read(1, 3, PciHost.PmBaseOffset, 4)); // I/O at AcpiPmDevice.DefaultBase
        Assert.Equal(1u, Read(1, 3, PciHost.PmMiscOffset, 1) & 1); // PMIOSE: the space is enabled
        Assert.Equal(0u, Read(1, 3, 0x90, 4)); // no SMBus
        Assert.Equal(0u, Read(1, 3, PciFunction.InterruptPinOffset, 1));
        Write(1, 3, PciHost.PmBaseOffset, 4, 0xB001);
        Assert.Equal(0x0601u, Read(1, 3, PciHost.PmBaseOffset, 4)); // the block does not move
    }

    [Fact]
    public void AbsentFunctionsOtherBusesAndDisabledAccessesReadAllOnes()
    {
        Assert.Equal(0xFFFF_FFFFu, Read(2, 0, 0, 4));
        Assert.Equal(0xFFFFu, Read(1, 1, 0, 2));
        _ports.Write(0xCF8, 4, 0x8001_0000);
        Assert.Equal(0xFFFF_FFFFu, _ports.Read(0xCFC, 4));
        _ports.Write(0xCF8, 4, 0x0000_0000);
        Assert.Equal(0xFFFF_FFFFu, _ports.Read(0xCFC, 4));
        _ports.Write(0xCFC, 4, 0); // dropped
        Assert.Equal(0x1237_8086u, Read(0, 0, 0, 4));
    }

    [Fact]
    public void ResetRegisterSitsBetweenAddressAndData()
    {
        _ports.Write(0xCF9, 1, 0x06);
        Assert.Equal(1, _resets);
    }

    [Fact]
    public void ReadOnlyFieldsIgnoreWritesAndWritableOnesKeepThem()
    {
        Write(0, 0, 0x00, 4, 0);
        Assert.Equal(0x1237_8086u, Read(0, 0, 0, 4));
        Write(0, 0, 0x04, 2, 0xFFFF);
        Assert.Equal(0x0547u, Read(0, 0, 0x04, 2));
        Write(1, 0, 0x61, 1, 0x0B);
        Assert.Equal(0x8080_0B80u, Read(1, 0, 0x60, 4));
    }

    [Fact]
    public void AttachedFunctionsHaveBarSizingInterruptRoutingAndCapabilities()
    {
        var device = new PciFunction(0x1AF4, 0x1041, 0x02_0000, revision: 1);
        device.DefineBar(0, PciBarKind.Io, 0x20);
        device.DefineBar(1, PciBarKind.Memory32, 0x1000);
        device.DefineBar(4, PciBarKind.Memory64Prefetchable, 0x4000);
        device.SetInterruptPin(1);
        int first = device.AddCapability(0x11, [0, 0, 1, 0, 0, 0, 2, 0, 0, 0], [0xFF, 0xC0, 0, 0, 0, 0, 0, 0, 0, 0]);
        int second = device.AddCapability(0x09, [0x10, 0x01]);
        int slot = _host.Bus.FreeSlot();
        Assert.Equal(2, slot);
        _host.Bus.Attach(slot, 0, device);

        Write(slot, 0, 0x10, 4, 0xFFFF_FFFF);
        Assert.Equal(0xFFFF_FFE1u, Read(slot, 0, 0x10, 4));
        Write(slot, 0, 0x14, 4, 0xFFFF_FFFF);
        Assert.Equal(0xFFFF_F000u, Read(slot, 0, 0x14, 4));
        Write(slot, 0, 0x20, 4, 0xFFFF_FFFF);
        Write(slot, 0, 0x24, 4, 0xFFFF_FFFF);
        Assert.Equal(0xFFFF_C00Cu, Read(slot, 0, 0x20, 4));
        Assert.Equal(0xFFFF_FFFFu, Read(slot, 0, 0x24, 4));
        Write(slot, 0, 0x20, 4, 0xE000_4000);
        Write(slot, 0, 0x24, 4, 0x1);
        Assert.Equal(0x1_E000_4000UL, device.BarAddress(4));
        Assert.Equal(0u, Read(slot, 0, 0x18, 4)); // undefined BAR stays zero
        Write(slot, 0, 0x30, 4, 0xFFFF_F800);
        Assert.Equal(0u, Read(slot, 0, 0x30, 4)); // no expansion ROM

        Assert.Equal(1u, Read(slot, 0, 0x3D, 1));
        Assert.Equal((uint)PciInterruptRouting.Gsi(slot, 0), Read(slot, 0, 0x3C, 1));
        Assert.Equal(18, _host.Bus.InterruptGsi(slot, 0));

        Assert.NotEqual(0u, Read(slot, 0, 0x06, 2) & 0x10);
        Assert.Equal((uint)first, Read(slot, 0, 0x34, 1));
        Assert.Equal(0x11u | ((uint)second << 8), Read(slot, 0, first, 2));
        Assert.Equal(0x09u, Read(slot, 0, second, 2));
        Write(slot, 0, first + 2, 2, 0xFFFF);
        Assert.Equal(0xC0FFu, Read(slot, 0, first + 2, 2));
    }

    [Fact]
    public void BadBarDefinitionsAreRejected()
    {
        var device = new PciFunction(0x1AF4, 0x1000, 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => device.DefineBar(0, PciBarKind.Memory32, 0x1800));
        Assert.Throws<ArgumentOutOfRangeException>(() => device.DefineBar(5, PciBarKind.Memory64, 0x1000));
        device.DefineBar(0, PciBarKind.Memory64, 0x1000);
        Assert.Throws<InvalidOperationException>(() => device.DefineBar(1, PciBarKind.Io, 4));
        Assert.Throws<ArgumentException>(() => device.SetBarAddress(0, 0x1800));
        Assert.Throws<BusConflictException>(() => _host.Bus.Attach(1, 0, device));
    }

    [Fact]
    [Trait("Category", FuzzBudget.Category)]
    public void RandomConfigurationAccessesNeverThrowAndKeepIdentities()
    {
        var random = new Random(11);
        var device = new PciFunction(0x1AF4, 0x1042, 0x01_0000);
        device.DefineBar(0, PciBarKind.Memory64, 0x4000);
        device.AddCapability(0x11, new byte[10]);
        _host.Bus.Attach(3, 0, device);
        int[] sizes = [1, 2, 4];
        ushort[] ports = [0xCF8, 0xCF9, 0xCFA, 0xCFB, 0xCFC, 0xCFD, 0xCFE, 0xCFF];
        for (int i = 0; i < FuzzBudget.Iterations(50_000); i++)
        {
            ushort port = ports[random.Next(ports.Length)];
            int size = sizes[random.Next(3)];
            uint value = random.Next(4) == 0 ? 0x8000_0000u | (uint)random.Next(0, 0x4000) : (uint)random.NextInt64();
            if (random.Next(2) == 0)
            {
                _ports.Write(port, size, value);
            }
            else
            {
                _ports.Read(port, size);
            }
        }

        Assert.Equal(0x1237_8086u, Read(0, 0, 0, 4));
        Assert.Equal(0x7000_8086u, Read(1, 0, 0, 4));
        Assert.Equal(0x1042_1AF4u, Read(3, 0, 0, 4));
        Assert.Equal(0u, device.BarAddress(0) & 0x3FFF);
    }
}
