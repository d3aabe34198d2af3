namespace Emulator.Cpu;

/// <summary>The exception vectors only the vector unit raises (SDM vol. 3, Table 6-1), not yet in <see cref="ExceptionVector"/>.</summary>
public static class VectorFaultVector
{
    /// <summary>#NM: CR0.TS set (lazy FPU/SSE context switch).</summary>
    public const byte DeviceNotAvailable = 7;

    /// <summary>#XM: an unmasked SIMD floating-point exception with CR4.OSXMMEXCPT set.</summary>
    public const byte SimdFloatingPoint = 19;
}
