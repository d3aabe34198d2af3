using System.Buffers;
using System.Text;

namespace Emulator.GdbStub.Tests;

/// <summary>A <see cref="GdbSession"/> over a <see cref="FakeTarget"/>, spoken to in framed packets.</summary>
internal sealed class SessionHarness
{
    private readonly ArrayBufferWriter<byte> _output = new();

    public SessionHarness()
    {
        Session = new GdbSession(Target, _output);
    }

    public FakeTarget Target { get; } = new();

    public GdbSession Session { get; }

    /// <summary>Sends one framed packet; returns everything the session wrote (acks included) as Latin-1.</summary>
    public string Send(string payload) => SendRaw(GdbPacketEncoder.Encode(Encoding.Latin1.GetBytes(payload)));

    public string SendRaw(ReadOnlySpan<byte> bytes)
    {
        Session.Receive(bytes);
        return Take();
    }

    public string Take()
    {
        string text = Encoding.Latin1.GetString(_output.WrittenSpan);
        _output.ResetWrittenCount();
        return text;
    }

    /// <summary>The payloads of the framed replies in <paramref name="output"/>, unescaped.</summary>
    public static List<string> Replies(string output)
    {
        var decoder = new GdbPacketDecoder(64 * 1024);
        var replies = new List<string>();
        foreach (byte b in Encoding.Latin1.GetBytes(output))
        {
            if (decoder.Feed(b) == GdbInput.Packet)
            {
                replies.Add(Encoding.Latin1.GetString(decoder.Payload));
            }
        }

        return replies;
    }

    /// <summary>The one reply to <paramref name="payload"/>.</summary>
    public string Ask(string payload) => Assert.Single(Replies(Send(payload)));
}
