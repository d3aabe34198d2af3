using System.Text;
using Emulator.Posix;

namespace Emulator.System.Tests;

/// <summary>Send-and-expect helpers for tests that talk to an echo server.</summary>
public static class SocketTalk
{
    public static string Receive(SafeFd socket, int length)
    {
        byte[] buffer = new byte[length];
        Assert.True(UnixSocket.ReceiveExactly(socket, buffer, [], out _), "peer hung up early");
        return Encoding.UTF8.GetString(buffer);
    }

    public static string RoundTrip(SafeFd socket, string text)
    {
        UnixSocket.SendAll(socket, Encoding.UTF8.GetBytes(text));
        return Receive(socket, Encoding.UTF8.GetByteCount(text));
    }

    /// <summary>Connects, retrying while the server has not bound its socket yet.</summary>
    public static async Task<SafeFd> ConnectAsync(string path)
    {
        DateTime giveUp = DateTime.UtcNow + HostRun.Patience;
        while (true)
        {
            try
            {
                return UnixSocket.Connect(path);
            }
            catch (PosixException e) when ((e.Errno == Errno.ENOENT || e.Errno == Errno.ECONNREFUSED) && DateTime.UtcNow < giveUp)
            {
                await Task.Delay(20);
            }
        }
    }

    /// <summary>Gives a pair's end away: the returned number is owned by whoever receives it.</summary>
    public static int Release(SafeFd fd)
    {
        int number = fd.Number;
        fd.SetHandleAsInvalid();
        return number;
    }
}
