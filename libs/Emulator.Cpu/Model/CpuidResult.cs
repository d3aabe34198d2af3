namespace Emulator.Cpu;

/// <summary>The four registers one CPUID leaf/subleaf returns.</summary>
public readonly record struct CpuidResult(uint Eax, uint Ebx, uint Ecx, uint Edx);
