using Emulator.Platform;

namespace Emulator.Platform.Tests.Legacy;

public sealed class ByteHandoverTests
{
    [Fact]
    public void OfferAcceptsOnlyWhatFits()
    {
        var handover = new ByteHandover(4);
        Assert.Equal(4, handover.Offer([1, 2, 3, 4, 5, 6]));
        Assert.Equal(0, handover.Offer([7]));
    }

    [Fact]
    public void TakePreservesOrderAcrossWrap()
    {
        var handover = new ByteHandover(3);
        handover.Offer([1, 2]);
        var buffer = new byte[3];
        Assert.Equal(1, handover.Take(buffer.AsSpan(0, 1)));
        handover.Offer([3, 4]);
        Assert.Equal(3, handover.Take(buffer));
        Assert.Equal([2, 3, 4], buffer);
    }

    [Fact]
    public async Task WaiterCompletesWhenSpaceIsFreed()
    {
        var handover = new ByteHandover(1);
        handover.Offer([1]);
        Task waiting = handover.WhenSpaceAvailable();
        Assert.False(waiting.IsCompleted);
        handover.Take(new byte[1]);
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(waiting.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task WaiterHonoursCancellation()
    {
        var handover = new ByteHandover(1);
        handover.Offer([1]);
        using var cts = new CancellationTokenSource();
        Task waiting = handover.WhenSpaceAvailable(cts.Token);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
    }
}
