using Emulator.Tests.Shared;

namespace Emulator.GdbStub.Tests;

public sealed class GdbEndpointTests
{
    [Theory]
    [InlineData("tcp::1234", null, 1234)]
    [InlineData("tcp:127.0.0.1:4321", "127.0.0.1", 4321)]
    [InlineData("tcp:[::1]:1", "::1", 1)]
    [InlineData("5555", null, 5555)]
    public void Parses_QEMUs_device_strings(string text, string? host, int port)
    {
        Assert.True(GdbEndpoint.TryParse(text, out GdbEndpoint endpoint, out string error), error);
        Assert.Equal(new GdbEndpoint(host, port), endpoint);
    }

    [Theory]
    [InlineData("tcp:1234")]
    [InlineData("tcp::")]
    [InlineData("tcp::99999")]
    [InlineData("tcp::-1")]
    [InlineData("unix:/tmp/x")]
    public void Refuses_anything_else_with_a_message(string text)
    {
        Assert.False(GdbEndpoint.TryParse(text, out _, out string error));
        Assert.Contains(text, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Dash_s_is_port_1234_on_all_interfaces() => Assert.Equal(new GdbEndpoint(null, 1234), GdbEndpoint.Default);

    [Fact]
    [Trait("Category", FuzzBudget.Category)]
    public void Random_strings_parse_or_fail_with_a_message()
    {
        var random = new Random(13);
        const string alphabet = "tcp:[]0123456789.-:x ";
        int iterations = FuzzBudget.Iterations(5000);
        for (int i = 0; i < iterations; i++)
        {
            char[] text = new char[random.Next(0, 16)];
            for (int j = 0; j < text.Length; j++)
            {
                text[j] = alphabet[random.Next(alphabet.Length)];
            }

            bool parsed = GdbEndpoint.TryParse(new string(text), out GdbEndpoint endpoint, out string error);
            Assert.True(parsed ? endpoint.Port is >= 0 and <= 65535 : error.Length > 0);
        }
    }
}
