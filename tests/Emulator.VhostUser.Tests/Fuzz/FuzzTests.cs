using Emulator.Tests.Shared;
using System.Globalization;
using Xunit.Abstractions;

namespace Emulator.VhostUser.Tests;

/// <summary>
/// Random and mutated messages, with real eventfds, memfds, pipes and sockets attached, thrown at the
/// back-end in-process. Nothing but <see cref="VhostUserProtocolException"/> may come out, no message may
/// hang, and the device's invariants (<see cref="FuzzDevice"/>) must hold. EMU_FUZZ_ITERATIONS sets the
/// count (default 100k), EMU_FUZZ_SEED the seed.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    private const int DefaultIterations = 100_000;
    private const int HangTimeoutMs = 10_000;

    [Fact]

    [Trait("Category", FuzzBudget.Category)]
    public void Random_messages_only_ever_cause_protocol_errors()
    {
        int iterations = FuzzBudget.Iterations(DefaultIterations);
        int seed = EnvInt("EMU_FUZZ_SEED", 20240601);
        var run = new FuzzRun(seed, HangTimeoutMs);
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                run.Execute(iterations);
            }
            catch (Exception e)
            {
                // Carried to the test thread, which rethrows it with the seed and the message that caused it.
                failure = e;
            }
        }) { IsBackground = true, Name = "fuzz" };
        thread.Start();

        long lastProgress = -1;
        long lastChange = Environment.TickCount64;
        while (!thread.Join(100))
        {
            long progress = run.Iteration;
            if (progress != lastProgress)
            {
                lastProgress = progress;
                lastChange = Environment.TickCount64;
            }

            Assert.True(Environment.TickCount64 - lastChange < HangTimeoutMs, $"seed {seed}: back-end hung at iteration {progress} on {run.LastMessage}");
        }

        if (failure is not null)
        {
            throw new InvalidOperationException($"seed {seed}, iteration {run.Iteration}, message {run.LastMessage}", failure);
        }

        output.WriteLine($"seed {seed}: {run.Iteration} messages, {run.Accepted} accepted, {run.Rejections} rejected, {run.RingStarts} sessions with a running ring");
        foreach ((string reason, int count) in run.Reasons.OrderByDescending(r => r.Value).Take(25))
        {
            output.WriteLine($"{count,8}  {reason}");
        }

        Assert.Equal(iterations, run.Iteration);
        Assert.True(run.Rejections > 0 && run.Accepted > run.Rejections, $"{run.Accepted} accepted, {run.Rejections} rejected");
        Assert.True(run.RingStarts > 0, "no fuzzed session ever started a ring");
    }

    private static int EnvInt(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : fallback;
}
