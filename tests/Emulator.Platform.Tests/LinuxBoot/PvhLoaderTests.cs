using System.Buffers.Binary;
using Emulator.Cpu;
using Emulator.Memory;
using Emulator.Tests.Shared;

namespace Emulator.Platform.Tests;

public sealed class PvhLoaderTests
{
    private const ulong Ram = 64UL << 20;
    private const ulong Rsdp = 0xF_0000;

    private static PvhBoot Load(GuestMemory memory, byte[] image, string cmdline = "console=ttyS0", byte[]? initrd = null) =>
        PvhLoader.Load(memory, new RamLayout(Ram), image, cmdline, initrd ?? [], Rsdp);

    [Fact]
    public void SegmentsLoadAtTheirPhysicalAddressWithZeroedBssAndTheNoteGivesTheEntry()
    {
        byte[] image = SyntheticPvhElf.Build(codeLength: 0x300, bss: 0x1000);
        using GuestMemory memory = GuestMemory.Create((0, Ram));
        memory.Write(SyntheticPvhElf.LoadAddress + 0x300, Enumerable.Repeat((byte)0xCC, 0x1000).ToArray());
        PvhBoot boot = Load(memory, image);
        Assert.Equal(SyntheticPvhElf.Entry, boot.Entry);
        byte[] loaded = new byte[0x300];
        memory.Read(SyntheticPvhElf.LoadAddress, loaded);
        Assert.Equal(image.AsSpan(SyntheticPvhElf.CodeOffset).ToArray(), loaded);
        Assert.Equal(0, memory.Read<byte>(SyntheticPvhElf.LoadAddress + 0x12FF));
        Assert.True(PvhLoader.IsPvhKernel(image));
    }

    [Fact]
    public void StartInfoCarriesMagicCommandLineInitrdModuleMemoryMapAndRsdp()
    {
        using GuestMemory memory = GuestMemory.Create((0, Ram));
        byte[] initrd = Enumerable.Repeat((byte)0xA5, 5000).ToArray();
        PvhBoot boot = Load(memory, SyntheticPvhElf.Build(), "console=ttyS0 quiet", initrd);
        ulong si = boot.StartInfoAddress;
        Assert.Equal(PvhLoader.StartInfoMagic, memory.Read<uint>(si));
        Assert.Equal(1u, memory.Read<uint>(si + 4));
        Assert.Equal(1u, memory.Read<uint>(si + 12));
        Assert.Equal("console=ttyS0 quiet", BzImageLoaderTests.ReadString(memory, memory.Read<ulong>(si + 24)));
        Assert.Equal(Rsdp, memory.Read<ulong>(si + 32));

        ulong module = memory.Read<ulong>(si + 16);
        ulong initrdAddress = memory.Read<ulong>(module);
        Assert.Equal(boot.InitrdAddress, initrdAddress);
        Assert.Equal(5000UL, memory.Read<ulong>(module + 8));
        Assert.Equal(0UL, initrdAddress % 4096);
        Assert.True(initrdAddress + 5000 <= Ram && initrdAddress + 5000 > Ram - 4096);
        Assert.Equal(0xA5, memory.Read<byte>(initrdAddress + 4999));

        IReadOnlyList<MemoryMapEntry> map = new RamLayout(Ram).MemoryMap;
        ulong table = memory.Read<ulong>(si + 40);
        Assert.Equal((uint)map.Count, memory.Read<uint>(si + 48));
        for (int i = 0; i < map.Count; i++)
        {
            ulong e = table + (ulong)(24 * i);
            Assert.Equal(map[i], new MemoryMapEntry(memory.Read<ulong>(e), memory.Read<ulong>(e + 8), memory.Read<uint>(e + 16)));
        }
    }

    [Fact]
    public void NoInitrdMeansNoModules()
    {
        using GuestMemory memory = GuestMemory.Create((0, Ram));
        PvhBoot boot = Load(memory, SyntheticPvhElf.Build());
        Assert.Equal(0u, memory.Read<uint>(boot.StartInfoAddress + 12));
        Assert.Equal(0UL, boot.InitrdAddress);
    }

    [Fact]
    public void EntryStateIsFlat32BitProtectedModeWithPagingOffAndEbxAtStartInfo()
    {
        using GuestMemory memory = GuestMemory.Create((0, Ram));
        PvhBoot boot = Load(memory, SyntheticPvhElf.Build());
        var state = default(CpuState);
        state.Rflags = 0x202;
        state.Cr0 = Cr0Bits.PG | Cr0Bits.PE;
        boot.ApplyEntryState(ref state);
        Assert.Equal(SyntheticPvhElf.Entry, state.Rip);
        Assert.Equal(boot.StartInfoAddress, state.Register(GeneralRegister.Rbx));
        Assert.NotEqual(0UL, state.Cr0 & Cr0Bits.PE);
        Assert.Equal(0UL, state.Cr0 & Cr0Bits.PG);
        Assert.False(state.LongModeActive);
        Assert.Equal(0UL, state.Rflags & RflagsBits.IF);
        SegmentCache cs = state.Segment(SegmentRegister.Cs);
        Assert.Equal((0UL, 0xFFFF_FFFFu, (ushort)0x10), (cs.Base, cs.Limit, cs.Selector));
        Assert.NotEqual(0u, cs.Flags & SegmentFlags.Big);
        Assert.Equal(0x00CF_9B00_0000_FFFFUL, memory.Read<ulong>(LinuxBootLayout.GdtAddress + 0x10));
    }

    [Fact]
    public void KernelsWithoutThePvhNoteOrOutsideRamAreRejected()
    {
        using GuestMemory memory = GuestMemory.Create((0, Ram));
        Assert.Contains("PHYS32_ENTRY", Assert.Throws<BootImageException>(() => Load(memory, SyntheticPvhElf.Build(withNote: false))).Message, StringComparison.Ordinal);
        Assert.Contains("guest RAM", Assert.Throws<BootImageException>(() => Load(memory, SyntheticPvhElf.Build(bss: 0x1000_0000))).Message, StringComparison.Ordinal);
        byte[] bad = SyntheticPvhElf.Build();
        bad[18] = 3;
        Assert.Throws<BootImageException>(() => Load(memory, bad));
        Assert.Throws<BootImageException>(() => Load(memory, SyntheticBzImage.Build(SyntheticBzImage.Payload(0x100))));
        Assert.Contains("initrd", Assert.Throws<BootImageException>(() => Load(memory, SyntheticPvhElf.Build(), "k", new byte[64 << 20])).Message, StringComparison.Ordinal);
        Assert.False(PvhLoader.IsPvhKernel(SyntheticPvhElf.Build(withNote: false)));
    }

    [Fact]
    [Trait("Category", FuzzBudget.Category)]
    public void RandomAndMutatedElfImagesLoadOrFailWithABootImageException()
    {
        var random = new Random(777);
        byte[] valid = SyntheticPvhElf.Build();
        using GuestMemory memory = GuestMemory.Create((0, Ram));
        var layout = new RamLayout(Ram);
        for (int i = 0, n = FuzzBudget.Iterations(3000); i < n; i++)
        {
            byte[] image;
            if (i % 4 == 0)
            {
                image = new byte[random.Next(0, 1000)];
                random.NextBytes(image);
                if (image.Length > 8)
                {
                    new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'F', 2, 1 }.CopyTo(image, 0);
                }
            }
            else
            {
                image = (byte[])valid.Clone();
                for (int k = random.Next(1, 5); k > 0; k--)
                {
                    // Mostly the ELF and program headers and the notes.
                    int at = random.Next(3) == 0 ? random.Next(image.Length - 8) : random.Next(0, 220 - 8);
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
                PvhLoader.Load(memory, layout, image, "console=ttyS0", new byte[random.Next(0, 3) * 4096], Rsdp);
            }
            catch (BootImageException)
            {
            }
        }
    }
}
