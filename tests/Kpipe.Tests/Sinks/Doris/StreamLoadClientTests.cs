using Kpipe.Sinks.Doris;

namespace Kpipe.Tests.Sinks.Doris;

public sealed class StreamLoadClientTests
{
    [Theory]
    [InlineData("doris-fe:8030", "http://doris-fe:8030/")]
    [InlineData("https://doris-fe:8443/", "https://doris-fe:8443/")]
    [InlineData(" http://user:secret@doris-fe:8030/some/path ", "http://doris-fe:8030/")]
    public void Addresses_default_to_http_and_lose_user_info_and_path(string configured, string expected) =>
        Assert.Equal(expected, StreamLoadClient.Address(configured).ToString());

    [Fact]
    public void Other_schemes_are_refused_without_echoing_credentials()
    {
        var error = Assert.Throws<ArgumentException>(() => StreamLoadClient.Address("ftp://user:secret@doris-fe:21"));
        Assert.DoesNotContain("secret", error.Message);
    }
}
