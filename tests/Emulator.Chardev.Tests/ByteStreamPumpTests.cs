using System.Net.Sockets;
using System.Text;

namespace Emulator.Chardev.Tests;

public class ByteStreamPumpTests
{
    [Fact]
    public void MovesBytesBothWays()
    {
        using TempDirectory dir = new();
        using TestFrontEnd serial = new();
        IChardevBackend backend = UnixServer(dir);
        using (backend)
        using (ByteStreamPump pump = new(backend, [serial.Channel]))
        {
            pump.Start();
            using Socket client = Connect(dir, backend);
            serial.Send("login: "u8);
            Assert.Equal("login: ", SocketPeer.ReadText(client, 7));
            client.Send("root\r"u8);
            Assert.Equal("root\r", serial.ReceiveText(5));
            Assert.Null(pump.Fault);
        }
    }

    [Fact]
    public void SlowPeerMakesTheGuestSeeAFullRingWithoutLosingBytes()
    {
        const int total = 4 << 20;
        using TempDirectory dir = new();
        using TestFrontEnd serial = new(capacity: 4096);
        IChardevBackend backend = UnixServer(dir);
        using (backend)
        using (ByteStreamPump pump = new(backend, [serial.Channel]))
        {
            pump.Start();
            using Socket client = Connect(dir, backend);
            using ManualResetEventSlim sawFull = new();
            int fullEvents = 0;
            TestThread guest = new(() =>
            {
                byte[] chunk = new byte[1000];
                int position = 0;
                while (position < total)
                {
                    int size = Math.Min(chunk.Length, total - position);
                    for (int i = 0; i < size; i++)
                    {
                        chunk[i] = Pattern(position + i);
                    }

                    int written = 0;
                    while (written < size)
                    {
                        written += serial.GuestOutput.TryWrite(chunk.AsSpan(written, size - written));
                        if (written < size)
                        {
                            // THRE would stay clear here; the vCPU goes on and waits for space.
                            fullEvents++;
                            sawFull.Set();
                            Assert.True(serial.GuestOutput.WaitForSpace(Timeouts.Milliseconds));
                        }
                    }

                    position += size;
                }
            });

            // The peer reads nothing until the ring has backed up all the way to the guest.
            Assert.True(sawFull.Wait(Timeouts.Milliseconds), "the guest never saw a full ring");
            byte[] received = SocketPeer.ReadExactly(client, total);
            guest.Join();
            Assert.True(fullEvents > 0);
            for (int i = 0; i < total; i++)
            {
                Assert.True(received[i] == Pattern(i), $"byte {i} differs");
            }
        }
    }

    [Fact]
    public void FullGuestRingStopsReadingTheBackendWithoutLosingBytes()
    {
        const int total = 2 << 20;
        using TempDirectory dir = new();
        using TestFrontEnd serial = new(capacity: 4096);
        IChardevBackend backend = UnixServer(dir);
        using (backend)
        using (ByteStreamPump pump = new(backend, [serial.Channel]))
        {
            pump.Start();
            using Socket client = Connect(dir, backend);
            byte[] data = new byte[total];
            for (int i = 0; i < total; i++)
            {
                data[i] = Pattern(i);
            }

            TestThread peer = new(() => client.Send(data));

            // The guest does not read: the ring toward it fills and stays full.
            long deadline = Environment.TickCount64 + Timeouts.Milliseconds;
            while (serial.GuestInput.Available < serial.InputRing.Capacity)
            {
                Assert.True(Environment.TickCount64 < deadline, "the input ring never filled");
                Thread.Sleep(1);
            }

            byte[] received = serial.Receive(total);
            peer.Join();
            Assert.Equal(data, received);
        }
    }

    [Fact]
    public void MuxedSerialAndMonitorShareOneSocket()
    {
        using TempDirectory dir = new();
        using TestFrontEnd serial = new();
        using TestFrontEnd monitor = new();
        IChardevBackend backend = UnixServer(dir);
        ChardevMux mux = new(2);
        List<string> events = [];
        EventLatch exit = new();
        EventLatch focus = new();
        using (backend)
        using (ByteStreamPump pump = new(backend, [serial.Channel, monitor.Channel], mux))
        {
            pump.FocusChanged += (from, to) =>
            {
                lock (events)
                {
                    events.Add($"{from}->{to}");
                }

                focus.Set();
            };
            pump.ExitRequested += exit.Set;
            pump.BreakRequested += fe =>
            {
                lock (events)
                {
                    events.Add($"break {fe}");
                }
            };
            pump.Start();
            using Socket client = Connect(dir, backend);

            client.Send("ls\r"u8);
            Assert.Equal("ls\r", serial.ReceiveText(3));

            client.Send([0x01, (byte)'c', .. "info status\r"u8]);
            Assert.Equal("info status\r", monitor.ReceiveText(12));
            focus.WaitFor(1);

            // Output from both front-ends reaches the terminal whatever the focus.
            monitor.Send("(qemu) "u8);
            Assert.Equal("(qemu) ", SocketPeer.ReadText(client, 7));
            serial.Send("boot msg"u8);
            Assert.Equal("boot msg", SocketPeer.ReadText(client, 8));

            client.Send([0x01, (byte)'h']);
            byte[] help = MuxHelp.Text(ChardevMux.DefaultEscapeChar);
            Assert.Equal(Encoding.ASCII.GetString(help), SocketPeer.ReadText(client, help.Length));

            client.Send([0x01, (byte)'c', 0x01, (byte)'b', 0x01, (byte)'x']);
            Assert.Equal("QEMU: Terminated\n\r", SocketPeer.ReadText(client, 18));
            exit.WaitFor(1);
            lock (events)
            {
                Assert.Equal(["0->1", "1->0", "break 0"], events);
            }

            Assert.Equal(0, serial.GuestInput.Available);
            Assert.Equal(0, monitor.GuestInput.Available);
        }
    }

    [Fact]
    public void TimestampsApplyToEveryFrontEndsOutput()
    {
        using TempDirectory dir = new();
        using TestFrontEnd serial = new();
        IChardevBackend backend = UnixServer(dir);
        ManualTimeProvider time = new();
        using (backend)
        using (ByteStreamPump pump = new(backend, [serial.Channel], new ChardevMux(1, time: time)))
        {
            EventLatch focus = new();
            pump.FocusChanged += (_, _) => focus.Set();
            pump.Start();
            using Socket client = Connect(dir, backend);

            // A focus round trip proves the C-a t before it was processed too.
            client.Send([0x01, (byte)'t', 0x01, (byte)'c']);
            focus.WaitFor(1);
            serial.Send("a\nb\n"u8);
            Assert.Equal("a\n[00:00:00.000] b\n", SocketPeer.ReadText(client, 19));
        }
    }

    [Fact]
    public void CorruptRingStopsThePumpWithAFault()
    {
        using TempDirectory dir = new();
        using TestFrontEnd serial = new();
        IChardevBackend backend = UnixServer(dir);
        EventLatch faulted = new();
        using (backend)
        using (ByteStreamPump pump = new(backend, [serial.Channel]))
        {
            pump.Faulted += _ => faulted.Set();
            pump.Start();
            using Socket client = Connect(dir, backend);
            using (Emulator.Posix.MemoryMapping peer = Emulator.Posix.MemoryMapping.MapShared(serial.OutputRing.Memory, 0, ByteRing.HeaderSize))
            {
                BitConverter.TryWriteBytes(peer.GetSpan(64, 4), 0x8000_0000u);
            }

            serial.OutputRing.DataAvailable.Signal();
            faulted.WaitFor(1);
            Assert.IsType<ByteRingException>(pump.Fault);
        }
    }

    [Fact]
    public void AThrowingBackendHandlerStopsThePumpWithAFaultAndTheProcessLives()
    {
        using TempDirectory dir = new();
        using TestFrontEnd serial = new();
        IChardevBackend backend = UnixServer(dir);
        EventLatch faulted = new();
        Exception? reported = null;
        using (backend)
        using (ByteStreamPump pump = new(backend, [serial.Channel]))
        {
            // Raised on the pump's input thread, which accepts the client.
            backend.Connected += () => throw new InvalidOperationException("connected handler bug");
            pump.Faulted += e =>
            {
                reported = e;
                faulted.Set();
            };
            pump.Start();
            using Socket client = SocketPeer.ConnectUnix(dir.File("p.sock"));
            faulted.WaitFor(1);
            InvalidOperationException fault = Assert.IsType<InvalidOperationException>(pump.Fault);
            Assert.Equal("connected handler bug", fault.Message);
            Assert.Same(fault, reported);
        }
    }

    [Fact]
    public void AThrowingMuxEventHandlerIsReportedToEveryFaultedHandlerEvenIfOneThrows()
    {
        using TempDirectory dir = new();
        using TestFrontEnd serial = new();
        using TestFrontEnd monitor = new();
        IChardevBackend backend = UnixServer(dir);
        EventLatch faulted = new();
        using (backend)
        using (ByteStreamPump pump = new(backend, [serial.Channel, monitor.Channel], new ChardevMux(2)))
        {
            pump.FocusChanged += (_, _) => throw new InvalidOperationException("focus handler bug");
            pump.Faulted += _ => throw new InvalidOperationException("faulted handler bug");
            pump.Faulted += _ => faulted.Set();
            pump.Start();
            using Socket client = Connect(dir, backend);
            client.Send([0x01, (byte)'c']);
            faulted.WaitFor(1);
            Assert.Equal("focus handler bug", Assert.IsType<InvalidOperationException>(pump.Fault).Message);
        }
    }

    [Fact]
    public void RejectsAMismatchedFrontEndCount()
    {
        using TestFrontEnd one = new();
        using NullBackend backend = new("n");
        Assert.Throws<ArgumentException>(() => new ByteStreamPump(backend, [one.Channel], new ChardevMux(2)));
        Assert.Throws<ArgumentException>(() => new ByteStreamPump(backend, [one.Channel, one.Channel]));
    }

    private static IChardevBackend UnixServer(TempDirectory dir)
    {
        IChardevBackend backend = ChardevFactory.Create(
            ChardevParser.ParseChardev($"socket,id=serial0,path={dir.File("p.sock")},server=on,wait=off"),
            new ChardevContext(_ => { }));
        backend.Start();
        return backend;
    }

    /// <summary>Connects once the pump runs (its input thread accepts) and waits until the backend has the client.</summary>
    private static Socket Connect(TempDirectory dir, IChardevBackend backend)
    {
        EventLatch connected = new();
        backend.Connected += connected.Set;
        Socket client = SocketPeer.ConnectUnix(dir.File("p.sock"));
        if (!backend.IsConnected)
        {
            connected.WaitFor(1);
        }

        return client;
    }

    private static byte Pattern(int position) => (byte)((position * 2654435761L) >> 11);
}
