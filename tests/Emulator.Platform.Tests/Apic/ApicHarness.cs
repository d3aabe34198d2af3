using System.Buffers.Binary;
using Emulator.Platform.Tests.Timing;

namespace Emulator.Platform.Tests.Apic;

/// <summary>A LAPIC on a hand-driven clock, with 32-bit register helpers.</summary>
internal sealed class ApicHarness
{
    public ApicHarness()
    {
        Clock = new VirtualClock(Host.Read);
        Tsc = new ClockTimeSource(Clock);
        Apic = new LocalApic(Clock, Tsc);
    }

    public ManualHostClock Host { get; } = new();

    public VirtualClock Clock { get; }

    public ClockTimeSource Tsc { get; }

    public LocalApic Apic { get; }

    public uint this[int register]
    {
        get
        {
            Span<byte> value = stackalloc byte[4];
            Apic.Read((ulong)register, value);
            return BinaryPrimitives.ReadUInt32LittleEndian(value);
        }
        set
        {
            Span<byte> bytes = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
            Apic.Write((ulong)register, bytes);
        }
    }

    public void Enable(byte spurious = 0xFF) => this[LocalApicRegister.SpuriousVector] = LocalApicRegister.SvrEnable | spurious;

    public void Advance(long nanoseconds)
    {
        Host.Advance(nanoseconds);
        Clock.RunExpired();
    }

    public void Fixed(byte vector, bool level = false) => Apic.Accept(new ApicMessage(vector, ApicDeliveryMode.Fixed, 0, false, level));
}
