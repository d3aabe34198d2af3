using System.Text;

namespace Emulator.Chardev.Tests;

/// <summary>A mux sink that records everything, with front-ends that can be made to refuse input.</summary>
internal sealed class RecordingMuxSink : IMuxInputSink
{
    public RecordingMuxSink(int frontEnds)
    {
        Delivered = new List<byte>[frontEnds];
        Capacity = new int[frontEnds];
        for (int i = 0; i < frontEnds; i++)
        {
            Delivered[i] = [];
            Capacity[i] = int.MaxValue;
        }
    }

    public List<byte>[] Delivered { get; }

    /// <summary>How many more bytes each front-end accepts.</summary>
    public int[] Capacity { get; }

    public List<byte> Backend { get; } = [];

    public List<string> Events { get; } = [];

    public string BackendText => Encoding.ASCII.GetString([.. Backend]);

    public string Text(int frontEnd) => Encoding.ASCII.GetString([.. Delivered[frontEnd]]);

    public int Deliver(int frontEnd, ReadOnlySpan<byte> data)
    {
        int n = Math.Min(data.Length, Capacity[frontEnd]);
        Delivered[frontEnd].AddRange(data[..n]);
        Capacity[frontEnd] -= n;
        return n;
    }

    public void WriteToBackend(ReadOnlySpan<byte> data) => Backend.AddRange(data);

    public void ExitRequested() => Events.Add("exit");

    public void BreakRequested(int frontEnd) => Events.Add($"break {frontEnd}");

    public void FocusChanged(int previous, int current) => Events.Add($"focus {previous}->{current}");

    public void CommitRequested() => Events.Add("commit");
}
