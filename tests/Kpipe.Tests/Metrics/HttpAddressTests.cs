using Kpipe.Metrics;

namespace Kpipe.Tests.Metrics;

public sealed class HttpAddressTests
{
    [Theory]
    [InlineData("9464", "127.0.0.1:9464")]
    [InlineData(":9464", "127.0.0.1:9464")]
    [InlineData("0.0.0.0:80", "0.0.0.0:80")]
    [InlineData("localhost:9464", "localhost:9464")]
    [InlineData("[::1]:9464", "[::1]:9464")]
    public void Takes_host_and_port_with_127_0_0_1_by_default(string text, string expected)
    {
        Assert.True(HttpAddress.TryParse(text, out var address, out var error), error);
        Assert.Equal(expected, address!.ToString());
        Assert.Equal($"http://{expected}/metrics", address.Prefix("/metrics"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("host:")]
    [InlineData("host:0")]
    [InlineData("host:70000")]
    [InlineData("bad host:80")]
    public void Refuses_what_is_not_an_address(string text)
    {
        Assert.False(HttpAddress.TryParse(text, out _, out var error));
        Assert.StartsWith($"--http '{text}'", error);
    }
}
