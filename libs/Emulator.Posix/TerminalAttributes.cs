using System.Runtime.InteropServices;

namespace Emulator.Posix;

/// <summary>
/// glibc's <c>struct termios</c> on x86-64 (60 bytes): four flag words, the line discipline,
/// 32 control characters, then the input and output speeds.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct TerminalAttributes : IEquatable<TerminalAttributes>
{
    public const int ControlCharCount = 32;

    public uint InputFlags;
    public uint OutputFlags;
    public uint ControlFlags;
    public uint LocalFlags;
    public byte Line;
    private fixed byte _controlChars[ControlCharCount];
    public uint InputSpeed;
    public uint OutputSpeed;

    public byte GetControlChar(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, ControlCharCount);

        // SAFETY: index was checked against the fixed buffer's length above.
        return _controlChars[index];
    }

    public void SetControlChar(int index, byte value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, ControlCharCount);

        // SAFETY: index was checked against the fixed buffer's length above.
        _controlChars[index] = value;
    }

    public readonly bool Equals(TerminalAttributes other)
    {
        if (InputFlags != other.InputFlags || OutputFlags != other.OutputFlags || ControlFlags != other.ControlFlags
            || LocalFlags != other.LocalFlags || Line != other.Line || InputSpeed != other.InputSpeed
            || OutputSpeed != other.OutputSpeed)
        {
            return false;
        }

        // SAFETY: i stays below the fixed buffers' common length.
        for (int i = 0; i < ControlCharCount; i++)
        {
            if (_controlChars[i] != other._controlChars[i])
            {
                return false;
            }
        }

        return true;
    }

    public override readonly bool Equals(object? obj) => obj is TerminalAttributes other && Equals(other);

    public override readonly int GetHashCode() => HashCode.Combine(InputFlags, OutputFlags, ControlFlags, LocalFlags);

    public override readonly string ToString() =>
        $"iflag={InputFlags:x} oflag={OutputFlags:x} cflag={ControlFlags:x} lflag={LocalFlags:x}";

    public static bool operator ==(TerminalAttributes left, TerminalAttributes right) => left.Equals(right);

    public static bool operator !=(TerminalAttributes left, TerminalAttributes right) => !left.Equals(right);
}
