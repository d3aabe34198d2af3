using Emulator.Posix;

namespace Emulator.Chardev.Tests;

public class ByteRingTests
{
    [Fact]
    public void WrapsAroundKeepingOrder()
    {
        using ByteRing ring = ByteRing.Create(16);
        ByteRingProducer producer = ring.CreateProducer();
        ByteRingConsumer consumer = ring.CreateConsumer();
        byte next = 0;
        byte expected = 0;
        Span<byte> buffer = stackalloc byte[16];
        for (int round = 0; round < 50; round++)
        {
            int size = (round % 7) + 3;
            byte[] chunk = new byte[size];
            for (int i = 0; i < size; i++)
            {
                chunk[i] = next++;
            }

            Assert.Equal(size, producer.TryWrite(chunk));
            Assert.Equal(size, consumer.Available);
            Assert.Equal(size, consumer.Read(buffer));
            for (int i = 0; i < size; i++)
            {
                Assert.Equal(expected++, buffer[i]);
            }
        }
    }

    [Fact]
    public void FullRingTakesWhatFitsAndNeverDrops()
    {
        using ByteRing ring = ByteRing.Create(16);
        ByteRingProducer producer = ring.CreateProducer();
        ByteRingConsumer consumer = ring.CreateConsumer();
        Assert.Equal(16, producer.FreeSpace);
        Assert.Equal(10, producer.TryWrite(new byte[10]));
        Assert.Equal(6, producer.TryWrite(Enumerable.Range(1, 20).Select(i => (byte)i).ToArray()));
        Assert.Equal(0, producer.FreeSpace);
        Assert.Equal(0, producer.TryWrite([42]));

        byte[] all = new byte[32];
        Assert.Equal(16, consumer.Read(all));
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6 }, all[10..16]);
        Assert.Equal(0, consumer.Read(all));
    }

    [Fact]
    public void WaitForSpaceIsSignalledByTheConsumer()
    {
        using ByteRing ring = ByteRing.Create(16);
        ByteRingProducer producer = ring.CreateProducer();
        ByteRingConsumer consumer = ring.CreateConsumer();
        producer.TryWrite(new byte[16]);
        Assert.True(producer.TryArmSpaceNotification());
        Assert.False(ring.SpaceAvailable.TryConsume(out _));
        consumer.Read(new byte[1]);
        Assert.True(ring.SpaceAvailable.TryConsume(out _));
        Assert.True(producer.WaitForSpace(0));
    }

    [Fact]
    public void DataNotificationOnlyWhenTheConsumerWaits()
    {
        using ByteRing ring = ByteRing.Create(16);
        ByteRingProducer producer = ring.CreateProducer();
        ByteRingConsumer consumer = ring.CreateConsumer();
        producer.TryWrite([1]);
        Assert.False(ring.DataAvailable.TryConsume(out _));
        Assert.False(consumer.TryArmDataNotification());
        consumer.Read(new byte[1]);
        Assert.True(consumer.TryArmDataNotification());
        producer.TryWrite([2]);
        Assert.True(ring.DataAvailable.TryConsume(out _));
        producer.TryWrite([3]);
        Assert.False(ring.DataAvailable.TryConsume(out _));
    }

    [Fact]
    public void WaitsTimeOutAndHonourCancel()
    {
        using ByteRing ring = ByteRing.Create(16);
        using EventFd cancel = new();
        ByteRingProducer producer = ring.CreateProducer();
        ByteRingConsumer consumer = ring.CreateConsumer();
        Assert.False(consumer.WaitForData(0));
        cancel.Signal();
        Assert.False(consumer.WaitForData(-1, cancel.Handle));
        producer.TryWrite(new byte[16]);
        Assert.False(producer.WaitForSpace(-1, cancel.Handle));
        Assert.True(consumer.WaitForData(-1, cancel.Handle));
    }

    [Fact]
    public void ConcurrentThreadsMove64MiBIntact()
    {
        const long total = 64L << 20;
        using ByteRing ring = ByteRing.Create(1 << 16);
        ByteRingProducer producer = ring.CreateProducer();
        ByteRingConsumer consumer = ring.CreateConsumer();
        TestThread writer = new(() =>
        {
            byte[] chunk = new byte[8192];
            Random sizes = new(7);
            long position = 0;
            while (position < total)
            {
                int size = (int)Math.Min(sizes.Next(1, chunk.Length), total - position);
                for (int i = 0; i < size; i++)
                {
                    chunk[i] = Pattern(position + i);
                }

                int offset = 0;
                while (offset < size)
                {
                    int n = producer.TryWrite(chunk.AsSpan(offset, size - offset));
                    offset += n;
                    if (offset < size)
                    {
                        Assert.True(producer.WaitForSpace(Timeouts.Milliseconds));
                    }
                }

                position += size;
            }
        });

        byte[] buffer = new byte[5000];
        Random reads = new(11);
        long received = 0;
        long mismatches = 0;
        while (received < total)
        {
            int n = consumer.Read(buffer.AsSpan(0, reads.Next(1, buffer.Length)));
            if (n == 0)
            {
                Assert.True(consumer.WaitForData(Timeouts.Milliseconds));
                continue;
            }

            for (int i = 0; i < n; i++)
            {
                mismatches += buffer[i] != Pattern(received + i) ? 1 : 0;
            }

            received += n;
        }

        writer.Join();
        Assert.Equal(total, received);
        Assert.Equal(0, mismatches);
        Assert.Equal(0, consumer.Available);
    }

    [Fact]
    public void PingPongNeverLosesAWakeUp()
    {
        // Two rings, each side blocking on every message: a lost wake-up would hang until the timeout.
        using ByteRing there = ByteRing.Create(16);
        using ByteRing back = ByteRing.Create(16);
        const int rounds = 5000;
        TestThread echo = new(() =>
        {
            ByteRingConsumer input = there.CreateConsumer();
            ByteRingProducer output = back.CreateProducer();
            byte[] one = new byte[1];
            for (int i = 0; i < rounds; i++)
            {
                Assert.True(input.WaitForData(Timeouts.Milliseconds));
                Assert.Equal(1, input.Read(one));
                Assert.Equal(1, output.TryWrite(one));
            }
        });

        ByteRingProducer send = there.CreateProducer();
        ByteRingConsumer receive = back.CreateConsumer();
        byte[] reply = new byte[1];
        for (int i = 0; i < rounds; i++)
        {
            Assert.Equal(1, send.TryWrite([(byte)i]));
            Assert.True(receive.WaitForData(Timeouts.Milliseconds), $"lost wake-up at round {i}");
            Assert.Equal(1, receive.Read(reply));
            Assert.Equal((byte)i, reply[0]);
        }

        echo.Join();
    }

    [Fact]
    public void AttachSharesTheRingThroughTheDescriptors()
    {
        using ByteRing created = ByteRing.Create(64);
        using ByteRing attached = ByteRing.Attach(Fd.Duplicate(created.Memory), Fd.Duplicate(created.DataAvailable.Handle), Fd.Duplicate(created.SpaceAvailable.Handle));
        Assert.Equal(64, attached.Capacity);
        ByteRingProducer producer = created.CreateProducer();
        ByteRingConsumer consumer = attached.CreateConsumer();
        Assert.True(consumer.TryArmDataNotification());
        producer.TryWrite("across"u8);
        Assert.True(consumer.WaitForData(0));
        byte[] buffer = new byte[16];
        Assert.Equal(6, consumer.Read(buffer));
        Assert.Equal("across"u8.ToArray(), buffer[..6]);
    }

    [Fact]
    public void CorruptConsumerIndexIsRejected()
    {
        using ByteRing ring = ByteRing.Create(16);
        ByteRingProducer producer = ring.CreateProducer();
        producer.TryWrite(new byte[4]);
        using MemoryMapping peer = MemoryMapping.MapShared(ring.Memory, 0, ByteRing.HeaderSize + 16);
        BitConverter.TryWriteBytes(peer.GetSpan(128, 4), 0xFFFF_0000u);
        Assert.Throws<ByteRingException>(() => producer.TryWrite([1]));
        Assert.Throws<ByteRingException>(() => producer.FreeSpace);
    }

    [Fact]
    public void CorruptProducerIndexIsRejected()
    {
        using ByteRing ring = ByteRing.Create(16);
        ByteRingConsumer consumer = ring.CreateConsumer();
        using MemoryMapping peer = MemoryMapping.MapShared(ring.Memory, 0, ByteRing.HeaderSize + 16);
        BitConverter.TryWriteBytes(peer.GetSpan(64, 4), 17u);
        ByteRingException e = Assert.Throws<ByteRingException>(() => consumer.Read(new byte[64]));
        Assert.Contains("producer index 17", e.Message, StringComparison.Ordinal);

        // An index exactly one ring ahead is legal (full ring) and reads stay inside the data area.
        BitConverter.TryWriteBytes(peer.GetSpan(64, 4), 16u);
        Assert.Equal(16, consumer.Read(new byte[64]));
    }

    [Fact]
    public void AttachRejectsBadHeaders()
    {
        Assert.Throws<ByteRingException>(() => AttachWith(h => BitConverter.TryWriteBytes(h[0..], 0xDEADBEEFu)));
        Assert.Throws<ByteRingException>(() => AttachWith(h => BitConverter.TryWriteBytes(h[4..], 2u)));
        Assert.Throws<ByteRingException>(() => AttachWith(h => BitConverter.TryWriteBytes(h[8..], 48u)));
        Assert.Throws<ByteRingException>(() => AttachWith(h => BitConverter.TryWriteBytes(h[8..], 128u)));
        Assert.Throws<ByteRingException>(() => AttachWith(h => BitConverter.TryWriteBytes(h[8..], 0u)));
    }

    [Fact]
    public void AttachRejectsMemoryThatCanShrink()
    {
        SafeFd memory = MemFd.Create("unsealed", ByteRing.HeaderSize + 64, allowSealing: false);
        using EventFd a = new();
        using EventFd b = new();
        ByteRingException e = Assert.Throws<ByteRingException>(() => ByteRing.Attach(memory, Fd.Duplicate(a.Handle), Fd.Duplicate(b.Handle)));
        Assert.Contains("sealed", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AttachRejectsADescriptorThatIsNotAMemfd()
    {
        (SafeFd read, SafeFd write) = Fd.Pipe();
        using (write)
        {
            using EventFd a = new();
            using EventFd b = new();
            ByteRingException e = Assert.Throws<ByteRingException>(() => ByteRing.Attach(read, Fd.Duplicate(a.Handle), Fd.Duplicate(b.Handle)));
            Assert.Contains("not a sealable memfd", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void AttachRejectsWakeUpDescriptorsThatAreNotEventfds()
    {
        using ByteRing ring = ByteRing.Create(64);
        using EventFd other = new();
        SafeFd zero = PosixFile.Open("/dev/zero", OpenFlags.ReadOnly | OpenFlags.CloseOnExec);
        ByteRingException e = Assert.Throws<ByteRingException>(() => ByteRing.Attach(Fd.Duplicate(ring.Memory), zero, Fd.Duplicate(other.Handle)));
        Assert.Contains("data-available descriptor is a CharacterDevice, not an eventfd", e.Message, StringComparison.Ordinal);
        Assert.True(zero.IsClosed);

        (SafeFd read, SafeFd write) = Fd.Pipe();
        using (write)
        {
            e = Assert.Throws<ByteRingException>(() => ByteRing.Attach(Fd.Duplicate(ring.Memory), Fd.Duplicate(other.Handle), read));
            Assert.Contains("space-available descriptor is a Pipe, not an eventfd", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void CreateRejectsOddCapacities()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ByteRing.Create(100));
        Assert.Throws<ArgumentOutOfRangeException>(() => ByteRing.Create(8));
    }

    private static void AttachWith(SpanAction corrupt)
    {
        using ByteRing ring = ByteRing.Create(64);
        using (MemoryMapping peer = MemoryMapping.MapShared(ring.Memory, 0, ByteRing.HeaderSize))
        {
            corrupt(peer.GetSpan(0, ByteRing.HeaderSize));
        }

        using ByteRing attached = ByteRing.Attach(Fd.Duplicate(ring.Memory), Fd.Duplicate(ring.DataAvailable.Handle), Fd.Duplicate(ring.SpaceAvailable.Handle));
    }

    private static byte Pattern(long position) => (byte)((position * 2654435761L) >> 13);

    private delegate void SpanAction(Span<byte> header);
}
