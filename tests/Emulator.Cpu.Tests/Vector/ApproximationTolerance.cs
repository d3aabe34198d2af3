using Iced.Intel;

namespace Emulator.Cpu.Tests.Vector;

/// <summary>
/// RCP/RSQRT results differ between implementations: a host lane within the SDM's bound (1.5 x 2^-12 relative) of
/// the interpreter's, or equal special values, is taken as the interpreter's; anything else stays a difference.
/// </summary>
public static class ApproximationTolerance
{
    public static VectorResult Reconcile(VectorCase testCase, VectorResult host, VectorResult interpreted)
    {
        ArgumentNullException.ThrowIfNull(testCase);
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(interpreted);
        var decoder = Decoder.Create(64, testCase.Code);
        decoder.Decode(out Instruction instruction);
        int register = instruction.Op0Register - Register.XMM0;
        VectorState adjusted = host.State.Clone();
        ulong hostLow = host.State.XmmLow(register);
        ulong hostHigh = host.State.XmmHigh(register);
        ulong low = interpreted.State.XmmLow(register);
        ulong high = interpreted.State.XmmHigh(register);
        adjusted.XmmLow(register) = Close(hostLow, low) && Close(hostLow >> 32, low >> 32) ? low : hostLow;
        adjusted.XmmHigh(register) = Close(hostHigh, high) && Close(hostHigh >> 32, high >> 32) ? high : hostHigh;
        return host with { State = adjusted };
    }

    private static bool Close(ulong hostLane, ulong interpretedLane)
    {
        float a = BitConverter.UInt32BitsToSingle((uint)hostLane);
        float b = BitConverter.UInt32BitsToSingle((uint)interpretedLane);
        if ((uint)hostLane == (uint)interpretedLane || (float.IsNaN(a) && float.IsNaN(b)))
        {
            return true;
        }

        if (!float.IsFinite(a) || !float.IsFinite(b) || a == 0 || b == 0)
        {
            // Near the flush threshold one side may be zero and the other the smallest normals.
            return Math.Abs((double)a - b) < 1e-37;
        }

        return Math.Abs(((double)a - b) / b) <= 3.0 / 8192;
    }
}
