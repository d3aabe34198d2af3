namespace Emulator.Platform.Tests;

public sealed class BusTests
{
    private sealed class Recorder : IPortDevice, IMmioDevice
    {
        public List<string> Log { get; } = [];

        public uint Read(ushort offset, int size)
        {
            Log.Add($"r{offset}/{size}");
            return 0x1234_5678;
        }

        public void Write(ushort offset, int size, uint value) => Log.Add($"w{offset}/{size}={value:x}");

        public void Read(ulong offset, Span<byte> destination)
        {
            Log.Add($"mr{offset:x}/{destination.Length}");
            destination.Fill(0xAB);
        }

        public void Write(ulong offset, ReadOnlySpan<byte> source) => Log.Add($"mw{offset:x}/{source.Length}");
    }

    [Fact]
    public void PortAccessesReachTheDeviceWithOffsetsAndSizeMasks()
    {
        var bus = new IoPortBus();
        var device = new Recorder();
        bus.Register(new PortRange(0x3F8, 8), device, "serial0");
        Assert.Equal(0x78u, bus.Read(0x3F8, 1));
        Assert.Equal(0x5678u, bus.Read(0x3FD, 2));
        bus.Write(0x3FF, 4, 0xCAFE);
        Assert.Equal(["r0/1", "r5/2", "w7/4=cafe"], device.Log);
    }

    [Fact]
    public void UnassignedPortsReadAllOnesAndIgnoreWrites()
    {
        var bus = new IoPortBus();
        Assert.Equal(0xFFu, bus.Read(0x80, 1));
        Assert.Equal(0xFFFFu, bus.Read(0xFFFF, 2));
        Assert.Equal(0xFFFF_FFFFu, bus.Read(0, 4));
        bus.Write(0x80, 1, 0);
    }

    [Fact]
    public void OverlappingEmptyAndOversizedPortRangesAreRefusedByName()
    {
        var bus = new IoPortBus();
        bus.Register(new PortRange(0xF4, 4), new Recorder(), "isa-debug-exit");
        var overlap = Assert.Throws<BusConflictException>(() => bus.Register(new PortRange(0xF0, 5), new Recorder(), "other"));
        Assert.Contains("isa-debug-exit", overlap.Message, StringComparison.Ordinal);
        Assert.Throws<BusConflictException>(() => bus.Register(new PortRange(0x10, 0), new Recorder(), "empty"));
        Assert.Throws<BusConflictException>(() => bus.Register(new PortRange(0xFFFF, 2), new Recorder(), "wraps"));
        bus.Register(new PortRange(0xF8, 1), new Recorder(), "adjacent");
        bus.Register(new PortRange(0xFFFF, 1), new Recorder(), "last");
    }

    [Fact]
    public void MmioAccessesReachTheDeviceAtOffsetsAndUnclaimedSpaceIsAllOnes()
    {
        var bus = new MmioBus();
        var device = new Recorder();
        bus.Register(0xFEE0_0000, 0x1000, device, "lapic");
        Span<byte> buffer = stackalloc byte[4];
        Assert.True(bus.TryRead(0xFEE0_0020, buffer));
        Assert.Equal(0xAB, buffer[3]);
        Assert.True(bus.TryWrite(0xFEE0_0FFC, buffer));
        Assert.False(bus.TryRead(0xFEDF_FFFF, buffer[..1]));
        Assert.Equal(0xFF, buffer[0]);
        Assert.False(bus.TryWrite(0xFEE0_1000, buffer));
        Assert.Equal(["mr20/4", "mwffc/4"], device.Log);
    }

    [Fact]
    public void MmioAccessesAreCutAtDeviceBoundaries()
    {
        var bus = new MmioBus();
        var first = new Recorder();
        var second = new Recorder();
        bus.Register(0x1000, 0x10, first, "first");
        bus.Register(0x1010, 0x4, second, "second");
        byte[] buffer = new byte[8];
        Assert.True(bus.TryRead(0x100E, buffer));
        Assert.Equal(new byte[] { 0xAB, 0xAB, 0xAB, 0xAB, 0xAB, 0xAB, 0xFF, 0xFF }, buffer);
        Assert.True(bus.TryWrite(0x0FFE, buffer));
        Assert.Equal(["mre/2", "mw0/6"], first.Log);
        Assert.Equal(["mr0/4"], second.Log);
        Assert.True(bus.TryRead(ulong.MaxValue - 1, buffer.AsSpan(0, 2)) is false);
    }

    [Fact]
    public void RandomAccessesStayInsideTheirDevices()
    {
        var bus = new MmioBus();
        var random = new Random(7);
        var devices = new List<(ulong Base, ulong Length, Recorder Device)>();
        for (ulong b = 0x1000; b < 0x1100; b += 0x20)
        {
            var device = new Recorder();
            ulong length = (ulong)random.Next(1, 0x20);
            bus.Register(b, length, device, $"d{b:x}");
            devices.Add((b, length, device));
        }

        byte[] buffer = new byte[64];
        for (int i = 0; i < 2000; i++)
        {
            ulong at = 0xF00 + (ulong)random.Next(0x300);
            _ = bus.TryRead(at, buffer.AsSpan(0, random.Next(1, 64)));
        }

        foreach ((ulong _, ulong length, Recorder device) in devices)
        {
            foreach (string entry in device.Log)
            {
                string[] parts = entry[2..].Split('/');
                ulong offset = Convert.ToUInt64(parts[0], 16);
                ulong size = ulong.Parse(parts[1], global::System.Globalization.CultureInfo.InvariantCulture);
                Assert.True(offset + size <= length, $"{entry} outside a device of {length} bytes");
            }
        }
    }

    [Fact]
    public void OverlappingEmptyAndWrappingMmioRangesAreRefused()
    {
        var bus = new MmioBus();
        bus.Register(0xFEC0_0000, 0x1000, new Recorder(), "ioapic");
        Assert.Contains("ioapic", Assert.Throws<BusConflictException>(() => bus.Register(0xFEBF_F000, 0x1001, new Recorder(), "x")).Message, StringComparison.Ordinal);
        Assert.Throws<BusConflictException>(() => bus.Register(0x1000, 0, new Recorder(), "empty"));
        Assert.Throws<BusConflictException>(() => bus.Register(ulong.MaxValue, 2, new Recorder(), "wraps"));
        bus.Register(0xFEC0_1000, 0x10, new Recorder(), "adjacent");
    }

    [Fact]
    public void DebugConsoleWritesBytesAndReadsBackE9()
    {
        using var output = new MemoryStream();
        var bus = new IoPortBus();
        bus.Register(DebugConsole.Range, new DebugConsole(output), "debugcon");
        foreach (byte b in "hi"u8)
        {
            bus.Write(0xE9, 1, b);
        }

        bus.Write(0xE9, 2, 0x4121);
        Assert.Equal("hi!"u8.ToArray(), output.ToArray());
        Assert.Equal(0xE9u, bus.Read(0xE9, 1));
    }

    [Theory]
    [InlineData(0x31u, 99)]
    [InlineData(0u, 1)]
    [InlineData(1u, 3)]
    public void IsaDebugExitStatusIsValueShiftedOrOne(uint value, int status)
    {
        int? exit = null;
        var bus = new IoPortBus();
        bus.Register(new PortRange(0xF4, 4), new IsaDebugExit(code => exit = code), "isa-debug-exit");
        bus.Write(0xF5, 1, value);
        Assert.Equal(status, exit);
    }
}
