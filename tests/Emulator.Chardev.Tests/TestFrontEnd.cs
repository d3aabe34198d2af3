namespace Emulator.Chardev.Tests;

/// <summary>A front-end as the CPU process would hold it: the guest's end of a pair of rings, and the pump's end.</summary>
internal sealed class TestFrontEnd : IDisposable
{
    public TestFrontEnd(int capacity = 4096)
    {
        OutputRing = ByteRing.Create(capacity, "test-output");
        InputRing = ByteRing.Create(capacity, "test-input");
        GuestOutput = OutputRing.CreateProducer();
        GuestInput = InputRing.CreateConsumer();
        Channel = new FrontEndChannel(OutputRing.CreateConsumer(), InputRing.CreateProducer());
    }

    public ByteRing OutputRing { get; }

    public ByteRing InputRing { get; }

    /// <summary>What the guest transmits (a UART's THR).</summary>
    public ByteRingProducer GuestOutput { get; }

    /// <summary>What the guest receives (a UART's RBR).</summary>
    public ByteRingConsumer GuestInput { get; }

    public FrontEndChannel Channel { get; }

    public void Send(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            data = data[GuestOutput.TryWrite(data)..];
            if (!data.IsEmpty)
            {
                Assert.True(GuestOutput.WaitForSpace(Timeouts.Milliseconds), "output ring stayed full");
            }
        }
    }

    public byte[] Receive(int count)
    {
        byte[] data = new byte[count];
        int got = 0;
        while (got < count)
        {
            int n = GuestInput.Read(data.AsSpan(got));
            got += n;
            if (n == 0)
            {
                Assert.True(GuestInput.WaitForData(Timeouts.Milliseconds), $"no input after {got} of {count} bytes");
            }
        }

        return data;
    }

    public string ReceiveText(int count) => System.Text.Encoding.ASCII.GetString(Receive(count));

    public void Dispose()
    {
        OutputRing.Dispose();
        InputRing.Dispose();
    }
}
