using Emulator.Tests.Shared;
using System.Text.Json;

namespace Emulator.Block.Tests;

public sealed class EmuImgTests
{
    [Fact]
    public void CreateThenInfoDescribesTheImageLikeQemuImg()
    {
        using var dir = new TempDir();
        string path = dir.File("a.qcow2");
        (int code, string output, _) = Run("create", "-f", "qcow2", "-o", "cluster_size=4096", path, "64M");
        Assert.Equal(0, code);
        Assert.Contains("Formatting", output, StringComparison.Ordinal);
        (code, output, _) = Run("info", path);
        Assert.Equal(0, code);
        Assert.Contains($"image: {path}\nfile format: qcow2\nvirtual size: 64 MiB (67108864 bytes)\n", output, StringComparison.Ordinal);
        Assert.Contains("cluster_size: 4096\n", output, StringComparison.Ordinal);
        Assert.Contains("compat: 1.1", output, StringComparison.Ordinal);
        string qemu = QemuImg.Ok("info", path);
        Assert.Contains("virtual size: 64 MiB (67108864 bytes)", qemu, StringComparison.Ordinal);
        Assert.Contains("cluster_size: 4096", qemu, StringComparison.Ordinal);
    }

    [Fact]
    public void InfoJsonNamesTheBackingFile()
    {
        using var dir = new TempDir();
        Assert.Equal(0, Run("create", "-f", "raw", dir.File("base.raw"), "1M").Code);
        Assert.Equal(0, Run("create", "-f", "qcow2", "-o", "compat=0.10", "-b", "base.raw", "-F", "raw", dir.File("ov.qcow2")).Code);
        (int code, string output, _) = Run("info", "--output=json", dir.File("ov.qcow2"));
        Assert.Equal(0, code);
        using JsonDocument json = JsonDocument.Parse(output);
        JsonElement root = json.RootElement;
        Assert.Equal(1 << 20, root.GetProperty("virtual-size").GetInt64());
        Assert.Equal("qcow2", root.GetProperty("format").GetString());
        Assert.Equal("base.raw", root.GetProperty("backing-filename").GetString());
        Assert.Equal(dir.File("base.raw"), root.GetProperty("full-backing-filename").GetString());
        Assert.Equal("raw", root.GetProperty("backing-filename-format").GetString());
        (_, string human, _) = Run("info", dir.File("ov.qcow2"));
        Assert.Contains("backing file: base.raw (actual path: ", human, StringComparison.Ordinal);
        Assert.Contains("compat: 0.10", human, StringComparison.Ordinal);
    }

    [Fact]
    public void ConvertRoundTripsRawAndQcow2WithProgress()
    {
        using var dir = new TempDir();
        var data = new byte[3 << 20];
        new Random(21).NextBytes(data.AsSpan(0, 1 << 20));
        new Random(22).NextBytes(data.AsSpan(2 << 20, 4096));
        File.WriteAllBytes(dir.File("src.raw"), data);
        (int code, _, string progress) = Run("convert", "-p", "-f", "raw", "-O", "qcow2", dir.File("src.raw"), dir.File("mid.qcow2"));
        Assert.Equal(0, code);
        Assert.Contains("    (100.00/100%)", progress, StringComparison.Ordinal);
        Assert.Equal(0, Run("convert", "-O", "raw", dir.File("mid.qcow2"), dir.File("back.raw")).Code);
        Assert.Equal(data, File.ReadAllBytes(dir.File("back.raw")));
        QemuImg.Ok("check", dir.File("mid.qcow2"));
        Assert.Contains("Images are identical", QemuImg.Ok("compare", dir.File("src.raw"), dir.File("mid.qcow2")), StringComparison.Ordinal);
    }

    [Fact]
    public void CheckExitCodesFollowQemuImg()
    {
        using var dir = new TempDir();
        string path = Qcow2InteropTests.NewImageWithOneDataCluster(dir);
        (int code, string output, _) = Run("check", path);
        Assert.Equal(0, code);
        Assert.Contains("No errors were found on the image.", output, StringComparison.Ordinal);
        Qcow2InteropTests.PatchBytes(path, (2 * 65536) + (4 * 2), [0, 0]);
        (code, output, _) = Run("check", path);
        Assert.Equal(2, code);
        Assert.Contains("errors were found on the image", output, StringComparison.Ordinal);
        File.WriteAllBytes(dir.File("r.raw"), new byte[4096]);
        Assert.Equal(63, Run("check", "-f", "raw", dir.File("r.raw")).Code);
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("create", "-f", "qcow2", "x.qcow2", "12Q")]
    [InlineData("create", "-f", "qcow2", "x.qcow2", "-1")]
    [InlineData("create", "-f", "vmdk", "x.vmdk", "1M")]
    [InlineData("create", "-f", "qcow2", "-o", "cluster_size=1000", "x.qcow2", "1M")]
    [InlineData("create", "-f", "qcow2", "-o", "compat=2.0", "x.qcow2", "1M")]
    [InlineData("create", "x.raw")]
    [InlineData("info")]
    [InlineData("info", "--output=xml", "x")]
    [InlineData("info", "/nonexistent/image.qcow2")]
    [InlineData("convert", "only-one")]
    [InlineData("check", "-Z", "x")]
    [InlineData("create", "-f")]
    public void BadArgumentsExitOneWithAMessage(params string[] args)
    {
        using var dir = new TempDir();
        string[] inDir = args.Select(a => a.Contains('.', StringComparison.Ordinal) && !a.StartsWith('/') && !a.Contains('=', StringComparison.Ordinal) ? dir.File(a) : a).ToArray();
        (int code, _, string error) = Run(inDir);
        Assert.Equal(1, code);
        Assert.StartsWith("emu-img: ", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("64M", 64UL << 20)]
    [InlineData("1G", 1UL << 30)]
    [InlineData("1.5k", 1536UL)]
    [InlineData("4096", 4096UL)]
    [InlineData("2T", 2UL << 40)]
    [InlineData("512b", 512UL)]
    public void SizesParseLikeQemu(string text, ulong bytes) => Assert.Equal(bytes, SizeText.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("M")]
    [InlineData("-5")]
    [InlineData("1x")]
    [InlineData("0.3")]
    [InlineData("99999999999E")]
    public void BadSizesDoNotParse(string text) => Assert.Null(SizeText.Parse(text));

    [Theory]
    [InlineData(67108864UL, "64 MiB")]
    [InlineData(200704UL, "196 KiB")]
    [InlineData(512UL, "512 B")]
    [InlineData(1610612736UL, "1.5 GiB")]
    [InlineData(1024000UL, "0.977 MiB")]
    public void SizesPrintLikeQemu(ulong bytes, string text) => Assert.Equal(text, SizeText.Format(bytes));

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = EmuImg.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
