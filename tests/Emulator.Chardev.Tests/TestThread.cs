using System.Runtime.ExceptionServices;

namespace Emulator.Chardev.Tests;

/// <summary>A thread whose failure (an assertion included) is rethrown by <see cref="Join"/> instead of killing the test host.</summary>
internal sealed class TestThread
{
    private readonly Thread _thread;
    private ExceptionDispatchInfo? _failure;

    public TestThread(Action body)
    {
        _thread = new Thread(() =>
        {
            try
            {
                body();
            }
            catch (Exception e)
            {
                // Carried to the test thread by Join.
                _failure = ExceptionDispatchInfo.Capture(e);
            }
        })
        { IsBackground = true };
        _thread.Start();
    }

    public void Join()
    {
        Assert.True(_thread.Join(Timeouts.Milliseconds * 2), "test thread did not finish");
        _failure?.Throw();
    }
}
