using System.Buffers.Binary;
using System.Text;
using Emulator.Cpu;
using Emulator.Memory;
using Emulator.Tests.Shared;

namespace Emulator.Platform.Tests;

public sealed class BzImageLoaderTests
{
    private const ulong Ram = 64UL << 20;
    private const ulong Rsdp = 0xF_0000;

    private static LinuxBoot64 Load(GuestMemory memory, byte[] image, string cmdline = "console=ttyS0", byte[]? initrd = null) =>
        BzImageLoader.Load(memory, new RamLayout(Ram), image, cmdline, initrd ?? [], Rsdp);

    internal static string ReadString(GuestMemory memory, ulong address)
    {
        var bytes = new List<byte>();
        for (ulong a = address; memory.Read<byte>(a) != 0; a++)
        {
            bytes.Add(memory.Read<byte>(a));
        }

        return Encoding.UTF8.GetString([.. bytes]);
    }

    [Fact]
    public void ProtectedModeKernelLoadsAtPrefAddressWithTheEntryAt0x200()
    {
        byte[] payload = SyntheticBzImage.Payload(0x1234);
        using GuestMemory memory = GuestMemory.Create((0, Ram));
        LinuxBoot64 boot = Load(memory, SyntheticBzImage.Build(payload));
        Assert.Equal(SyntheticBzImage.PrefAddress, boot.KernelAddress);
        Assert.Equal(SyntheticBzImage.PrefAddress + 0x200, boot.Entry);
        byte[] loaded = new byte[payload.Length];
        memory.Read(SyntheticBzImage.PrefAddress, loaded);
        Assert.Equal(payload, loaded);
    }

    [Fact]
    public void BootParamsCarryTheHeaderLoaderTypeCommandLineInitrdRsdpAndE820()
    {
        byte[] image = SyntheticBzImage.Build(SyntheticBzImage.Payload(0x800));
        byte[] initrd = Enumerable.Repeat((byte)0x5A, 10_000).ToArray();
        using GuestMemory memory = GuestMemory.Create((0, Ram));
        LinuxBoot64 boot = Load(memory, image, "console=ttyS0 emu.run=\"ls\"", initrd);
        ulong bp = boot.BootParamsAddress;
        Assert.Equal(LinuxBootLayout.BootParamsAddress, bp);
        Assert.Equal(0x5372_6448u, memory.Read<uint>(bp + 0x202));
        Assert.Equal((ushort)0x020F, memory.Read<ushort>(bp + 0x206));
        Assert.Equal(1, memory.Read<byte>(bp + 0x1F1));
        Assert.Equal(0xFF, memory.Read<byte>(bp + 0x210));
        Assert.Equal(0x81, memory.Read<byte>(bp + 0x211));
        Assert.Equal(SyntheticBzImage.PrefAddress, memory.Read<ulong>(bp + 0x258));
        uint cmdline = memory.Read<uint>(bp + 0x228);
        Assert.Equal("console=ttyS0 emu.run=\"ls\"", ReadString(memory, cmdline));
        Assert.Equal(0u, memory.Read<uint>(bp + 0xC8));

        uint initrdAddress = memory.Read<uint>(bp + 0x218);
        Assert.Equal(boot.InitrdAddress, initrdAddress);
        Assert.Equal(10_000u, memory.Read<uint>(bp + 0x21C));
        Assert.Equal(0u, initrdAddress % 4096);
        Assert.True(initrdAddress + 10_000UL <= Ram && initrdAddress + 10_000UL > Ram - 4096, "the initrd sits at the top of RAM");
        Assert.True(initrdAddress >= SyntheticBzImage.PrefAddress + 0x40_0000, "the initrd stays above init_size");
        Assert.Equal(0x5A, memory.Read<byte>(initrdAddress + 9_999));
        Assert.Equal(Rsdp, memory.Read<ulong>(bp + 0x70));

        IReadOnlyList<MemoryMapEntry> map = new RamLayout(Ram).MemoryMap;
        Assert.Equal(map.Count, memory.Read<byte>(bp + 0x1E8));
        for (int i = 0; i < map.Count; i++)
        {
            ulong e = bp + 0x2D0 + (ulong)(20 * i);
            Assert.Equal(map[i], new MemoryMapEntry(memory.Read<ulong>(e), memory.Read<ulong>(e + 8), memory.Read<uint>(e + 16)));
        }
    }

    [Fact]
    public void InitrdStaysBelowInitrdAddrMax()
    {
        byte[] image = SyntheticBzImage.Build(SyntheticBzImage.Payload(0x800), initrdMax: 0x1FF_FFFF);
        using GuestMemory memory = GuestMemory.Create((0, Ram));
        LinuxBoot64 boot = Load(memory, image, "x", new byte[0x1800]);
        Assert.Equal(0x200_0000UL - 0x2000, boot.InitrdAddress);
    }

    [Fact]
    public void EntryStateIsLongModeWithIdentityPagingFlatGdtAndRsiAtBootParams()
    {
        using GuestMemory memory = GuestMemory.Create((0, Ram));
        LinuxBoot64 boot = Load(memory, SyntheticBzImage.Build(SyntheticBzImage.Payload(0x400)));
        var state = default(CpuState);
        state.Rflags = 0x202;
        boot.ApplyEntryState(ref state);
        Assert.True(state.In64BitMode);
        Assert.Equal(boot.Entry, state.Rip);
        Assert.Equal(LinuxBootLayout.BootParamsAddress, state.Register(GeneralRegister.Rsi));
        Assert.Equal(0UL, state.Rflags & RflagsBits.IF);
        Assert.Equal(LinuxBootLayout.Pml4Address, state.Cr3);
        Assert.NotEqual(0UL, state.Cr0 & Cr0Bits.PG);
        Assert.NotEqual(0UL, state.Cr4 & (1UL << 5));
        Assert.Equal((ushort)0x10, state.Segment(SegmentRegister.Cs).Selector);
        Assert.Equal((ushort)0x18, state.Segment(SegmentRegister.Ds).Selector);
        Assert.Equal(LinuxBootLayout.GdtAddress, state.Gdtr.Base);
        Assert.Equal(0x00AF_9B00_0000_FFFFUL, memory.Read<ulong>(LinuxBootLayout.GdtAddress + 0x10));
        Assert.Equal(0x00CF_9300_0000_FFFFUL, memory.Read<ulong>(LinuxBootLayout.GdtAddress + 0x18));

        // Walk the identity map for a few addresses up to the top of 4 GiB.
        foreach (ulong linear in new ulong[] { 0, 0x7000, 0x100_0200, 0xFEE0_0000, 0xFFFF_F000 })
        {
            ulong pml4e = memory.Read<ulong>(state.Cr3 + (((linear >> 39) & 511) * 8));
            ulong pdpte = memory.Read<ulong>((pml4e & ~0xFFFUL) + (((linear >> 30) & 511) * 8));
            ulong pde = memory.Read<ulong>((pdpte & ~0xFFFUL) + (((linear >> 21) & 511) * 8));
            Assert.Equal(3UL, pml4e & 3);
            Assert.Equal(3UL, pdpte & 3);
            Assert.Equal(0x83UL, pde & 0x83);
            Assert.Equal(linear & ~0x1F_FFFFUL, pde & ~0x1F_FFFFUL & ((1UL << 52) - 1));
        }
    }

    [Theory]
    [InlineData("HdrS")]
    [InlineData("version")]
    [InlineData("xloadflags")]
    [InlineData("setup_sects")]
    [InlineData("init_size")]
    [InlineData("syssize")]
    [InlineData("pref_address")]
    [InlineData("boot_flag")]
    [InlineData("header_end")]
    public void BadHeaderFieldsAreRejectedWithAClearMessage(string field)
    {
        byte[] image = SyntheticBzImage.Build(SyntheticBzImage.Payload(0x800));
        Span<byte> p = image;
        switch (field)
        {
            case "HdrS": p[0x202] = (byte)'X'; break;
            case "version": BinaryPrimitives.WriteUInt16LittleEndian(p[0x206..], 0x020B); break;
            case "xloadflags": p[0x236] = 0; break;
            case "setup_sects": p[0x1F1] = 200; break;
            case "init_size": BinaryPrimitives.WriteUInt32LittleEndian(p[0x260..], 0x10); break;
            case "syssize": BinaryPrimitives.WriteUInt32LittleEndian(p[0x1F4..], 0x1000_0000); break;
            case "pref_address": BinaryPrimitives.WriteUInt64LittleEndian(p[0x258..], 0x1234); break;
            case "boot_flag": p[0x1FE] = 0; break;
            case "header_end": p[0x201] = 0x10; break;
        }

        using GuestMemory memory = GuestMemory.Create((0, Ram));
        BootImageException e = Assert.Throws<BootImageException>(() => Load(memory, image));
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
    }

    [Fact]
    public void KernelInitrdAndCommandLineMustFit()
    {
        using GuestMemory memory = GuestMemory.Create((0, Ram));
        byte[] tooBig = SyntheticBzImage.Build(SyntheticBzImage.Payload(0x800), initSize: 0x800_0000);
        Assert.Contains("init_size", Assert.Throws<BootImageException>(() => Load(memory, tooBig)).Message, StringComparison.Ordinal);
        byte[] image = SyntheticBzImage.Build(SyntheticBzImage.Payload(0x800), cmdlineSize: 10);
        Assert.Contains("command line", Assert.Throws<BootImageException>(() => Load(memory, image, "0123456789A")).Message, StringComparison.Ordinal);
        Assert.Contains("initrd", Assert.Throws<BootImageException>(() => Load(memory, image, "k", new byte[60 << 20])).Message, StringComparison.Ordinal);
        Assert.Throws<BootImageException>(() => Load(memory, new byte[100]));
        Assert.Throws<BootImageException>(() => Load(memory, new byte[4096]));
    }

    [Fact]
    [Trait("Category", FuzzBudget.Category)]
    public void RandomAndMutatedHeadersLoadOrFailWithABootImageException()
    {
        var random = new Random(4321);
        byte[] valid = SyntheticBzImage.Build(SyntheticBzImage.Payload(0x600));
        using GuestMemory memory = GuestMemory.Create((0, Ram));
        var layout = new RamLayout(Ram);
        for (int i = 0, n = FuzzBudget.Iterations(3000); i < n; i++)
        {
            byte[] image;
            if (i % 4 == 0)
            {
                image = new byte[random.Next(0, 3000)];
                random.NextBytes(image);
            }
            else
            {
                image = (byte[])valid.Clone();
                for (int k = random.Next(1, 5); k > 0; k--)
                {
                    // Mostly the header area, where every field is checked.
                    int at = random.Next(3) == 0 ? random.Next(image.Length - 8) : random.Next(0x1F0, 0x268);
                    ulong value = random.Next(3) switch
                    {
                        0 => ulong.MaxValue - (ulong)random.Next(64),
                        1 => (ulong)random.Next(256),
                        _ => (ulong)random.NextInt64(),
                    };
                    BinaryPrimitives.WriteUInt64LittleEndian(image.AsSpan(at), value);
                }
            }

            try
            {
                BzImageLoader.Load(memory, layout, image, "console=ttyS0", new byte[random.Next(0, 3) * 4096], Rsdp);
            }
            catch (BootImageException)
            {
            }
        }
    }
}
