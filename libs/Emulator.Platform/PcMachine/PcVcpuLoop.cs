using Emulator.Cpu;

namespace Emulator.Platform;

/// <summary>
/// The <c>pc</c> vCPU thread's body: timers and posted work between slices of
/// <see cref="Interpreter.Run"/>, a halted vCPU parked until the next timer deadline or a wake-up,
/// and an end when the guest powers off, writes isa-debug-exit, asks for a reset or triple-faults.
/// <see cref="Step"/> is one round (no threads needed to test it); the idle wait is injectable.
/// </summary>
public sealed class PcVcpuLoop
{
    /// <summary>Instructions per slice: timers are looked at least this often.</summary>
    public const long DefaultSliceInstructions = 50_000;

    private readonly PcPlatform _platform;
    private readonly Action<TimeSpan?> _idle;
    private readonly Func<long, ExitReason> _run;

    /// <summary>
    /// <paramref name="idle"/> sleeps up to the given time (null: until woken); default: <see cref="VcpuWakeup.Wait"/>.
    /// <paramref name="run"/> runs one slice of at most the given instructions; default:
    /// <see cref="Interpreter.Run"/> (a debugger stub runs its own, with breakpoints).
    /// </summary>
    public PcVcpuLoop(PcPlatform platform, Interpreter interpreter, Action<TimeSpan?>? idle = null, Func<long, ExitReason>? run = null)
    {
        ArgumentNullException.ThrowIfNull(platform);
        ArgumentNullException.ThrowIfNull(interpreter);
        _platform = platform;
        _idle = idle ?? (timeout => platform.Wakeup.Wait(timeout));
        _run = run ?? interpreter.Run;
    }

    public long SliceInstructions { get; init; } = DefaultSliceInstructions;

    /// <summary>Slices run so far.</summary>
    public long Slices { get; private set; }

    /// <summary>Times the halted vCPU was parked.</summary>
    public long IdleWaits { get; private set; }

    /// <summary>
    /// The halted vCPU has nothing due: the caller should <see cref="Idle"/> (a machine that holds a
    /// lock or a slice token across <see cref="RunSlice"/> releases it first, so <c>stop</c> is not kept waiting).
    /// </summary>
    public bool WantsIdle { get; private set; }

    /// <summary>One round: <see cref="RunSlice"/>, then <see cref="Idle"/> when it asks for it. Returns why to stop, or <see cref="PcStopReason.None"/>.</summary>
    public PcStopReason Step()
    {
        PcStopReason stop = RunSlice();
        if (stop == PcStopReason.None && WantsIdle)
        {
            Idle();
        }

        return stop;
    }

    /// <summary>Posted work and timers, then one slice; sets <see cref="WantsIdle"/>. Returns why to stop, or <see cref="PcStopReason.None"/>.</summary>
    public PcStopReason RunSlice()
    {
        WantsIdle = false;
        _platform.RunTimers();
        if (_platform.StopRequest != PcStopReason.None)
        {
            return _platform.StopRequest;
        }

        ExitReason reason = _run(SliceInstructions);
        Slices++;
        if (_platform.StopRequest != PcStopReason.None)
        {
            return _platform.StopRequest;
        }

        if (reason is ExitReason.TripleFault or ExitReason.Exception)
        {
            // With delivery on, Exception cannot happen: treat it as the processor giving up too.
            _platform.RequestStop(PcStopReason.TripleFault);
            return PcStopReason.TripleFault;
        }

        // Something that became due during the slice may already wake the vCPU: look before sleeping.
        WantsIdle = reason == ExitReason.Halted && !_platform.RunTimers();
        return _platform.StopRequest;
    }

    /// <summary>Parks the thread until the next timer deadline or a <see cref="VcpuWakeup.Signal"/> (null deadline: until the signal).</summary>
    public void Idle()
    {
        WantsIdle = false;
        IdleWaits++;
        _idle(_platform.Clock.UntilNextDeadline);
    }

    /// <summary>Rounds until a stop reason, at most <paramref name="maxSteps"/> (then <see cref="PcStopReason.Stopped"/>) or until <paramref name="cancellation"/>.</summary>
    public PcStopReason Run(long maxSteps = long.MaxValue, CancellationToken cancellation = default)
    {
        for (long step = 0; step < maxSteps && !cancellation.IsCancellationRequested; step++)
        {
            PcStopReason stop = Step();
            if (stop != PcStopReason.None)
            {
                return stop;
            }
        }

        return PcStopReason.Stopped;
    }
}
