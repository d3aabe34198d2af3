using System.Diagnostics;
using System.Globalization;

namespace Emulator.Bench;

/// <summary>
/// One busy-looping shell per core, in processes of their own, so the scheduler is contended. Each runs
/// under <c>timeout</c> so it dies by itself even if this process is killed before it can stop them.
/// </summary>
public sealed class CpuHogs : IDisposable
{
    private static readonly TimeSpan MaxLifetime = TimeSpan.FromSeconds(90);

    private readonly List<Process> _hogs = [];

    public CpuHogs(int count)
    {
        try
        {
            for (int i = 0; i < count; i++)
            {
                var info = new ProcessStartInfo("timeout") { UseShellExecute = false };
                info.ArgumentList.Add(((int)MaxLifetime.TotalSeconds).ToString(CultureInfo.InvariantCulture));
                info.ArgumentList.Add("sh");
                info.ArgumentList.Add("-c");
                info.ArgumentList.Add("while :; do :; done");
                _hogs.Add(Process.Start(info) ?? throw new InvalidOperationException("could not start a CPU hog"));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public int Count => _hogs.Count;

    public void Dispose()
    {
        foreach (Process hog in _hogs)
        {
            if (!hog.HasExited)
            {
                // timeout and its shell: exactly the tree this object started, by process id.
                hog.Kill(entireProcessTree: true);
            }

            hog.WaitForExit();
            hog.Dispose();
        }

        _hogs.Clear();
    }
}
