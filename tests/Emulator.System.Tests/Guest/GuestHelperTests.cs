namespace Emulator.System.Tests.Guest;

/// <summary>The pure helpers behind the stock-kernel tests, checked without booting anything.</summary>
public sealed class GuestHelperTests
{
    [Fact]
    public void GuestScriptOutputNamesTheImages()
    {
        GuestImages images = GuestImages.Parse("KERNEL_PACKAGE=p\nKERNEL_RELEASE=6.1.0-9-amd64\nBZIMAGE=/c/bz\nVMLINUX=/c/vmlinux\nINITRD=/c/initrd.gz\n");
        Assert.Equal(new GuestImages("6.1.0-9-amd64", "/c/vmlinux", "/c/initrd.gz"), images);
    }

    [Theory]
    [InlineData("")]
    [InlineData("VMLINUX=/v\nINITRD=/i\n")]
    [InlineData("KERNEL_RELEASE=\nVMLINUX=/v\nINITRD=/i\n")]
    public void GuestScriptOutputWithoutAKeyIsAClearError(string output)
    {
        var e = Assert.Throws<InvalidOperationException>(() => GuestImages.Parse(output));
        Assert.Contains("printed no", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TranscriptTimestampsLinesWhenFirstCompleteAndDropsCarriageReturns()
    {
        var transcript = new ConsoleTranscript();
        DateTimeOffset first = DateTimeOffset.FromUnixTimeSeconds(1000);
        DateTimeOffset second = DateTimeOffset.FromUnixTimeSeconds(2000);
        transcript.Update("boot\r\n@date 12", first);
        transcript.Update("boot\r\n@date 1234\r\r\n@irq  0: 5\r\n@irq LOC: 7\r\n", second);

        Assert.Equal(["boot", "@date 1234", "@irq  0: 5", "@irq LOC: 7"], transcript.Lines.Select(l => l.Text));
        Assert.Equal(first, transcript.Lines[0].SeenAt);
        Assert.Equal(second, transcript.First("@date ")?.SeenAt);
        Assert.Equal("1234", transcript.Value("@date"));
        Assert.Equal([" 0: 5", "LOC: 7"], transcript.Values("@irq"));
        Assert.Null(transcript.Value("@uname"));
    }

    [Fact]
    public void GeneratedDataIsWhatTheGuestCommandsMake()
    {
        byte[] awk = GuestProbeScript.AwkData();
        Assert.StartsWith("149\n11249\n", global::System.Text.Encoding.ASCII.GetString(awk), StringComparison.Ordinal);
        Assert.Equal(GuestProbeScript.YesBytes, GuestProbeScript.YesData().Length);
        Assert.Equal("d41d8cd98f00b204e9800998ecf8427e", GuestProbeScript.Md5Hex([]));
        Assert.True(("console=ttyS0 quiet emu.run64=" + GuestProbeScript.Base64).Length < 2048, "the command line must fit Linux's 2048 bytes");
    }
}
