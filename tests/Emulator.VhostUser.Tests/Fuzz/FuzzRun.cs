namespace Emulator.VhostUser.Tests;

/// <summary>The fuzz loop; counters are read by the watchdog on the test thread.</summary>
internal sealed class FuzzRun(int seed, int hangTimeoutMs)
{
    private long _iteration;

    public long Iteration => Interlocked.Read(ref _iteration);

    public FuzzMessage? LastMessage { get; private set; }

    /// <summary>Fuzzed messages (not the openings) that ended their session.</summary>
    public long Rejections { get; private set; }

    /// <summary>Fuzzed messages the session survived.</summary>
    public long Accepted { get; private set; }

    public long RingStarts { get; private set; }

    /// <summary>Rejection messages (digits stripped) and how often each was seen.</summary>
    public Dictionary<string, int> Reasons { get; } = [];

    public void Execute(int iterations)
    {
        var rng = new Random(seed);
        using var pool = new FuzzFdPool();
        var generator = new FuzzMessageGenerator(rng, pool);
        FuzzSession? session = null;
        try
        {
            while (Iteration < iterations)
            {
                if (session is null)
                {
                    session = new FuzzSession();
                    foreach (FuzzMessage opening in generator.Opening())
                    {
                        session = Step(session, opening);
                        if (session is null)
                        {
                            throw new InvalidOperationException($"the session opening was rejected at {opening}");
                        }
                    }

                    RingStarts++;
                }

                session = Step(session, generator.Next());
                if (session is null)
                {
                    Rejections++;
                }
                else
                {
                    Accepted++;
                }

                Interlocked.Increment(ref _iteration);
            }
        }
        finally
        {
            session?.Dispose();
        }
    }

    /// <summary>Sends one message and lets the back-end handle it; null when the session ended.</summary>
    private FuzzSession? Step(FuzzSession session, FuzzMessage message)
    {
        LastMessage = message;
        session.Send(message);
        bool alive;
        try
        {
            alive = session.Backend.ProcessNext(hangTimeoutMs);
        }
        catch (VhostUserProtocolException e)
        {
            string reason = string.Concat(e.Message.Where(c => !char.IsDigit(c)).Take(60));
            Reasons[reason] = Reasons.GetValueOrDefault(reason) + 1;
            alive = false;
        }

        session.DrainReplies();
        if (alive)
        {
            return session;
        }

        session.Dispose();
        return null;
    }
}
