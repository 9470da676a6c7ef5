using Kpipe.Config;

namespace Kpipe.Tests.Config;

public sealed class EnvironmentSubstitutionTests
{
    private static string Expand(string text, string? error = null)
    {
        var result = EnvironmentSubstitution.Expand(text, n => n == "HOST" ? "kafka" : null, out var actualError);
        Assert.Equal(error, actualError);
        return result;
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("${HOST}:9092", "kafka:9092")]
    [InlineData("${MISSING:-localhost}:9092", "localhost:9092")]
    [InlineData("${MISSING:-}", "")]
    [InlineData("$${HOST}", "${HOST}")]
    [InlineData("cost $5", "cost $5")]
    public void Expands(string input, string expected) => Assert.Equal(expected, Expand(input));

    [Fact]
    public void Unset_without_default_is_an_error() =>
        Expand("${NOPE}", "environment variable NOPE is not set (write ${NOPE:-default} to give a default)");

    [Fact]
    public void Unterminated_reference_is_an_error() => Expand("${HOST", "unterminated ${...} reference");
}
