using Emulator.Virtio;

namespace Emulator.VirtioBlock.Tests;

public sealed class ChainWindowTests
{
    [Fact]
    public void A_window_skips_the_header_and_spans_buffers()
    {
        Descriptor[] chain =
        [
            new(0x1000, 20, false),
            new(0x2000, 10, false),
            new(0x3000, 5, true),
            new(0x4000, 3, true),
        ];

        Assert.Equal([(0x1000UL + 16, 4u), (0x2000UL, 10u)], ChainWindow.Pieces(chain, false, 16, 14));
        Assert.Equal([(0x3000UL, 5u), (0x4000UL, 2u)], ChainWindow.Pieces(chain, true, 0, 7));
        Assert.Empty(ChainWindow.Pieces(chain, true, 0, 0));
        Assert.Equal(0x4002UL, ChainWindow.StatusAddress(chain));
        Assert.Null(ChainWindow.StatusAddress([new(0x1000, 20, false)]));
    }

    [Fact]
    public void Large_buffers_are_cut_into_bounded_pieces()
    {
        Descriptor[] chain = [new(0, 16, false), new(0x100000, (3 * ChainWindow.MaxPiece) + 512, true), new(0x900000, 1, true)];
        List<(ulong Address, uint Length)> pieces = ChainWindow.Pieces(chain, true, 0, (3 * ChainWindow.MaxPiece) + 512);
        Assert.Equal(4, pieces.Count);
        Assert.All(pieces, p => Assert.True(p.Length <= ChainWindow.MaxPiece));
        Assert.Equal((3UL * ChainWindow.MaxPiece) + 512, (ulong)pieces.Sum(p => (long)p.Length));
        Assert.Equal(0x100000UL + (3 * ChainWindow.MaxPiece), pieces[3].Address);
    }
}
