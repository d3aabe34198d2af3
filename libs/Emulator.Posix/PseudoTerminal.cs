using System.Runtime.InteropServices;
using System.Text;

namespace Emulator.Posix;

/// <summary>
/// A pseudo-terminal pair: we hold the master; whoever opens <see cref="SlavePath"/> gets the
/// terminal end. The master reports hang-up while nobody has the slave open.
/// </summary>
public sealed unsafe class PseudoTerminal : IDisposable
{
    private PseudoTerminal(SafeFd master, string slavePath)
    {
        Master = master;
        SlavePath = slavePath;
    }

    public SafeFd Master { get; }

    /// <summary>The slave device, e.g. /dev/pts/3.</summary>
    public string SlavePath { get; }

    /// <summary>posix_openpt + grantpt + unlockpt + ptsname_r; the master is close-on-exec.</summary>
    public static PseudoTerminal Open()
    {
        SafeFd master = Fd.Check(LibC.posix_openpt(OpenFlags.ReadWrite | OpenFlags.NoControllingTerminal | OpenFlags.CloseOnExec), "posix_openpt");
        try
        {
            if (LibC.grantpt(master) < 0)
            {
                throw PosixException.FromLastError("grantpt");
            }

            if (LibC.unlockpt(master) < 0)
            {
                throw PosixException.FromLastError("unlockpt");
            }

            // SAFETY: ptsname_r writes at most 256 bytes including the NUL (ERANGE otherwise), so the
            // string read back below ends inside the buffer.
            byte* name = stackalloc byte[256];
            int error = LibC.ptsname_r(master, name, 256);
            if (error != 0)
            {
                throw new PosixException("ptsname_r", error);
            }

            string path = Encoding.UTF8.GetString(MemoryMarshal.CreateReadOnlySpanFromNullTerminated(name));
            return new PseudoTerminal(master, path);
        }
        catch
        {
            master.Dispose();
            throw;
        }
    }

    /// <summary>Opens the slave end (read-write, never becoming our controlling terminal).</summary>
    public SafeFd OpenSlave() =>
        PosixFile.Open(SlavePath, OpenFlags.ReadWrite | OpenFlags.NoControllingTerminal | OpenFlags.CloseOnExec);

    public void Dispose() => Master.Dispose();
}
