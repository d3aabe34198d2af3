using System.Text;
using Emulator.Posix;

namespace Emulator.System.Tests.EndToEnd;

/// <summary>A pseudo-terminal a test drives from the master side, standing in for the user's terminal.</summary>
internal sealed class PtyTerminal : IDisposable
{
    private readonly PseudoTerminal _pty = PseudoTerminal.Open();
    private readonly StringBuilder _seen = new();
    private readonly SafeFd _slave;

    public PtyTerminal()
    {
        // Held open so the terminal does not hang up between the processes that use it, and so the
        // test can read the mode they leave behind.
        _slave = _pty.OpenSlave();
        Original = Terminal.GetAttributes(_slave);
    }

    public string SlavePath => _pty.SlavePath;

    /// <summary>The mode before any process touched it.</summary>
    public TerminalAttributes Original { get; }

    public TerminalAttributes Current => Terminal.GetAttributes(_slave);

    public bool IsCanonical => (Current.LocalFlags & TerminalFlags.ICANON) != 0;

    /// <summary>Everything read from the master so far.</summary>
    public string Seen => _seen.ToString();

    /// <summary>Types <paramref name="text"/> as the user would.</summary>
    public void Type(string text) => Fd.WriteAll(_pty.Master, Encoding.UTF8.GetBytes(text));

    public void Type(ReadOnlySpan<byte> bytes) => Fd.WriteAll(_pty.Master, bytes);

    /// <summary>Reads the screen until <paramref name="text"/> appears after <paramref name="from"/>; returns the index just past it.</summary>
    public int WaitFor(string text, int from = 0)
    {
        DateTime giveUp = DateTime.UtcNow + Patience.Wait;
        byte[] buffer = new byte[4096];
        while (true)
        {
            int found = Seen.IndexOf(text, from, StringComparison.Ordinal);
            if (found >= 0)
            {
                return found + text.Length;
            }

            int left = (int)(giveUp - DateTime.UtcNow).TotalMilliseconds;
            Assert.True(left > 0, $"terminal never showed '{text}'; it showed:\n{Seen}");
            if (Poller.WaitOne(_pty.Master, PollEvents.In, Math.Min(left, 100)) == 0)
            {
                continue;
            }

            try
            {
                int n = Fd.Read(_pty.Master, buffer);
                if (n > 0)
                {
                    _seen.Append(Encoding.UTF8.GetString(buffer, 0, n));
                }
            }
            catch (PosixException e) when (e.Errno == Errno.EIO)
            {
                // Nobody else has the slave open right now; keep waiting.
                Thread.Sleep(10);
            }
        }
    }

    /// <summary>Reads whatever the terminal still shows until it has been quiet for <paramref name="quietMs"/>.</summary>
    public void ReadUntilQuiet(int quietMs = 200)
    {
        byte[] buffer = new byte[4096];
        while (Poller.WaitOne(_pty.Master, PollEvents.In, quietMs) != 0)
        {
            int n = Fd.Read(_pty.Master, buffer);
            if (n <= 0)
            {
                return;
            }

            _seen.Append(Encoding.UTF8.GetString(buffer, 0, n));
        }
    }

    /// <summary>Waits until the terminal's mode satisfies <paramref name="condition"/>.</summary>
    public void WaitForMode(Func<TerminalAttributes, bool> condition, string what)
    {
        DateTime giveUp = DateTime.UtcNow + Patience.Wait;
        while (!condition(Current))
        {
            Assert.True(DateTime.UtcNow < giveUp, $"terminal never became {what}; mode {Current}");
            Thread.Sleep(10);
        }
    }

    public void Dispose()
    {
        _slave.Dispose();
        _pty.Dispose();
    }
}
