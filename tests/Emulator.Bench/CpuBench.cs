namespace Emulator.Bench;

/// <summary>
/// `make bench`, CPU part: guest instructions per second of three 64-bit loops on our interpreter
/// (flat and paged memory), next to QEMU TCG running the same loops from a -bios image. Each figure
/// is the median of a few runs; run lengths are calibrated to about <see cref="TargetSeconds"/>.
/// </summary>
internal static class CpuBench
{
    private const double TargetSeconds = 0.4;
    private const int Runs = 5;
    private const double WarmUpSeconds = 0.6;
    private const double MaxWarmUpSeconds = 5;
    private const double SteadyTolerance = 0.05;
    private const double PreWarmUpSeconds = 0.15;

    public static void Run(TextWriter output, TextWriter log, bool withQemu = true)
    {
        bool qemu = withQemu && QemuLoopRunner.IsAvailable();
        string directory = Directory.CreateTempSubdirectory("emu-cpu-bench-").FullName;
        try
        {
            output.WriteLine();
            output.WriteLine("CPU: guest instructions per CPU-second (median of 5; QEMU from N vs 2N iterations)");
            output.WriteLine($"{"loop",-12}{"ours flat",14}{"ours paged",14}{"qemu tcg",14}{"ours/qemu",11}");
            WarmUpEverything();
            foreach (GuestLoop loop in GuestLoop.All)
            {
                double flat = Ours(loop, paged: false);
                double paged = Ours(loop, paged: true);
                double tcg = qemu ? Qemu(loop, directory, log) : double.NaN;
                string ratio = qemu ? $"{flat / tcg,10:P1}" : "       n/a";
                output.WriteLine($"{loop.Name,-12}{Mips(flat),14}{Mips(paged),14}{(qemu ? Mips(tcg) : "n/a"),14} {ratio}");
                output.Flush();
            }

            if (!qemu)
            {
                output.WriteLine($"({QemuLoopRunner.Program} not found: scripts/ensure-packages.sh qemu-system-x86)");
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// A little of every loop in both memories before anything is timed. Without it the first
    /// configuration timed (alu over flat memory) read a third low, with or without tiered
    /// compilation, while the same configuration timed later in the process (or first, in a
    /// process that ran paged memory before) did not.
    /// </summary>
    private static void WarmUpEverything()
    {
        foreach (GuestLoop loop in GuestLoop.All)
        {
            foreach (bool paged in (bool[])[true, false])
            {
                long start = System.Diagnostics.Stopwatch.GetTimestamp();
                while (System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalSeconds < PreWarmUpSeconds)
                {
                    InterpreterLoopRunner.Run(loop, 200_000, paged);
                }
            }
        }
    }

    private static string Mips(double perSecond) => $"{perSecond / 1e6:F1} M/s";

    private static double Ours(GuestLoop loop, bool paged)
    {
        // Warm-up and calibration in one: the JIT promotes hot methods to tier 1 in the background
        // after a delay, so keep running until well past it, and until two runs in a row agree: on a
        // loaded machine the tier-up lands late, and the first loop measured (alu, flat) used to be
        // timed partly on tier-0 code (and with the JIT's own CPU time), reading ~1/3 low.
        uint iterations = 200_000;
        double rate = 0;
        double previous = 0;
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        while (true)
        {
            (rate, _) = InterpreterLoopRunner.Run(loop, iterations, paged);
            double seconds = System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalSeconds;
            bool steady = Math.Abs(rate - previous) <= SteadyTolerance * rate;
            if ((seconds >= WarmUpSeconds && steady) || seconds >= MaxWarmUpSeconds)
            {
                break;
            }

            previous = rate;
        }

        iterations = Even(rate * TargetSeconds / loop.InstructionsPerTwoIterations * 2);
        var rates = new List<double>();
        for (int i = 0; i < Runs; i++)
        {
            rates.Add(InterpreterLoopRunner.Run(loop, iterations, paged).PerSecond);
        }

        return Median(rates);
    }

    private static double Qemu(GuestLoop loop, string directory, TextWriter log)
    {
        const uint probe = 4_000_000;
        double startUp = QemuLoopRunner.Time(loop, 2, directory);
        double probeTime = QemuLoopRunner.Time(loop, probe, directory) - startUp;
        double probeRate = loop.Instructions(probe) / Math.Max(probeTime, 0.01);

        // About a second between N and 2N: long enough that start-up jitter stays small.

        uint n = Even(Math.Min(probeRate * 1.0 / loop.InstructionsPerTwoIterations * 2, 1_000_000_000));
        var once = new List<double>();
        var twice = new List<double>();
        for (int i = 0; i < Runs; i++)
        {
            once.Add(QemuLoopRunner.Time(loop, n, directory));
            twice.Add(QemuLoopRunner.Time(loop, 2 * n, directory));
        }

        double difference = Median(twice) - Median(once);
        log.WriteLine($"qemu {loop.Name}: N={n} median {Median(once):F3} s, 2N median {Median(twice):F3} s, start-up ~{startUp:F3} s");
        return loop.Instructions(n) / Math.Max(difference, 1e-3);
    }

    private static uint Even(double iterations) => (uint)Math.Clamp(iterations, 2, 2_000_000_000) & ~1u;

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
