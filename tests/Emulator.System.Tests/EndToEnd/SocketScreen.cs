using System.Net.Sockets;
using System.Text;

namespace Emulator.System.Tests.EndToEnd;

/// <summary>A socket a test talks to like a terminal: type lines, wait for text to show up.</summary>
internal sealed class SocketScreen(Socket socket)
{
    private readonly StringBuilder _seen = new();

    public string Seen => _seen.ToString();

    public async Task TypeAsync(string text) => await socket.SendAsync(Encoding.UTF8.GetBytes(text), SocketFlags.None);

    /// <summary>Reads until <paramref name="text"/> appears after <paramref name="from"/>; returns the index past it.</summary>
    public async Task<int> WaitForAsync(string text, int from = 0)
    {
        byte[] buffer = new byte[4096];
        DateTime giveUp = DateTime.UtcNow + Patience.Wait;
        while (true)
        {
            int found = Seen.IndexOf(text, from, StringComparison.Ordinal);
            if (found >= 0)
            {
                return found + text.Length;
            }

            TimeSpan left = giveUp - DateTime.UtcNow;
            Assert.True(left > TimeSpan.Zero, $"never saw '{text}'; saw:\n{Seen}");
            int n = await socket.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(left);
            Assert.True(n > 0, $"closed before '{text}'; saw:\n{Seen}");
            _seen.Append(Encoding.UTF8.GetString(buffer, 0, n));
        }
    }
}
