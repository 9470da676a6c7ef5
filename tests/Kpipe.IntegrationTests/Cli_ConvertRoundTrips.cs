using Kpipe.Cli;
using Kpipe.Config;

namespace Kpipe.IntegrationTests;

/// <summary>`kpipe convert` prints a native file that validates and means what the seed file meant.</summary>
public sealed class Cli_ConvertRoundTrips
{
    [Theory]
    [InlineData("kafka_list_to_doris_setting.yaml")]
    [InlineData("kafka_cdc_to_doris_setting.yaml")]
    public async Task The_converted_seed_file_validates_and_gives_the_same_options(string name)
    {
        var seedFile = Path.Combine(AppContext.BaseDirectory, "examples", "seed", name);
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await KpipeCli.RunAsync(["convert", seedFile], output, error);
        Assert.True(exit == ExitCodes.Ok, error.ToString());

        // The password became ${DORIS_PASSWORD}; a deployment sets it.
        var converted = PipelineLoader.Parse(output.ToString(), "converted.yaml", n => n == "DORIS_PASSWORD" ? "password" : null);
        var seed = PipelineLoader.Load(seedFile, _ => null);
        Assert.Equal(PipelineYamlWriter.Write(seed), PipelineYamlWriter.Write(converted));
        Assert.Equal("password", ((Kpipe.Sinks.Doris.DorisSinkOptions)converted.Sinks[0]).Password);
    }
}
