using System.Buffers.Binary;
using System.Text;
using Emulator.Memory;
using Emulator.Tests.Shared;

namespace Emulator.Platform.Tests;

public sealed class FwCfgDeviceTests : IDisposable
{
    private const ulong Ram = 0x10_0000;
    private readonly GuestMemory _memory = GuestMemory.Create((0, Ram));
    private readonly IoPortBus _ports = new();
    private readonly FwCfgDevice _fwCfg;

    public FwCfgDeviceTests()
    {
        _fwCfg = new FwCfgDevice(_memory);
        _fwCfg.Register(_ports);
    }

    public void Dispose() => _memory.Dispose();

    private byte[] ReadItem(ushort key, int length)
    {
        _ports.Write(0x510, 2, key);
        var bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)_ports.Read(0x511, 1);
        }

        return bytes;
    }

    private uint Dma(uint control, uint length, ulong address, ulong accessAddress = 0x1000)
    {
        Span<byte> access = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32BigEndian(access, control);
        BinaryPrimitives.WriteUInt32BigEndian(access[4..], length);
        BinaryPrimitives.WriteUInt64BigEndian(access[8..], address);
        _memory.Write(accessAddress, access);
        _ports.Write(0x514, 4, BinaryPrimitives.ReverseEndianness((uint)(accessAddress >> 32)));
        _ports.Write(0x518, 4, BinaryPrimitives.ReverseEndianness((uint)accessAddress));
        return BinaryPrimitives.ReverseEndianness(_memory.ReadU32(accessAddress));
    }

    [Fact]
    public void SignatureAndIdAdvertiseTraditionalAndDmaInterfaces()
    {
        Assert.Equal("QEMU"u8.ToArray(), ReadItem(FwCfgKeys.Signature, 4));
        Assert.Equal(new byte[] { 3, 0, 0, 0 }, ReadItem(FwCfgKeys.Id, 4));
        Assert.Equal(new byte[] { 0, 0 }, ReadItem(FwCfgKeys.Signature, 6)[4..]); // past the end: zeros
        Assert.Equal(0x554D_4551u, _ports.Read(0x514, 4)); // "QEMU" in guest byte order
        Assert.Equal(0x4746_4320u, _ports.Read(0x518, 4)); // " CFG"
        Assert.Equal(new byte[] { 1, 0, 0, 0 }, new FwCfgDevice(null).Item(FwCfgKeys.Id));
        Assert.Equal(2, new FwCfgDevice(null).PortCount);
    }

    [Fact]
    public void MachineAndLinuxBootItemsHaveQemuLayouts()
    {
        _fwCfg.SetMachine(512UL << 20, 2, 4);
        _fwCfg.SetKernel(0x10_0000, [1, 2, 3]);
        _fwCfg.SetCommandLine(0x2_0000, "console=ttyS0");
        Assert.Equal(BitConverter.GetBytes(512UL << 20), ReadItem(FwCfgKeys.RamSize, 8));
        Assert.Equal(new byte[] { 2, 0 }, ReadItem(FwCfgKeys.NbCpus, 2));
        Assert.Equal(new byte[] { 4, 0 }, ReadItem(FwCfgKeys.MaxCpus, 2));
        Assert.Equal(new byte[] { 0, 0, 0x10, 0 }, ReadItem(FwCfgKeys.KernelAddress, 4));
        Assert.Equal(new byte[] { 3, 0, 0, 0 }, ReadItem(FwCfgKeys.KernelSize, 4));
        Assert.Equal(new byte[] { 1, 2, 3 }, ReadItem(FwCfgKeys.KernelData, 3));
        Assert.Equal(new byte[] { 14, 0, 0, 0 }, ReadItem(FwCfgKeys.CommandLineSize, 4));
        Assert.Equal("console=ttyS0\0"u8.ToArray(), ReadItem(FwCfgKeys.CommandLineData, 14));
    }

    [Fact]
    public void FileDirectoryIsBigEndianAndSortedByName()
    {
        _fwCfg.AddFile("etc/table-loader", [9, 9]);
        _fwCfg.AddFile("etc/acpi/tables", new byte[300]);
        byte[] dir = ReadItem(FwCfgKeys.FileDirectory, 4 + 128);
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32BigEndian(dir));
        Assert.Equal(300u, BinaryPrimitives.ReadUInt32BigEndian(dir.AsSpan(4)));
        Assert.Equal(0x20, BinaryPrimitives.ReadUInt16BigEndian(dir.AsSpan(8)));
        Assert.Equal("etc/acpi/tables", Encoding.ASCII.GetString(dir, 12, 56).TrimEnd('\0'));
        Assert.Equal(0x21, BinaryPrimitives.ReadUInt16BigEndian(dir.AsSpan(68 + 4)));
        Assert.Equal("etc/table-loader", Encoding.ASCII.GetString(dir, 68 + 8, 56).TrimEnd('\0'));
        Assert.Equal(new byte[] { 9, 9 }, ReadItem(_fwCfg.FileKey("etc/table-loader"), 2));
        Assert.Throws<ArgumentException>(() => _fwCfg.AddFile("etc/acpi/tables", []));
        Assert.Throws<ArgumentException>(() => _fwCfg.AddFile(new string('x', 56), []));
        Assert.Throws<ArgumentOutOfRangeException>(() => _fwCfg.SetItem(0x25, []));
    }

    [Fact]
    public void DmaSelectsReadsSkipsAndZeroFillsPastTheItem()
    {
        _fwCfg.AddFile("etc/blob", [1, 2, 3, 4, 5, 6]);
        ushort key = _fwCfg.FileKey("etc/blob");
        _memory.Write(0x2000, Enumerable.Repeat((byte)0xEE, 8).ToArray());
        Assert.Equal(0u, Dma(((uint)key << 16) | 0x08 | 0x04, 2, 0)); // select + skip 2
        Assert.Equal(0u, Dma(0x02, 8, 0x2000));
        var got = new byte[8];
        _memory.Read(0x2000, got);
        Assert.Equal(new byte[] { 3, 4, 5, 6, 0, 0, 0, 0 }, got);
        Assert.Equal(1u, Dma(0x10, 4, 0x2000)); // writes are refused
        Assert.Equal(1u, Dma(0x08 | 0x02, 16, Ram - 8)); // destination leaves RAM
    }

    [Fact]
    [Trait("Category", FuzzBudget.Category)]
    public void RandomPortAndDmaTrafficNeverThrowsOrTouchesMemoryOutsideRam()
    {
        var random = new Random(5);
        _fwCfg.SetMachine(Ram, 1, 1);
        _fwCfg.AddFile("etc/x", new byte[100]);
        int[] sizes = [1, 2, 4];
        var access = new byte[16];
        for (int i = 0; i < FuzzBudget.Iterations(20_000); i++)
        {
            ushort port = (ushort)(0x50E + random.Next(0, 16));
            int size = sizes[random.Next(3)];
            if (random.Next(3) == 0)
            {
                random.NextBytes(access);
                if (random.Next(2) == 0)
                {
                    BinaryPrimitives.WriteUInt32BigEndian(access.AsSpan(4), (uint)random.Next(0, 512));
                    BinaryPrimitives.WriteUInt64BigEndian(access.AsSpan(8), (ulong)random.NextInt64(0, (long)Ram + 0x1000));
                }

                ulong at = (ulong)random.Next(0x1000, 0x2000) & ~15UL;
                _memory.Write(at, access);
                _ports.Write(0x518, 4, BinaryPrimitives.ReverseEndianness((uint)at));
            }
            else if (random.Next(2) == 0)
            {
                _ports.Write(port, size, (uint)random.NextInt64());
            }
            else
            {
                _ports.Read(port, size);
            }
        }

        Assert.Equal("QEMU"u8.ToArray(), ReadItem(FwCfgKeys.Signature, 4));
    }
}
