using System.Buffers.Binary;
using Emulator.Memory;
using Emulator.Posix;
using Emulator.TestPeer;

namespace Emulator.VhostUser.Tests;

/// <summary>
/// Front-end here, back-end in a second process (Emulator.TestPeer): real fd passing, real shared memory.
/// The only class that starts processes, so an fd made inheritable for one child reaches no other.
/// </summary>
public sealed class TwoProcessTests
{
    [Fact]
    public void Peer_on_inherited_fd_echoes_through_shared_guest_memory()
    {
        using PeerProcess peer = PeerProcess.StartWithFd();
        using GuestMemory memory = TestMemory.OneRegion();
        using var kick = new EventFd();
        using var call = new EventFd();
        VhostUserFrontend f = peer.Frontend;
        NegotiatedFeatures n = f.Negotiate(ulong.MaxValue, (VhostUserProtocolFeatures)ulong.MaxValue);
        Assert.True((n.ProtocolFeatures & VhostUserProtocolFeatures.ReplyAck) != 0);
        f.SetMemTable(memory);
        var ring = new DriverRing(memory, TestMemory.RingBase, 128);
        f.ConfigureQueue(0, memory, ring.Size, ring.DescriptorTable, ring.AvailableRing, ring.UsedRing, kick, call);

        for (int i = 0; i < 10; i++)
        {
            ulong input = TestMemory.DataBase + ((ulong)i * 0x200);
            memory.Write(input, BitConverter.GetBytes(0x1122334455667700UL + (ulong)i));
            ring.AddChain((input, 8, false), (input + 0x100, 8, true));
        }

        kick.Signal();
        Assert.True(ring.WaitForUsed(10, call));
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(8u, ring.UsedElement((ushort)i).Length);
            Assert.Equal(0x1122334455667700UL + (ulong)i, memory.ReadU64(TestMemory.DataBase + ((ulong)i * 0x200) + 0x100));
        }

        Assert.Equal(10, f.GetVringBase(0));
        Assert.Equal(0, peer.CloseAndWait());
    }

    [Fact]
    public void Peer_on_socket_path_serves_config_inflight_reset_and_vendor_requests()
    {
        using PeerProcess peer = PeerProcess.StartWithSocketPath();
        using GuestMemory memory = TestMemory.OneRegion();
        using var kick = new EventFd();
        using var call = new EventFd();
        VhostUserFrontend f = peer.Frontend;
        f.Negotiate(ulong.MaxValue, (VhostUserProtocolFeatures)ulong.MaxValue);

        Assert.Equal("TESTPEER"u8.ToArray(), f.GetConfig(0, 8));
        f.SetConfig(12, [9, 8, 7, 6]);
        Assert.Equal(new byte[] { 9, 8, 7, 6 }, f.GetConfig(12, 4));

        byte[] sum = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(sum, 1000);
        BinaryPrimitives.WriteUInt64LittleEndian(sum.AsSpan(8), 337);
        Assert.Equal(1337UL, U64Payload.Parse(f.SendRequest(EchoDevice.SumRequest, sum, expectReply: true)));

        (SafeFd inflightFd, InflightDescription d) = f.GetInflightFd(2, 64);
        using (inflightFd)
        {
            f.SetInflightFd(inflightFd, d);
            f.SetMemTable(memory);
            var ring = new DriverRing(memory, TestMemory.RingBase, 64);
            f.ConfigureQueue(0, memory, ring.Size, ring.DescriptorTable, ring.AvailableRing, ring.UsedRing, kick, call);
            ring.AddChain((TestMemory.DataBase, 16, false), (TestMemory.DataBase + 0x100, 16, true));
            kick.Signal();
            Assert.True(ring.WaitForUsed(1, call));

            // The other process wrote the in-flight log in the memfd we hold.
            using MemoryMapping map = MemoryMapping.MapShared(inflightFd, 0, d.MmapSize);
            Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(map.GetSpan(InflightLayout.UsedIdxOffset, 2)));
        }

        f.SetStatus(0x07);
        Assert.Equal(0x07, f.GetStatus());
        f.ResetDevice();
        Assert.Equal(0, f.GetStatus());
        Assert.Equal(0, f.GetVringBase(0));
        Assert.Equal(new byte[4], f.GetConfig(12, 4));
        Assert.Equal(0, peer.CloseAndWait());
    }

    [Fact]
    public void Peer_rejects_a_malformed_message_and_exits_with_an_error()
    {
        using PeerProcess peer = PeerProcess.StartWithFd();
        peer.Frontend.Negotiate(ulong.MaxValue, (VhostUserProtocolFeatures)ulong.MaxValue);

        Assert.Throws<VhostUserProtocolException>(() => peer.Frontend.SetVringNum(5, 16));
        Assert.Equal(2, peer.CloseAndWait());
    }
}
