using System.Globalization;
using Emulator.Posix;

namespace Emulator.TestPeer;

/// <summary>Turns the command line into a connected socket: an inherited fd or one accepted connection.</summary>
public static class PeerStartup
{
    private const int AcceptTimeoutMs = 30_000;

    public static SafeFd? Connect(string[] args)
    {
        int at = Array.IndexOf(args, "--fd");
        if (at >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], NumberStyles.None, CultureInfo.InvariantCulture, out int fd) && Fd.IsValid(fd))
        {
            var socket = new SafeFd(fd);
            Fd.SetCloseOnExec(socket, true);
            return socket;
        }

        at = Array.IndexOf(args, "--socket-path");
        if (at >= 0 && at + 1 < args.Length)
        {
            return AcceptOne(args[at + 1]);
        }

        return null;
    }

    private static SafeFd? AcceptOne(string path)
    {
        using SafeFd listener = UnixSocket.Listen(path);
        Console.Out.WriteLine("ready");
        Console.Out.Flush();
        try
        {
            // A test that died before connecting must not leave this process waiting forever.
            if (Poller.WaitOne(listener, PollEvents.In, AcceptTimeoutMs) == 0)
            {
                Console.Error.WriteLine($"nobody connected to {path} within {AcceptTimeoutMs} ms");
                return null;
            }

            return UnixSocket.Accept(listener);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
