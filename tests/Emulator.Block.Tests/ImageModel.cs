namespace Emulator.Block.Tests;

/// <summary>
/// Drives an image with random writes, write-zeroes and discards while keeping the bytes the guest must
/// see in a plain array, then compares the two.
/// </summary>
internal sealed class ImageModel
{
    private readonly IBlockImage image;
    private readonly byte[] expected;
    private readonly Random random;
    private readonly ulong clusterSize;

    public ImageModel(IBlockImage image, byte[] initial, int seed, ulong clusterSize)
    {
        this.image = image;
        expected = (byte[])initial.Clone();
        random = new Random(seed);
        this.clusterSize = clusterSize;
    }

    public byte[] Expected => expected;

    /// <summary>Random operations; discards are modelled only where the format guarantees zeroes (no backing).</summary>
    public void Run(int operations, int maxLength, bool discardsReadZero)
    {
        for (int i = 0; i < operations; i++)
        {
            int length = random.Next(1, maxLength);
            int offset = random.Next(0, expected.Length - length);
            switch (random.Next(10))
            {
                case < 7:
                    var data = new byte[length];
                    random.NextBytes(data);
                    image.Write((ulong)offset, data);
                    data.CopyTo(expected, offset);
                    break;
                case < 9:
                    image.WriteZeroes((ulong)offset, (ulong)length, mayUnmap: random.Next(2) == 0);
                    Array.Clear(expected, offset, length);
                    break;
                default:
                    if (discardsReadZero)
                    {
                        image.Discard((ulong)offset, (ulong)length);
                        ulong first = ((ulong)offset + clusterSize - 1) / clusterSize * clusterSize;
                        ulong end = (ulong)(offset + length) / clusterSize * clusterSize;
                        if (end > first)
                        {
                            Array.Clear(expected, (int)first, (int)(end - first));
                        }
                    }

                    break;
            }
        }
    }

    public void AssertMatches()
    {
        var actual = new byte[expected.Length];
        image.Read(0, actual);
        AssertSame(expected, actual);
    }

    public static void AssertSame(byte[] expected, byte[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        int diff = expected.AsSpan().CommonPrefixLength(actual);
        Assert.True(diff == expected.Length, $"images differ first at byte {diff}");
    }
}
