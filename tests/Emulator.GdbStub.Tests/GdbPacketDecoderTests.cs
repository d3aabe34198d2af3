using System.Text;
using Emulator.Tests.Shared;

namespace Emulator.GdbStub.Tests;

public sealed class GdbPacketDecoderTests
{
    [Fact]
    public void Decodes_a_packet_with_a_good_checksum()
    {
        var decoder = new GdbPacketDecoder(64);
        List<GdbInput> events = Feed(decoder, "$m1000,4#8e");
        Assert.Equal(GdbInput.Packet, events[^1]);
        Assert.Equal("m1000,4", Encoding.ASCII.GetString(decoder.Payload));
    }

    [Fact]
    public void Refuses_a_bad_checksum_and_recovers_on_the_next_packet()
    {
        var decoder = new GdbPacketDecoder(64);
        Assert.Equal(GdbInput.BadChecksum, Feed(decoder, "$g#00")[^1]);
        Assert.Equal(GdbInput.BadChecksum, Feed(decoder, "$g#zz")[^1]);
        Assert.Equal(GdbInput.Packet, Feed(decoder, "$g#67")[^1]);
        Assert.Equal("g", Encoding.ASCII.GetString(decoder.Payload));
    }

    [Fact]
    public void Reports_acks_and_the_interrupt_byte_between_packets()
    {
        var decoder = new GdbPacketDecoder(64);
        Assert.Equal([GdbInput.Ack, GdbInput.Nack, GdbInput.Interrupt, GdbInput.None], Feed(decoder, "+-\u0003x"));
    }

    [Fact]
    public void Unescapes_and_expands_run_lengths()
    {
        var decoder = new GdbPacketDecoder(64);
        byte[] raw = Encoding.Latin1.GetBytes("X}\u0003}]0* ");
        Assert.Equal(GdbInput.Packet, FeedFramed(decoder, raw));
        Assert.Equal(Encoding.Latin1.GetBytes("X#}0000"), decoder.Payload.ToArray());
    }

    [Fact]
    public void Drops_an_oversized_packet_without_buffering_it()
    {
        var decoder = new GdbPacketDecoder(16);
        byte[] big = new byte[100_000];
        big.AsSpan().Fill((byte)'a');
        Assert.Equal(GdbInput.TooLong, FeedFramed(decoder, big));

        // A run length that expands past the limit is refused the same way.
        Assert.Equal(GdbInput.TooLong, FeedFramed(decoder, "a*~"u8.ToArray()));
        Assert.Equal(GdbInput.Packet, Feed(decoder, "$?#3f")[^1]);
    }

    [Fact]
    public void A_dollar_inside_a_packet_starts_over()
    {
        var decoder = new GdbPacketDecoder(64);
        Assert.Equal(GdbInput.Packet, Feed(decoder, "$mxx$g#67")[^1]);
        Assert.Equal("g", Encoding.ASCII.GetString(decoder.Payload));
    }

    [Fact]
    public void Encoded_binary_round_trips()
    {
        var random = new Random(7);
        var decoder = new GdbPacketDecoder(4096);
        for (int i = 0; i < 200; i++)
        {
            byte[] payload = new byte[random.Next(0, 1000)];
            random.NextBytes(payload);
            byte[] framed = GdbPacketEncoder.Encode(payload);
            Assert.True(framed.Length <= (2 * payload.Length) + 4);
            GdbInput last = GdbInput.None;
            foreach (byte b in framed)
            {
                last = decoder.Feed(b);
            }

            Assert.Equal(GdbInput.Packet, last);
            Assert.Equal(payload, decoder.Payload.ToArray());
        }
    }

    [Fact]
    [Trait("Category", FuzzBudget.Category)]
    public void Random_bytes_never_throw_and_stay_bounded()
    {
        var random = new Random(11);
        var decoder = new GdbPacketDecoder(32);
        byte[] alphabet = "$#}*+-\u00030a9fF"u8.ToArray();
        int iterations = FuzzBudget.Iterations(2000);
        for (int i = 0; i < iterations; i++)
        {
            byte[] input = new byte[random.Next(0, 200)];
            for (int j = 0; j < input.Length; j++)
            {
                input[j] = random.Next(2) == 0 ? alphabet[random.Next(alphabet.Length)] : (byte)random.Next(256);
            }

            foreach (byte b in input)
            {
                GdbInput result = decoder.Feed(b);
                Assert.True(Enum.IsDefined(result));
                Assert.True(decoder.Payload.Length <= decoder.MaxPayload);
            }
        }
    }

    private static List<GdbInput> Feed(GdbPacketDecoder decoder, string text)
    {
        var events = new List<GdbInput>();
        foreach (byte b in Encoding.Latin1.GetBytes(text))
        {
            events.Add(decoder.Feed(b));
        }

        return events;
    }

    /// <summary>Frames raw (already escaped) bytes with their checksum and feeds them.</summary>
    private static GdbInput FeedFramed(GdbPacketDecoder decoder, byte[] raw)
    {
        byte sum = 0;
        foreach (byte b in raw)
        {
            sum += b;
        }

        GdbInput last = decoder.Feed((byte)'$');
        foreach (byte b in raw)
        {
            last = decoder.Feed(b);
        }

        decoder.Feed((byte)'#');
        decoder.Feed(GdbHex.Digit(sum >> 4));
        return decoder.Feed(GdbHex.Digit(sum & 0xF));
    }
}
