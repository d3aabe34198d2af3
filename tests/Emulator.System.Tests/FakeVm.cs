using Emulator.Vmm;

namespace Emulator.System.Tests;

/// <summary>A VM that records what the monitor asked of it.</summary>
public sealed class FakeVm : IVmControl
{
    public RunState State { get; set; } = RunState.Running;

    public List<string> Calls { get; } = [];

    public string Registers { get; set; } = "RAX=0000000000000000 RBX=0000000000000000\nRIP=000000000000fff0";

    /// <summary>When set, every control call is refused with this message.</summary>
    public string? Refusal { get; set; }

    public void Pause() => Record("pause", RunState.Paused);

    public void Resume() => Record("resume", RunState.Running);

    public void Reset() => Record("reset", State);

    public void Quit() => Record("quit", State);

    public string FormatRegisters() => Registers;

    private void Record(string call, RunState next)
    {
        if (Refusal is not null)
        {
            throw new VmControlException(Refusal);
        }

        Calls.Add(call);
        State = next;
    }
}
