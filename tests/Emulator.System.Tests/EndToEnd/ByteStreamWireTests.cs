using Emulator.Tests.Shared;
using Emulator.Chardev;
using Emulator.VhostUser;

namespace Emulator.System.Tests.EndToEnd;

public sealed class ByteStreamWireTests
{
    [Fact]
    public void RequestAndEventRoundTrip()
    {
        var request = new ByteStreamRequest(3, 0);
        Assert.Equal(request, ByteStreamRequest.Parse(request.ToArray()));
        var e = new ChardevEvent(ChardevEventKind.FocusChanged, 1);
        Assert.Equal(e, ChardevEvent.Parse(e.ToArray()));
        Assert.Equal([5, 0, 0, 0, 1, 0, 0, 0], e.ToArray());
    }

    [Theory]
    [InlineData(new byte[] { 4, 0, 0, 0, 0, 0, 0, 0 })]
    [InlineData(new byte[] { 0, 0, 0, 0, 1, 0, 0, 0 })]
    [InlineData(new byte[] { 0, 0, 0, 0, 0, 0, 0 })]
    public void BadRequestsAreRefused(byte[] payload) =>
        Assert.Throws<VhostUserProtocolException>(() => ByteStreamRequest.Parse(payload));

    [Theory]
    [InlineData(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0 })]
    [InlineData(new byte[] { 7, 0, 0, 0, 0, 0, 0, 0 })]
    [InlineData(new byte[] { 1, 0, 0, 0, 4, 0, 0, 0 })]
    [InlineData(new byte[] { 1, 0, 0, 0, 0, 0, 0, 0, 0 })]
    public void BadEventsAreRefused(byte[] payload) =>
        Assert.Throws<VhostUserProtocolException>(() => ChardevEvent.Parse(payload));

    [Fact]
    public void VendorRequestDeclaresSixDescriptors()
    {
        VendorRequest v = Assert.Single(ByteStreamProtocol.FrontendRequests);
        Assert.Equal(FdRule.Exact, v.Rule.Fds);
        Assert.Equal(6, v.Rule.FdCount);
        var header = VhostUserHeader.ForRequest(ByteStreamProtocol.SetByteStream, ByteStreamRequest.Size, false);
        byte[] payload = new ByteStreamRequest(0, 0).ToArray();
        Assert.True(MessageValidator.IsValid(header, payload, 6, out _, ByteStreamProtocol.FrontendRequests));
        Assert.False(MessageValidator.IsValid(header, payload, 1, out _, ByteStreamProtocol.FrontendRequests));
    }

    [Fact]
    [Trait("Category", "Fuzz")]
    public void RandomPayloadsNeverThrowAnythingElse()
    {
        var random = new Random(99);
        int iterations = FuzzBudget.Iterations(20000);
        for (int i = 0; i < iterations; i++)
        {
            byte[] payload = new byte[random.Next(0, 12)];
            random.NextBytes(payload);
            if (random.Next(2) == 0 && payload.Length >= 8)
            {
                payload[1] = payload[2] = payload[3] = payload[5] = payload[6] = payload[7] = 0;
            }

            TryParse(() => ByteStreamRequest.Parse(payload));
            TryParse(() => ChardevEvent.Parse(payload));
        }
    }

    private static void TryParse(Action parse)
    {
        try
        {
            parse();
        }
        catch (VhostUserProtocolException)
        {
            // Refused: the only acceptable failure.
        }
    }
}
