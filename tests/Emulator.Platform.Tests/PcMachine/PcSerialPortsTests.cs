using System.Text;
using System.Text.RegularExpressions;
using Emulator.Memory;

namespace Emulator.Platform.Tests.PcMachine;

/// <summary>COM1-COM4 as QEMU's pc board has them: only the ports asked for, each at its address, COM1/COM3 and COM2/COM4 sharing IRQ 4 and 3.</summary>
public sealed class PcSerialPortsTests : IDisposable
{
    private const int Ier = 1;
    private const int Iir = 2;
    private const int Lsr = 5;
    private static readonly ushort[] Bases = [0x3F8, 0x2F8, 0x3E8, 0x2E8];

    private readonly GuestMemory _memory = GuestMemory.Create((0, PcGuestMachine.RamSize));

    [Fact]
    public void WithoutAListTheBoardHasCom1AndCom2AsBefore()
    {
        PcPlatform platform = Create(null);
        Assert.NotNull(platform.Com1);
        Assert.NotNull(platform.Com2);
        Assert.Null(platform.Com3);
        Assert.Null(platform.Com4);
        Assert.Equal([0, 1], platform.FirmwareConfig.SerialPorts);
        Assert.Equal(0x60u, platform.Ports.Read(0x3F8 + Lsr, 1));
        Assert.Equal(0xFFu, platform.Ports.Read(0x3E8 + Lsr, 1));
    }

    [Theory]
    [InlineData(new[] { true, false, false, false })]
    [InlineData(new[] { false, true, false, false })]
    [InlineData(new[] { true, false, true, true })]
    [InlineData(new[] { false, false, false, true })]
    [InlineData(new[] { true, true, true, true })]
    [InlineData(new bool[0])]
    public void OnlyTheListedPortsDecodeTheRestReadAllOnes(bool[] present)
    {
        PcPlatform platform = Create([.. present.Select(p => p ? (Action<byte>)(_ => { }) : null)]);
        for (int i = 0; i < 4; i++)
        {
            bool here = i < present.Length && present[i];
            Assert.Equal(here, platform.SerialPorts[i] is not null);
            // LSR of an idle 16550: THRE and TEMT; an empty ISA address reads all ones and ignores writes.
            platform.Ports.Write((ushort)(Bases[i] + 7), 1, 0x5A);
            Assert.Equal(here ? 0x60u : 0xFFu, platform.Ports.Read((ushort)(Bases[i] + Lsr), 1));
            Assert.Equal(here ? 0x5Au : 0xFFu, platform.Ports.Read((ushort)(Bases[i] + 7), 1));
        }

        Assert.Equal(Enumerable.Range(0, present.Length).Where(i => present[i]), platform.FirmwareConfig.SerialPorts);
    }

    [Fact]
    public void EachPortSendsToItsOwnSink()
    {
        var sinks = new List<byte>[4];
        for (int i = 0; i < 4; i++)
        {
            sinks[i] = [];
        }

        PcPlatform platform = Create([.. sinks.Select(s => (Action<byte>)s.Add)]);
        for (int i = 0; i < 4; i++)
        {
            foreach (byte b in Encoding.ASCII.GetBytes($"COM{i + 1}"))
            {
                platform.Ports.Write(Bases[i], 1, b);
            }
        }

        for (int i = 0; i < 4; i++)
        {
            Assert.Equal($"COM{i + 1}", Encoding.ASCII.GetString([.. sinks[i]]));
        }
    }

    [Fact]
    public void MoreThanFourPortsAreRefused()
    {
        Action<byte> sink = _ => { };
        Assert.Throws<ArgumentOutOfRangeException>(() => Create([sink, sink, sink, sink, sink]));
    }

    [Theory]
    [InlineData(0, 2, 4)]
    [InlineData(1, 3, 3)]
    public void PortsSharingAnIrqDriveItWiredOr(int first, int second, int irq)
    {
        Action<byte> sink = _ => { };
        PcPlatform platform = Create([sink, sink, sink, sink]);
        ushort a = Bases[first];
        ushort b = Bases[second];
        Assert.False(platform.IoApic.Pins[irq].Level);

        // The first raises its THRE interrupt (OUT2 is set from reset), the second is idle: the line is up.
        platform.Ports.Write((ushort)(a + Ier), 1, 0x02);
        Assert.True(platform.IoApic.Pins[irq].Level);

        // The second raises and lowers its own: the first's pending interrupt keeps the line up.
        platform.Ports.Write((ushort)(b + Ier), 1, 0x02);
        Assert.True(platform.IoApic.Pins[irq].Level);
        Assert.Equal(0x02u, platform.Ports.Read((ushort)(b + Iir), 1)); // reading IIR acknowledges THRE
        Assert.True(platform.IoApic.Pins[irq].Level);

        // Both idle: down.
        Assert.Equal(0x02u, platform.Ports.Read((ushort)(a + Iir), 1));
        Assert.False(platform.IoApic.Pins[irq].Level);

        // The second alone raises it, the first quiet throughout.
        platform.Ports.Write((ushort)(b + Ier), 1, 0x00);
        platform.Ports.Write((ushort)(b + Ier), 1, 0x02);
        Assert.True(platform.IoApic.Pins[irq].Level);
        platform.Reset();
        Assert.False(platform.IoApic.Pins[irq].Level);
    }

    [Fact]
    public void TheSharedIrqReachesThePicToo()
    {
        Action<byte> sink = _ => { };
        PcPlatform platform = Create([null, null, sink]);
        platform.Ports.Write(0x21, 1, 0xEF); // PIC: unmask IRQ 4 only
        platform.Ports.Write(0x3E8 + Ier, 1, 0x02);
        platform.Ports.Write(0x20, 1, 0x0A); // OCW3: read IRR
        Assert.Equal(0x10u, platform.Ports.Read(0x20, 1) & 0x10);
    }

    [Fact]
    public void TheDsdtDeclaresThePortsTheBoardHas()
    {
        Action<byte> sink = _ => { };
        PcPlatform platform = Create([null, sink, sink, null]);
        string dsl = Iasl.Disassemble(PcDsdt.Build(platform.FirmwareConfig), "dsdt");
        string compact = string.Join(' ', Regex.Replace(dsl, "//[^\n]*", "").Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("Device (COM1)", compact, StringComparison.Ordinal);
        Assert.DoesNotContain("Device (COM4)", compact, StringComparison.Ordinal);
        Assert.Contains("Device (COM2) { Name (_HID, EisaId (\"PNP0501\") /* 16550A-compatible COM Serial Port */) Name (_UID, 0x02) Name (_STA, 0x0F) Name (_CRS, ResourceTemplate () { IO (Decode16, 0x02F8, 0x02F8, 0x00, 0x08, ) IRQNoFlags () {3} })", compact, StringComparison.Ordinal);
        Assert.Contains("Device (COM3) { Name (_HID, EisaId (\"PNP0501\") /* 16550A-compatible COM Serial Port */) Name (_UID, 0x03) Name (_STA, 0x0F) Name (_CRS, ResourceTemplate () { IO (Decode16, 0x03E8, 0x03E8, 0x00, 0x08, ) IRQNoFlags () {4} })", compact, StringComparison.Ordinal);
    }

    [Fact]
    public void AllFourPortsAreDeclaredAsQemuDoes()
    {
        string dsl = Iasl.Disassemble(PcDsdt.Build(new PcFirmwareConfig { SerialPorts = [0, 1, 2, 3] }), "dsdt");
        string compact = string.Join(' ', Regex.Replace(dsl, "//[^\n]*", "").Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("Device (COM4) { Name (_HID, EisaId (\"PNP0501\") /* 16550A-compatible COM Serial Port */) Name (_UID, 0x04) Name (_STA, 0x0F) Name (_CRS, ResourceTemplate () { IO (Decode16, 0x02E8, 0x02E8, 0x00, 0x08, ) IRQNoFlags () {3} })", compact, StringComparison.Ordinal);
        Assert.Equal(4, Regex.Count(compact, "PNP0501"));
    }

    public void Dispose() => _memory.Dispose();

    private PcPlatform Create(IReadOnlyList<Action<byte>?>? serialPorts) =>
        new(new PcPlatformOptions { Memory = _memory, Layout = new RamLayout(PcGuestMachine.RamSize), HostNanoseconds = () => 1_000, SerialPorts = serialPorts });
}
