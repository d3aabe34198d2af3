using System.Text;
using Emulator.Posix;

namespace Emulator.Chardev.Tests;

/// <summary>Reads from a descriptor with poll, so a missing byte fails the test instead of hanging it.</summary>
internal static class FdReader
{
    public static string ReadText(SafeFd fd, int count) => Encoding.ASCII.GetString(ReadExactly(fd, count));

    public static byte[] ReadExactly(SafeFd fd, int count)
    {
        byte[] data = new byte[count];
        int got = 0;
        long deadline = Environment.TickCount64 + Timeouts.Milliseconds;
        while (got < count)
        {
            int left = (int)(deadline - Environment.TickCount64);
            Assert.True(left > 0 && Poller.WaitOne(fd, PollEvents.In, left) != 0, $"timed out after {got} of {count} bytes");
            int n = Fd.Read(fd, data.AsSpan(got));
            Assert.True(n != 0, "end of file");
            got += Math.Max(n, 0);
        }

        return data;
    }
}
