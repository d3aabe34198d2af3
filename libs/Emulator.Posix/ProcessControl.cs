using System.Runtime.InteropServices;

namespace Emulator.Posix;

/// <summary>Process-level calls: parent-death signal, names, signals.</summary>
public static class ProcessControl
{
    private const int PR_SET_PDEATHSIG = 1;
    private const int PR_GET_PDEATHSIG = 2;
    private const int PR_SET_NAME = 15;

    public static int CurrentId => LibC.getpid();

    public static int ParentId => LibC.getppid();

    /// <summary>
    /// Asks the kernel to send <paramref name="signal"/> when the thread that forked us exits.
    /// Call first thing, then compare <see cref="ParentId"/> with the expected parent: if it already
    /// died before this call, no signal will ever come.
    /// </summary>
    public static void SetParentDeathSignal(int signal)
    {
        if (LibC.prctl(PR_SET_PDEATHSIG, (nuint)signal, 0, 0, 0) < 0)
        {
            throw PosixException.FromLastError("prctl(PR_SET_PDEATHSIG)");
        }
    }

    public static unsafe int GetParentDeathSignal()
    {
        int sig = 0;

        // SAFETY: PR_GET_PDEATHSIG stores one int at the address of this stack local, which outlives the call.
        if (LibC.prctl(PR_GET_PDEATHSIG, (nuint)(&sig), 0, 0, 0) < 0)
        {
            throw PosixException.FromLastError("prctl(PR_GET_PDEATHSIG)");
        }

        return sig;
    }

    /// <summary>Names the calling thread (15 bytes shown by ps/top).</summary>
    public static unsafe void SetThreadName(string name)
    {
        // SAFETY: PR_SET_NAME reads at most 16 bytes; the buffer is 16 zeroed bytes with at most 15 written,
        // so the name is always NUL-terminated inside it.
        byte* buf = stackalloc byte[16];
        new Span<byte>(buf, 16).Clear();
        System.Text.Encoding.UTF8.GetBytes(name.AsSpan(0, Math.Min(name.Length, 15)), new Span<byte>(buf, 15));
        if (LibC.prctl(PR_SET_NAME, (nuint)buf, 0, 0, 0) < 0)
        {
            throw PosixException.FromLastError("prctl(PR_SET_NAME)");
        }
    }

    /// <summary>Sends a signal; false if the process no longer exists.</summary>
    public static bool Kill(int pid, int signal)
    {
        if (LibC.kill(pid, signal) == 0)
        {
            return true;
        }

        int errno = Marshal.GetLastPInvokeError();
        return errno == Errno.ESRCH ? false : throw new PosixException("kill", errno);
    }
}
