using Emulator.Cpu;

namespace Emulator.GdbStub.Tests;

public sealed class X86GdbRegistersTests
{
    [Fact]
    public void Every_register_round_trips_through_write_and_read()
    {
        using var vcpu = new Vcpu();
        FlatModeSetup.LongMode64(ref vcpu.State, 0x1000, 0x8000);
        var random = new Random(3);
        int total = 0;
        for (int n = 0; n < X86GdbRegisters.Count; n++)
        {
            int size = X86GdbRegisters.SizeOf(n);
            total += size;
            byte[] value = new byte[size];
            random.NextBytes(value);
            if (n == X86GdbRegisters.Eflags)
            {
                value = [0x02, 0x02, 0, 0];
            }
            else if (n is >= X86GdbRegisters.FirstSegment and < X86GdbRegisters.FsBase)
            {
                value = [0x2B, 0, 0, 0];
            }
            else if (n == X86GdbRegisters.Fctrl + 1 || n == X86GdbRegisters.Fctrl + 2 || n == X86GdbRegisters.Fctrl + 7)
            {
                // fstat's TOP moves the st registers; ftag and fop are narrower than 32 bits.
                value = [0, 0, 0, 0];
            }
            else if (n == X86GdbRegisters.Efer)
            {
                // Keep long mode so 64-bit values read back whole.
                value = BitConverter.GetBytes(EferBits.LME | EferBits.LMA);
            }
            else if (n is X86GdbRegisters.Fctrl or X86GdbRegisters.Fctrl + 3 or X86GdbRegisters.Fctrl + 5)
            {
                value[2] = 0;
                value[3] = 0;
            }

            Assert.True(X86GdbRegisters.Write(ref vcpu.State, n, value), $"register {n}");
            byte[] back = new byte[size];
            Assert.Equal(size, X86GdbRegisters.Read(in vcpu.State, n, back));
            Assert.True(value.AsSpan().SequenceEqual(back), $"register {n}");
        }

        Assert.Equal(X86GdbRegisters.TotalSize, total);
        Assert.Equal(0, X86GdbRegisters.SizeOf(X86GdbRegisters.Count));
        Assert.False(X86GdbRegisters.Write(ref vcpu.State, 0, new byte[4]));
    }

    [Fact]
    public void Gprs_follow_gdbs_order()
    {
        using var vcpu = new Vcpu();
        FlatModeSetup.LongMode64(ref vcpu.State, 0x1000, 0x8000);
        vcpu.State.Register(GeneralRegister.Rbx) = 0xB;
        vcpu.State.Register(GeneralRegister.Rsp) = 0x5;
        byte[] value = new byte[8];
        X86GdbRegisters.Read(in vcpu.State, 1, value);
        Assert.Equal(0xBUL, BitConverter.ToUInt64(value));
        X86GdbRegisters.Read(in vcpu.State, 7, value);
        Assert.Equal(0x5UL, BitConverter.ToUInt64(value));
    }

    [Fact]
    public void St0_is_the_stack_top()
    {
        using var vcpu = new Vcpu();
        vcpu.State.FpuTop = 6;
        vcpu.State.Fpr[6] = new Float80 { Significand = 0x8000_0000_0000_0000, SignExponent = 0x3FFF };
        byte[] value = new byte[10];
        X86GdbRegisters.Read(in vcpu.State, X86GdbRegisters.FirstSt, value);
        Assert.Equal(0x8000_0000_0000_0000UL, BitConverter.ToUInt64(value));
        Assert.Equal(0x3FFF, BitConverter.ToUInt16(value, 8));
        byte[] fstat = new byte[4];
        X86GdbRegisters.Read(in vcpu.State, X86GdbRegisters.Fctrl + 1, fstat);
        Assert.Equal(6u << 11, BitConverter.ToUInt32(fstat));
    }

    [Fact]
    public void Outside_64_bit_mode_registers_read_as_QEMU_shows_them()
    {
        using var vcpu = new Vcpu();
        FlatModeSetup.Protected32(ref vcpu.State, 0x1_2345_6789, 0x8000);
        vcpu.State.Register(GeneralRegister.Rax) = 0xFFFF_FFFF_0000_0001;
        vcpu.State.Register(GeneralRegister.R8) = 0x77;
        byte[] value = new byte[8];
        X86GdbRegisters.Read(in vcpu.State, 0, value);
        Assert.Equal(1UL, BitConverter.ToUInt64(value));
        X86GdbRegisters.Read(in vcpu.State, 8, value);
        Assert.Equal(0UL, BitConverter.ToUInt64(value));
        X86GdbRegisters.Read(in vcpu.State, X86GdbRegisters.Rip, value);
        Assert.Equal(0x2345_6789UL, BitConverter.ToUInt64(value));
        byte[] cs = new byte[4];
        X86GdbRegisters.Read(in vcpu.State, X86GdbRegisters.FirstSegment, cs);
        Assert.Equal(FlatModeSetup.CodeSelector32, BitConverter.ToUInt32(cs));
    }
}
