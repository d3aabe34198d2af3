using System.Buffers.Binary;
using System.Text;
using Emulator.Cpu;
using Emulator.Memory;
using Emulator.System.Tests.EndToEnd.Guests;
using Emulator.Tests.Shared;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Platform.Tests;

public sealed class MultibootLoaderTests
{
    private const ulong Ram = 32UL << 20;

    private static byte[] Kernel(uint bss = 0) => MultibootElfWriter.BuildElf(a =>
    {
        a.mov(eax, 1);
        a.hlt();
    }, bss);

    private static string ReadString(GuestMemory memory, uint address)
    {
        var bytes = new List<byte>();
        for (ulong a = address; memory.Read<byte>(a) != 0; a++)
        {
            bytes.Add(memory.Read<byte>(a));
        }

        return Encoding.UTF8.GetString([.. bytes]);
    }

    [Fact]
    public void ElfKernelLoadsAtItsPhysicalAddressWithZeroedBss()
    {
        byte[] kernel = Kernel(bss: 0x2000);
        using GuestMemory memory = GuestMemory.Create((0, Ram));
        memory.Write(MultibootElfWriter.LoadAddress + (ulong)kernel.Length, Enumerable.Repeat((byte)0xCC, 0x2000).ToArray());
        MultibootBoot boot = MultibootLoader.Load(memory, new RamLayout(Ram), kernel, "/k arg", []);
        Assert.Equal(MultibootElfWriter.EntryAddress, boot.Entry);
        byte[] loaded = new byte[kernel.Length];
        memory.Read(MultibootElfWriter.LoadAddress, loaded);
        Assert.Equal(kernel, loaded);
        Assert.Equal(0, memory.Read<byte>(MultibootElfWriter.LoadAddress + (ulong)kernel.Length + 0x1FFF));
        Assert.True(boot.InfoAddress >= MultibootElfWriter.LoadAddress + (ulong)kernel.Length + 0x2000);
        Assert.Equal(0u, boot.InfoAddress % 4096);
    }

    [Fact]
    public void InfoStructureCarriesMemoryCommandLineModulesMapAndName()
    {
        using GuestMemory memory = GuestMemory.Create((0, Ram));
        MultibootModule[] modules = [new("a.bin x=1", "AAAA"u8.ToArray()), new("b.bin", new byte[5000])];
        MultibootBoot boot = MultibootLoader.Load(memory, new RamLayout(Ram), Kernel(), "/boot/kernel console=x", modules);
        uint info = boot.InfoAddress;
        Assert.Equal(0x24Fu, memory.Read<uint>(info) & 0x24F);
        Assert.Equal(640u, memory.Read<uint>(info + 4));
        Assert.Equal((uint)(Ram / 1024) - 1024, memory.Read<uint>(info + 8));
        Assert.Equal("/boot/kernel console=x", ReadString(memory, memory.Read<uint>(info + 16)));
        Assert.Equal(2u, memory.Read<uint>(info + 20));
        uint mods = memory.Read<uint>(info + 24);
        uint start0 = memory.Read<uint>(mods);
        Assert.Equal(0u, start0 % 4096);
        Assert.Equal(start0 + 4, memory.Read<uint>(mods + 4));
        Assert.Equal("a.bin x=1", ReadString(memory, memory.Read<uint>(mods + 8)));
        Assert.Equal((byte)'A', memory.Read<byte>(start0 + 3));
        uint start1 = memory.Read<uint>(mods + 16);
        Assert.Equal((start1 % 4096, start1 + 5000u), (0u, memory.Read<uint>(mods + 20)));
        Assert.Equal("emu", ReadString(memory, memory.Read<uint>(info + 64)));

        uint mapLength = memory.Read<uint>(info + 44);
        uint map = memory.Read<uint>(info + 48);
        Assert.Equal(24u * 4, mapLength);
        Assert.Equal(20u, memory.Read<uint>(map));
        Assert.Equal(0x9_FC00UL, memory.Read<ulong>(map + 12));
        Assert.Equal(1u, memory.Read<uint>(map + 20));
        Assert.Equal(0x10_0000UL, memory.Read<ulong>(map + 72 + 4));
    }

    [Fact]
    public void AoutKludgeUsesTheHeaderAddresses()
    {
        byte[] kernel = MultibootElfWriter.BuildAout(a => a.hlt(), bssSize: 0x100);
        using GuestMemory memory = GuestMemory.Create((0, Ram));
        MultibootBoot boot = MultibootLoader.Load(memory, new RamLayout(Ram), kernel, "k", []);
        Assert.Equal(MultibootElfWriter.EntryAddress, boot.Entry);
        Assert.Equal(0xF4, memory.Read<byte>(MultibootElfWriter.EntryAddress));
    }

    [Fact]
    public void EntryStateIsFlatProtectedModeWithTheMagic()
    {
        using var vcpu = new Vcpu();
        new MultibootBoot(0x10_0080, 0x20_0000).ApplyEntryState(ref vcpu.State);
        ref CpuState s = ref vcpu.State;
        Assert.Equal(0x2BAD_B002UL, s.Register(GeneralRegister.Rax));
        Assert.Equal(0x20_0000UL, s.Register(GeneralRegister.Rbx));
        Assert.Equal(0x10_0080UL, s.Rip);
        Assert.Equal(Cr0Bits.PE, s.Cr0 & (Cr0Bits.PE | Cr0Bits.PG));
        Assert.Equal(0UL, s.Rflags & RflagsBits.IF);
        Assert.NotEqual(0u, s.Segments[(int)SegmentRegister.Cs].Flags & SegmentFlags.Big);
        Assert.Equal(0xFFFF_FFFFu, s.Segments[(int)SegmentRegister.Ss].Limit);
    }

    [Fact]
    public void ImagesWithoutAHeaderAreNotMultiboot()
    {
        var error = Assert.Throws<BootImageException>(() => MultibootLoader.Plan(new byte[16384], Ram));
        Assert.Contains("not a multiboot kernel", error.Message, StringComparison.Ordinal);
        byte[] late = new byte[16384];
        BinaryPrimitives.WriteUInt32LittleEndian(late.AsSpan(8192), MultibootHeader.Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(late.AsSpan(8200), unchecked(0u - MultibootHeader.Magic));
        Assert.False(MultibootLoader.IsMultiboot(late));
    }

    [Fact]
    public void HostileFieldsGetClearErrors()
    {
        byte[] kernel = Kernel();

        byte[] phoff = (byte[])kernel.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(phoff.AsSpan(28), 0xFFFF_FFF0);
        Assert.Contains("program headers", Assert.Throws<BootImageException>(() => MultibootLoader.Plan(phoff, Ram)).Message, StringComparison.Ordinal);

        byte[] high = (byte[])kernel.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(high.AsSpan(52 + 12), 0xFFFF_0000);
        Assert.Contains("outside guest RAM", Assert.Throws<BootImageException>(() => MultibootLoader.Plan(high, Ram)).Message, StringComparison.Ordinal);

        byte[] wide = (byte[])kernel.Clone();
        wide[4] = 2;
        Assert.Contains("32bit", Assert.Throws<BootImageException>(() => MultibootLoader.Plan(wide, Ram)).Message, StringComparison.Ordinal);

        byte[] aout = MultibootElfWriter.BuildAout(a => a.hlt());
        BinaryPrimitives.WriteUInt32LittleEndian(aout.AsSpan(MultibootElfWriter.HeaderOffset + 20), 0x200_0000); // load_end far past the file
        Assert.Contains("file", Assert.Throws<BootImageException>(() => MultibootLoader.Plan(aout, Ram)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ModulesThatDoNotFitInRamAreAnError()
    {
        using GuestMemory memory = GuestMemory.Create((0, 4UL << 20));
        MultibootModule big = new("big", new byte[4 << 20]);
        Assert.Throws<BootImageException>(() => MultibootLoader.Load(memory, new RamLayout(4UL << 20), Kernel(), "k", [big]));
    }

    [Fact]
    [Trait("Category", FuzzBudget.Category)]
    public void RandomAndMutatedImagesLoadOrFailWithABootImageException()
    {
        var random = new Random(1234);
        byte[] elf = Kernel(0x100);
        byte[] aout = MultibootElfWriter.BuildAout(a => a.hlt(), 0x100);
        using GuestMemory memory = GuestMemory.Create((0, 4UL << 20));
        var layout = new RamLayout(4UL << 20);
        for (int i = 0, n = FuzzBudget.Iterations(3000); i < n; i++)
        {
            byte[] image;
            switch (i % 3)
            {
                case 0:
                    image = new byte[random.Next(0, 400)];
                    random.NextBytes(image);
                    if (image.Length >= 12 && random.Next(2) == 0)
                    {
                        // A valid header with random fields makes the interesting paths reachable.
                        uint flags = (uint)random.Next() | (random.Next(2) == 0 ? 1u << 16 : 0);
                        BinaryPrimitives.WriteUInt32LittleEndian(image, MultibootHeader.Magic);
                        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(4), flags & 0xFFFF_0003);
                        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(8), unchecked(0u - MultibootHeader.Magic - (flags & 0xFFFF_0003)));
                    }

                    break;
                default:
                    image = (byte[])(i % 3 == 1 ? elf : aout).Clone();
                    for (int k = random.Next(1, 6); k > 0; k--)
                    {
                        int at = random.Next(image.Length - 4);
                        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(at), random.Next(4) == 0 ? uint.MaxValue - (uint)random.Next(64) : (uint)random.Next());
                    }

                    break;
            }

            try
            {
                MultibootLoader.Load(memory, layout, image, "k", [new MultibootModule("m", new byte[random.Next(0, 9000)])]);
            }
            catch (BootImageException)
            {
            }
        }
    }
}
