using Emulator.Vmm.Chardev;

namespace Emulator.System.Tests.EndToEnd;

/// <summary>Writes a recognisable byte pattern into a stream with TryWrite only, noting when the ring turned it away.</summary>
internal sealed class PatternProducer(ChardevStream stream, long total)
{
    public ManualResetEventSlim SawFull { get; } = new();

    public static byte ByteAt(long position) => (byte)(position % 251);

    public void Run()
    {
        byte[] chunk = new byte[32768];
        long written = 0;
        while (written < total)
        {
            int length = (int)Math.Min(chunk.Length, total - written);
            for (int i = 0; i < length; i++)
            {
                chunk[i] = ByteAt(written + i);
            }

            int n = stream.Output.TryWrite(chunk.AsSpan(0, length));
            written += n;
            if (n < length)
            {
                SawFull.Set();
                if (n == 0 && !stream.Output.WaitForSpace(Patience.WaitMs))
                {
                    throw new TimeoutException($"ring stayed full after {written} bytes");
                }
            }
        }
    }
}
