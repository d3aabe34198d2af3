namespace Emulator.GdbStub.Tests;

/// <summary>An in-memory target: registers as bytes, 64 KiB of memory at 0x1000, a log of resumes and breakpoints.</summary>
internal sealed class FakeTarget : IGdbTarget
{
    public const ulong MemoryBase = 0x1000;

    public byte[] Registers { get; } = new byte[X86GdbRegisters.TotalSize];

    public byte[] Memory { get; } = new byte[0x10000];

    public List<string> Log { get; } = [];

    public Action<GdbStop>? Listener { get; private set; }

    public bool TryReadRegister(int number, Span<byte> destination)
    {
        int size = X86GdbRegisters.SizeOf(number);
        if (size == 0)
        {
            return false;
        }

        Registers.AsSpan(Offset(number), size).CopyTo(destination);
        return true;
    }

    public bool TryWriteRegister(int number, ReadOnlySpan<byte> value)
    {
        int size = X86GdbRegisters.SizeOf(number);
        if (size == 0 || value.Length != size)
        {
            return false;
        }

        value.CopyTo(Registers.AsSpan(Offset(number)));
        return true;
    }

    public bool TryReadMemory(ulong address, Span<byte> destination)
    {
        if (!InRange(address, destination.Length))
        {
            return false;
        }

        Memory.AsSpan((int)(address - MemoryBase), destination.Length).CopyTo(destination);
        return true;
    }

    public bool TryWriteMemory(ulong address, ReadOnlySpan<byte> source)
    {
        if (!InRange(address, source.Length))
        {
            return false;
        }

        source.CopyTo(Memory.AsSpan((int)(address - MemoryBase)));
        return true;
    }

    public bool TryAddBreakpoint(GdbBreakpointType type, ulong address, ulong length)
    {
        Log.Add($"Z{(int)type} {address:x}");
        return type <= GdbBreakpointType.Hardware;
    }

    public bool TryRemoveBreakpoint(GdbBreakpointType type, ulong address, ulong length)
    {
        Log.Add($"z{(int)type} {address:x}");
        return type <= GdbBreakpointType.Hardware;
    }

    public bool Pause(TimeSpan timeout)
    {
        Log.Add("pause");
        return true;
    }

    public void Resume(bool step) => Log.Add(step ? "step" : "continue");

    public void Detach() => Log.Add("detach");

    public void Kill() => Log.Add("kill");

    public void SetStopListener(Action<GdbStop>? listener) => Listener = listener;

    public static int Offset(int number)
    {
        int offset = 0;
        for (int i = 0; i < number; i++)
        {
            offset += X86GdbRegisters.SizeOf(i);
        }

        return offset;
    }

    private static bool InRange(ulong address, int length) =>
        address >= MemoryBase && address - MemoryBase <= 0x10000 && (ulong)length <= 0x10000 - (address - MemoryBase);
}
