namespace Emulator.Cpu;

/// <summary>The segment registers in their instruction-encoding order (the Sreg field of MOV Sreg).</summary>
public enum SegmentRegister
{
    Es = 0,
    Cs = 1,
    Ss = 2,
    Ds = 3,
    Fs = 4,
    Gs = 5,
}
