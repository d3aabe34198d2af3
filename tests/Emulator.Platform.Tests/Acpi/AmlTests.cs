using Emulator.Tests.Shared;

namespace Emulator.Platform.Tests;

public sealed class AmlTests
{
    [Theory]
    [InlineData(0UL, new byte[] { 0x00 })]
    [InlineData(1UL, new byte[] { 0x01 })]
    [InlineData(2UL, new byte[] { 0x0A, 0x02 })]
    [InlineData(0xFFUL, new byte[] { 0x0A, 0xFF })]
    [InlineData(0x100UL, new byte[] { 0x0B, 0x00, 0x01 })]
    [InlineData(0x10000UL, new byte[] { 0x0C, 0x00, 0x00, 0x01, 0x00 })]
    [InlineData(0x1_0000_0000UL, new byte[] { 0x0E, 0, 0, 0, 0, 1, 0, 0, 0 })]
    public void IntegersUseTheShortestEncoding(ulong value, byte[] expected) => Assert.Equal(expected, Aml.Integer(value));

    [Theory]
    [InlineData(0, new byte[] { 0x01 })]
    [InlineData(62, new byte[] { 0x3F })]
    [InlineData(63, new byte[] { 0x41, 0x04 })] // total 65 = 0x41 with two bytes
    [InlineData(4093, new byte[] { 0x4F, 0xFF })]
    [InlineData(4094, new byte[] { 0x81, 0x00, 0x01 })]
    public void PackageLengthCountsItsOwnBytes(int body, byte[] expected) => Assert.Equal(expected, Aml.PackageLength(body));

    [Fact]
    [Trait("Category", FuzzBudget.Category)]
    public void PackageLengthDecodesBackForRandomSizes()
    {
        var random = new Random(4);
        for (int i = 0; i < FuzzBudget.Iterations(20_000); i++)
        {
            int body = random.Next(0, Aml.MaxPackageLength - 4);
            byte[] encoded = Aml.PackageLength(body);
            int extra = encoded[0] >> 6;
            Assert.Equal(extra + 1, encoded.Length);
            int total = extra == 0 ? encoded[0] & 0x3F : encoded[0] & 0xF;
            for (int b = 1; b <= extra; b++)
            {
                total |= encoded[b] << (4 + (8 * (b - 1)));
            }

            Assert.Equal(body + encoded.Length, total);
            if (extra > 0)
            {
                Assert.Equal(0, encoded[0] & 0x30);
            }
        }
    }

    [Fact]
    public void EisaIdCompressesAsAsl() => Assert.Equal(0x030AD041u, Aml.EisaIdValue("PNP0A03"));

    [Fact]
    public void NameStringsHandleRootPaddingAndMultipleSegments()
    {
        Assert.Equal("\\_SB_"u8.ToArray(), Aml.NameString("\\_SB"));
        Assert.Equal([(byte)'^', .. "PCI0"u8], Aml.NameString("^PCI0"));
        Assert.Equal([0x2E, .. "_SB_PCI0"u8], Aml.NameString("_SB.PCI0"));
        Assert.Equal([(byte)'\\', 0x2F, 3, .. "_SB_PCI0ISA_"u8], Aml.NameString("\\_SB.PCI0.ISA"));
        Assert.Throws<ArgumentException>(() => Aml.NameString("TOOLONG"));
        Assert.Throws<ArgumentException>(() => Aml.NameString("1ABC"));
    }

    [Fact]
    public void ComposedTermsHaveTheirOpcodesAndLengths()
    {
        Assert.Equal([0x08, .. "_UID"u8, 0x00], Aml.Name("_UID", Aml.Integer(0)));
        Assert.Equal([0x12, 0x05, 0x02, 0x01, 0x0A, 0x05], Aml.Package(Aml.Integer(1), Aml.Integer(5)));
        Assert.Equal([0x0D, (byte)'h', (byte)'i', 0], Aml.String("hi"));
        Assert.Equal([0x11, 0x05, 0x0A, 0x02, 0xAA, 0xBB], Aml.Buffer([0xAA, 0xBB]));
        Assert.Equal([0x14, 0x09, .. "_STA"u8, 0x00, 0xA4, 0x0A, 0x0F], Aml.Method("_STA", 0, Aml.Return(Aml.Integer(0x0F))));
        Assert.Equal([0x5B, 0x82, 0x05, .. "DEV0"u8], Aml.Device("DEV0"));
    }

    [Fact]
    public void ResourceDescriptorsHaveAcpiLayouts()
    {
        Assert.Equal([0x47, 0x01, 0xF8, 0x0C, 0xF8, 0x0C, 0x01, 0x08], AmlResource.Io(0xCF8, 0xCF8, 1, 8));
        Assert.Equal([0x23, 0x00, 0x02, 0x00], AmlResource.Irq(levelTriggered: true, activeLow: false, shared: false, 9));
        Assert.Equal([0x22, 0x10, 0x00], AmlResource.IrqNoFlags(4));
        byte[] word = AmlResource.WordIo(0xD00, 0xFFFF);
        Assert.Equal(16, word.Length);
        Assert.Equal(0x0D, word[1]);
        Assert.Equal(0xF300, BitConverter.ToUInt16(word, 14)); // length = 0xFFFF - 0xD00 + 1
        Assert.Equal(46, AmlResource.QWordMemory(0x1_0000_0000, 0x1_FFFF_FFFF, false).Length);
        Assert.Equal(26, AmlResource.DWordMemory(0xE000_0000, 0xFEBF_FFFF, false).Length);
        byte[] template = AmlResource.Template(AmlResource.IrqNoFlags(4));
        Assert.Equal([0x11, 0x08, 0x0A, 0x05, 0x22, 0x10, 0x00, 0x79, 0x00], template);
    }

    [Fact]
    public void AHandBuiltDefinitionBlockDisassemblesWithIasl()
    {
        byte[] body = Aml.Concat(
            Aml.Scope("\\_SB",
                Aml.Device("COM1",
                    Aml.Name("_HID", Aml.EisaId("PNP0501")),
                    Aml.Name("_STR", Aml.String("serial")),
                    Aml.Method("_STA", 0, Aml.Return(Aml.Integer(0x0F))),
                    Aml.Name("_CRS", AmlResource.Template(
                        AmlResource.Io(0x3F8, 0x3F8, 0, 8),
                        AmlResource.IrqNoFlags(4),
                        AmlResource.Memory32Fixed(true, 0xFED0_0000, 0x400),
                        AmlResource.QWordMemory(0x1_0000_0000, 0x1_FFFF_FFFF, true))))));
        string dsl = Iasl.Disassemble(AcpiTable.Build("SSDT", 2, body), "ssdt");
        Assert.Contains("Device (COM1)", dsl, StringComparison.Ordinal);
        Assert.Contains("EisaId (\"PNP0501\")", dsl, StringComparison.Ordinal);
        Assert.Contains("IRQNoFlags ()", dsl, StringComparison.Ordinal);
        Assert.Contains("Memory32Fixed (ReadWrite,", dsl, StringComparison.Ordinal);
        Assert.Contains("QWordMemory (ResourceProducer", dsl, StringComparison.Ordinal);
        Assert.Contains("Return (0x0F)", dsl, StringComparison.Ordinal);
    }
}
