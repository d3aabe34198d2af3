namespace Emulator.Chardev;

/// <summary>
/// What <see cref="ChardevMux.ProcessInput"/> does with the keyboard: data for the focused
/// front-end, text for the terminal, and the escape commands' requests.
/// </summary>
public interface IMuxInputSink
{
    /// <summary>Offers input bytes to a front-end; returns how many it took (0 when it is full).</summary>
    int Deliver(int frontEnd, ReadOnlySpan<byte> data);

    /// <summary>Text the mux itself prints (help, "QEMU: Terminated").</summary>
    void WriteToBackend(ReadOnlySpan<byte> data);

    /// <summary>C-a x: the emulator must quit.</summary>
    void ExitRequested();

    /// <summary>C-a b: a serial break for the focused front-end (magic SysRq on Linux guests).</summary>
    void BreakRequested(int frontEnd);

    /// <summary>C-a c (or SetFocus): QEMU's MUX_OUT to <paramref name="previous"/>, MUX_IN to <paramref name="current"/>.</summary>
    void FocusChanged(int previous, int current);

    /// <summary>C-a s: write back -snapshot disk data.</summary>
    void CommitRequested();
}
