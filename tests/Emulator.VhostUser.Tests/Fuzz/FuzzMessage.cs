namespace Emulator.VhostUser.Tests;

/// <summary>One fuzzed message as it goes on the wire; <see cref="SentPayload"/> may be shorter than the header says.</summary>
internal sealed record FuzzMessage(VhostUserHeader Header, byte[] SentPayload, int[] Fds)
{
    public override string ToString() => $"{Header} payload={Convert.ToHexString(SentPayload)} fds={Fds.Length}";
}
