using Emulator.Tests.Shared;
using Emulator.Options;

namespace Emulator.Foundation.Tests;

public sealed class KeyValueOptionsTests
{
    [Fact]
    public void Implied_first_key_escapes_and_bare_flags()
    {
        KeyValueOptions o = KeyValueOptions.Parse("socket,id=c0,path=/tmp/a,,b,server", "backend");
        Assert.Equal("socket", o.Get("backend"));
        Assert.Equal("c0", o.Get("id"));
        Assert.Equal("/tmp/a,b", o.Get("path"));
        Assert.True(o.GetBool("server", false));
        o.ThrowOnUnused();
    }

    [Fact]
    public void Unused_keys_are_reported_with_qemu_wording()
    {
        KeyValueOptions o = KeyValueOptions.Parse("file,path=x,bogus=1", "backend");
        o.Get("backend");
        o.Get("path");
        OptionsException e = Assert.Throws<OptionsException>(o.ThrowOnUnused);
        Assert.Equal("Invalid parameter 'bogus'", e.Message);
    }

    [Theory]
    [InlineData("512", 512UL)]
    [InlineData("4k", 4096UL)]
    [InlineData("512M", 512UL << 20)]
    [InlineData("1.5G", 3UL << 29)]
    [InlineData("2T", 2UL << 40)]
    public void Sizes_take_qemu_suffixes(string text, ulong expected) => Assert.Equal(expected, KeyValueOptions.ParseSize(text));

    [Theory]
    [InlineData("")]
    [InlineData("M")]
    [InlineData("-1")]
    [InlineData("1.1")]
    [InlineData("99999999999E")]
    public void Bad_sizes_are_null(string text) => Assert.Null(KeyValueOptions.ParseSize(text));

    [Fact]
    public void Duplicate_keys_and_bad_booleans_are_errors()
    {
        Assert.Throws<OptionsException>(() => KeyValueOptions.Parse("a=1,a=2"));
        Assert.Throws<OptionsException>(() => KeyValueOptions.Parse("x=maybe").GetBool("x", false));
        Assert.Throws<OptionsException>(() => KeyValueOptions.Parse("=1"));
        Assert.Throws<OptionsException>(() => KeyValueOptions.Parse("n=abc").GetNumber("n", 0));
        Assert.Equal(0x10, KeyValueOptions.Parse("n=0x10").GetNumber("n", 0));
    }

    [Theory]
    [InlineData("server=off,server", null, "server")]
    [InlineData("server,server=off", null, "server")]
    [InlineData("a,a", null, "a")]
    [InlineData("socket,backend", "backend", "backend")]
    [InlineData("socket,backend=file", "backend", "backend")]
    public void A_key_named_twice_in_any_form_is_an_error(string text, string? impliedKey, string key)
    {
        OptionsException e = Assert.Throws<OptionsException>(() => KeyValueOptions.Parse(text, impliedKey));
        Assert.Equal($"Parameter '{key}' given more than once", e.Message);
    }

    [Fact]
    public void Help_is_recognised_as_the_implied_value()
    {
        Assert.True(KeyValueOptions.Parse("help", "driver").IsHelp("driver"));
        Assert.True(KeyValueOptions.Parse("?", "driver").IsHelp("driver"));
    }

    [Fact]

    [Trait("Category", FuzzBudget.Category)]
    public void Random_input_only_ever_raises_options_errors()
    {
        Random rng = new(42);
        const string alphabet = "ab=,,?x1MkG.-";
        for (int i = 0; i < 50_000; i++)
        {
            char[] text = new char[rng.Next(0, 24)];
            for (int k = 0; k < text.Length; k++)
            {
                text[k] = alphabet[rng.Next(alphabet.Length)];
            }

            try
            {
                KeyValueOptions o = KeyValueOptions.Parse(new string(text), rng.Next(2) == 0 ? "backend" : null);
                Assert.Equal(o.Pairs.Count, o.Pairs.Select(p => p.Key).Distinct(StringComparer.Ordinal).Count());
                foreach (KeyValuePair<string, string> p in o.Pairs)
                {
                    _ = KeyValueOptions.ParseSize(p.Value);
                    Assert.NotEmpty(p.Key);
                }
            }
            catch (OptionsException)
            {
            }
        }
    }
}
