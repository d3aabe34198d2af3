namespace Emulator.Cpu.Tests.ExternalInterrupts;

public sealed class InterruptWakeupTests
{
    [Fact]
    public void SignalBeforeWaitIsNotLostAndIsConsumed()
    {
        var wakeup = new InterruptWakeup();
        wakeup.Signal();
        Assert.True(wakeup.Wait(TimeSpan.Zero));
        Assert.False(wakeup.Wait(TimeSpan.Zero));
    }

    [Fact]
    public void SignalFromAnotherThreadWakesAnUnboundedWait()
    {
        var wakeup = new InterruptWakeup();
        var thread = new Thread(wakeup.Signal);
        thread.Start();
        Assert.True(wakeup.Wait(null));
        thread.Join();
    }

    [Fact]
    public void TimeoutWithoutSignalReturnsFalse()
    {
        var wakeup = new InterruptWakeup();
        Assert.False(wakeup.Wait(TimeSpan.FromMilliseconds(1)));
    }
}
