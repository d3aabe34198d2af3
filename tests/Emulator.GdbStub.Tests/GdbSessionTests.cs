using System.Text;
using Emulator.Tests.Shared;

namespace Emulator.GdbStub.Tests;

public sealed class GdbSessionTests
{
    [Fact]
    public void Acknowledges_packets_until_no_ack_mode()
    {
        var harness = new SessionHarness();
        Assert.StartsWith("+$", harness.Send("qC"));
        Assert.Equal("+$OK#9a", harness.Send("QStartNoAckMode"));
        Assert.Equal("$QC1#c5", harness.Send("qC"));
    }

    [Fact]
    public void A_nack_gets_the_last_reply_again()
    {
        var harness = new SessionHarness();
        string first = harness.Send("qAttached");
        Assert.Equal(first[1..], harness.SendRaw("-"u8));
    }

    [Fact]
    public void Advertises_what_it_implements_and_one_thread()
    {
        var harness = new SessionHarness();
        string supported = harness.Ask("qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386");
        Assert.Contains("PacketSize=1000", supported, StringComparison.Ordinal);
        Assert.Contains("qXfer:features:read+", supported, StringComparison.Ordinal);
        Assert.Contains("QStartNoAckMode+", supported, StringComparison.Ordinal);
        Assert.Equal("1", harness.Ask("qAttached"));
        Assert.Equal("m1", harness.Ask("qfThreadInfo"));
        Assert.Equal("l", harness.Ask("qsThreadInfo"));
        Assert.Equal("OK", harness.Ask("Hg0"));
        Assert.Equal("OK", harness.Ask("T1"));
        Assert.Equal("E22", harness.Ask("T2"));
        Assert.Equal("T05thread:01;", harness.Ask("?"));
        Assert.Equal("vCont;c;C;s;S", harness.Ask("vCont?"));
        Assert.Equal(string.Empty, harness.Ask("qTStatus"));
        Assert.Equal(string.Empty, harness.Ask("vMustReplyEmpty"));
    }

    [Fact]
    public void Serves_the_target_description_in_chunks()
    {
        var harness = new SessionHarness();
        var document = new StringBuilder();
        for (int offset = 0; ; )
        {
            string reply = harness.Ask($"qXfer:features:read:target.xml:{offset:x},200");
            Assert.True(reply[0] is 'm' or 'l');
            document.Append(reply.AsSpan(1));
            offset += reply.Length - 1;
            if (reply[0] == 'l')
            {
                break;
            }
        }

        Assert.Equal(Encoding.ASCII.GetString(X86TargetDescription.Build()), document.ToString());
        Assert.Contains("<architecture>i386:x86-64</architecture>", document.ToString(), StringComparison.Ordinal);
        Assert.Equal("E00", harness.Ask("qXfer:features:read:other.xml:0,100"));
    }

    [Fact]
    public void Registers_read_and_write_in_gdb_order()
    {
        var harness = new SessionHarness();
        Assert.Equal("OK", harness.Ask("P10=efcdab8967452301"));
        Assert.Equal("efcdab8967452301", harness.Ask("p10"));
        string all = harness.Ask("g");
        Assert.Equal(X86GdbRegisters.TotalSize * 2, all.Length);
        Assert.Equal("efcdab8967452301", all.Substring(FakeTarget.Offset(X86GdbRegisters.Rip) * 2, 16));
        Assert.Equal("OK", harness.Ask("G" + new string('1', all.Length)));
        Assert.Equal("1111111111111111", harness.Ask("p0"));
        Assert.Equal("E14", harness.Ask("p42"));
        Assert.Equal("E22", harness.Ask("P0=12"));
        Assert.Equal("E22", harness.Ask("Gxyz"));
    }

    [Fact]
    public void Memory_reads_and_writes_land_and_unmapped_is_E14()
    {
        var harness = new SessionHarness();
        Assert.Equal("OK", harness.Ask("M1000,4:01020304"));
        Assert.Equal("01020304", harness.Ask("m1000,4"));
        Assert.Equal("E14", harness.Ask("m0,4"));
        Assert.Equal("E14", harness.Ask("M20000,1:aa"));
        Assert.Equal("E22", harness.Ask("m1000"));
        Assert.Equal("E22", harness.Ask("M1000,2:01"));
        Assert.Equal("E22", harness.Ask("m1000,801"));
        Assert.Equal(0x800 * 2, harness.Ask("m1000,800").Length);
    }

    [Fact]
    public void Binary_writes_carry_escaped_bytes()
    {
        var harness = new SessionHarness();
        byte[] data = [(byte)'$', (byte)'#', (byte)'}', (byte)'*', 0, 0xFF];
        byte[] header = Encoding.ASCII.GetBytes("X1010,6:");
        string output = harness.SendRaw(GdbPacketEncoder.Encode([.. header, .. data]));
        Assert.Equal("OK", Assert.Single(SessionHarness.Replies(output)));
        Assert.Equal(data, harness.Target.Memory.AsSpan(0x10, 6).ToArray());
        Assert.Equal("OK", harness.Ask("X1000,0:"));
    }

    [Fact]
    public void Breakpoints_go_to_the_target_and_watchpoints_are_unsupported()
    {
        var harness = new SessionHarness();
        Assert.Equal("OK", harness.Ask("Z0,1234,1"));
        Assert.Equal("OK", harness.Ask("Z1,1238,1"));
        Assert.Equal(string.Empty, harness.Ask("Z2,2000,4"));
        Assert.Equal("OK", harness.Ask("z0,1234,1"));
        Assert.Equal("E22", harness.Ask("Z0,xyz,1"));
        Assert.Equal(string.Empty, harness.Ask("Z9,1,1"));
        Assert.Equal(["Z0 1234", "Z1 1238", "Z2 2000", "z0 1234"], harness.Target.Log);
    }

    [Fact]
    public void Continue_and_step_answer_when_the_target_stops()
    {
        var harness = new SessionHarness();
        harness.Ask("qSupported:swbreak+;hwbreak+");
        Assert.Equal("+", harness.Send("c"));
        Assert.True(harness.Session.Running);
        harness.Session.OnStop(new GdbStop(GdbStopReason.SoftwareBreakpoint));
        Assert.Equal("T05thread:01;swbreak:;", Assert.Single(SessionHarness.Replies(harness.Take())));
        harness.Send("vCont;s:1;c");
        harness.Session.OnStop(new GdbStop(GdbStopReason.Step));
        Assert.Equal("T05thread:01;", Assert.Single(SessionHarness.Replies(harness.Take())));
        harness.Send("vCont;c");
        harness.Session.OnStop(new GdbStop(GdbStopReason.HardwareBreakpoint));
        Assert.Equal("T05thread:01;hwbreak:;", Assert.Single(SessionHarness.Replies(harness.Take())));
        harness.Send("c");
        harness.Session.OnStop(new GdbStop(GdbStopReason.WriteWatchpoint, 0x4000));
        Assert.Equal("T05thread:01;watch:4000;", Assert.Single(SessionHarness.Replies(harness.Take())));
        Assert.Equal(["continue", "step", "continue", "continue"], harness.Target.Log);

        // A stop nobody waits for is dropped.
        harness.Session.OnStop(new GdbStop(GdbStopReason.Step));
        Assert.Equal(string.Empty, harness.Take());
    }

    [Fact]
    public void Continue_at_an_address_sets_rip_first()
    {
        var harness = new SessionHarness();
        harness.Send("c2000");
        harness.Session.OnStop(new GdbStop(GdbStopReason.Step));
        harness.Take();
        Assert.Equal("0020000000000000", harness.Ask("p10"));
    }

    [Fact]
    public void Stop_fields_appear_only_when_negotiated()
    {
        var harness = new SessionHarness();
        harness.Send("c");
        harness.Session.OnStop(new GdbStop(GdbStopReason.SoftwareBreakpoint));
        Assert.Equal("T05thread:01;", Assert.Single(SessionHarness.Replies(harness.Take())));
    }

    [Fact]
    public void Ctrl_c_while_running_pauses_and_answers_S02()
    {
        var harness = new SessionHarness();
        harness.Send("c");
        Assert.Equal("$S02#b5", harness.SendRaw([0x03]));
        Assert.False(harness.Session.Running);
        Assert.Equal(["continue", "pause"], harness.Target.Log);
    }

    [Fact]
    public void A_packet_while_running_stops_the_guest_before_it_is_served()
    {
        var harness = new SessionHarness();
        harness.Send("c");
        List<string> replies = SessionHarness.Replies(harness.Send("m1000,1"));
        Assert.Equal(["S02", "00"], replies);
        Assert.Equal(["continue", "pause"], harness.Target.Log);
    }

    [Fact]
    public void Detach_and_kill_end_the_session()
    {
        var detach = new SessionHarness();
        Assert.Equal("OK", detach.Ask("D"));
        Assert.True(detach.Session.Finished);
        Assert.Equal(["detach"], detach.Target.Log);

        var kill = new SessionHarness();
        Assert.Equal("+", kill.Send("k"));
        Assert.True(kill.Session.Finished);
        Assert.Equal(["kill"], kill.Target.Log);
    }

    [Fact]
    public void An_exit_ends_the_session_with_W00()
    {
        var harness = new SessionHarness();
        harness.Send("c");
        harness.Session.OnStop(new GdbStop(GdbStopReason.Exited));
        Assert.Equal("W00", Assert.Single(SessionHarness.Replies(harness.Take())));
        Assert.True(harness.Session.Finished);
    }

    [Fact]
    public void An_oversized_packet_gets_an_error()
    {
        var harness = new SessionHarness();
        string reply = harness.Send("M1000,1:" + new string('0', GdbSession.PacketSize));
        Assert.Equal("E22", Assert.Single(SessionHarness.Replies(reply)));
        Assert.Equal("OK", harness.Ask("M1000,1:00"));
    }

    [Fact]
    [Trait("Category", FuzzBudget.Category)]
    public void Random_packets_never_throw()
    {
        var random = new Random(5);
        string[] heads = ["m", "M", "X", "p", "P", "g", "G", "Z", "z", "c", "s", "vCont;", "qXfer:features:read:target.xml:", "q", "Q", "H", "T", "?", "v"];
        const string alphabet = "0123456789abcdefABCDEF,:;=-xyz}$#*";
        int iterations = FuzzBudget.Iterations(3000);
        var harness = new SessionHarness();
        for (int i = 0; i < iterations; i++)
        {
            var packet = new StringBuilder(heads[random.Next(heads.Length)]);
            int length = random.Next(0, 40);
            for (int j = 0; j < length; j++)
            {
                packet.Append(alphabet[random.Next(alphabet.Length)]);
            }

            harness.Send(packet.ToString());
            if (harness.Session.Running)
            {
                harness.Session.OnStop(new GdbStop(GdbStopReason.Step));
                harness.Take();
            }
        }

        Assert.False(harness.Session.Finished);
    }
}
