using Emulator.Tests.Shared;
using System.Diagnostics;
using System.Text;
using Emulator.Posix;

namespace Emulator.Chardev.Tests;

/// <summary>
/// Runs this test assembly as a child whose stdin and stdout are a pty slave: it opens the stdio
/// backend (raw mode), says "ready" on stderr, echoes input until killed. With
/// <see cref="CrashVerb"/> it instead dies of an unhandled exception on a thread of its own once a
/// byte arrives, the way a bug in the emulator would end it.
/// </summary>
internal static class StdioChildProcess
{
    public const string Verb = "stdio-child";
    public const string CrashVerb = "stdio-crash";

    /// <summary>The child's body.</summary>
    public static int Run()
    {
        using StdioBackend backend = new("serial0", new StdioBackendSpec());
        backend.Start();
        using (SafeFd stderr = new(2, ownsHandle: false))
        {
            Fd.WriteAll(stderr, "ready\n"u8);
        }

        byte[] buffer = new byte[256];
        int n;
        while ((n = backend.Read(buffer)) > 0)
        {
            backend.Write(buffer.AsSpan(0, n));
        }

        return 0;
    }

    /// <summary>The crashing child's body: never returns normally.</summary>
    public static int Crash()
    {
        using StdioBackend backend = new("serial0", new StdioBackendSpec());
        backend.Start();
        using (SafeFd stderr = new(2, ownsHandle: false))
        {
            Fd.WriteAll(stderr, "ready\n"u8);
        }

        byte[] buffer = new byte[16];
        _ = backend.Read(buffer);
        Thread crasher = new(() => throw new InvalidOperationException("deliberate crash for the terminal test"));
        crasher.Start();
        crasher.Join();
        return 0;
    }

    /// <summary>Starts the child with the pty slave at <paramref name="slavePath"/> as stdin and stdout.</summary>
    public static Process Start(string slavePath, string verb = Verb)
    {
        string assembly = typeof(StdioChildProcess).Assembly.Location;
        ProcessStartInfo start = new("/bin/sh")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        // No core file from the deliberate crash (the runtime aborts after an unhandled exception).
        start.ArgumentList.Add("ulimit -c 0; exec \"$0\" exec \"$1\" \"$3\" <\"$2\" >\"$2\"");
        start.ArgumentList.Add(DotnetHost.Path);
        start.ArgumentList.Add(assembly);
        start.ArgumentList.Add(slavePath);
        start.ArgumentList.Add(verb);
        return Process.Start(start) ?? throw new InvalidOperationException("could not start the child");
    }

    /// <summary>Reads the child's stderr until "ready" (or end of stream); returns everything read.</summary>
    public static string WaitForReady(Process child)
    {
        StringBuilder seen = new();
        while (child.StandardError.ReadLine() is string line)
        {
            seen.AppendLine(line);
            if (line == "ready")
            {
                break;
            }
        }

        return seen.ToString();
    }
}
