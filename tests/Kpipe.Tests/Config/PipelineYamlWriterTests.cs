using Kpipe.Config;
using Kpipe.Sinks.Doris;
using Kpipe.Sinks.Kafka;
using Kpipe.Sources.Kafka;
using Kpipe.Transforms.Filter;
using Kpipe.Transforms.Select;

namespace Kpipe.Tests.Config;

/// <summary>What `kpipe convert` writes reads back as the same options, and passes validation.</summary>
public sealed class PipelineYamlWriterTests
{
    // The secrets convert turns into references, set as a deployment would set them.
    private static readonly Func<string, string?> Env = name => name.EndsWith("PASSWORD", StringComparison.Ordinal) ? "from-env" : null;

    public static TheoryData<string> Awkward => new()
    {
        "a: b", "x #not a comment", "# leading hash", "it's", "say \"hi\"", "line one\nline two", "trailing\n",
        "  padded  ", "null", "~", "true", "no", "123", "1e3", "0x1F", "2024-07-19T10:00:00Z", "- dash", "[flow]",
        "{map}", "a, b", "*alias", "&anchor", "!tag", "%directive", "@at", "`tick`", "|pipe", ">fold", "${HOME}",
        "$${literal}", "tab\there", "ünïcødé ✓", "back\\slash", "? question", "key: value # comment",
    };

    private static PipelineOptions With(string text) => new()
    {
        Name = "awkward",
        Source = new KafkaSourceOptions
        {
            BootstrapServers = "k1:9092,k2:9092",
            Topics = ["in"],
            GroupId = text,
            StartFrom = "2024-07-19T10:00:00Z",
            Properties = { ["client.id"] = text },
        },
        Transforms =
        [
            new SelectOptions { Columns = [new ColumnOptions { Name = text, Path = "after.note", Default = text }] },
            new FilterOptions { Where = $"`{text.Replace("`", "``")}` != 'it''s' or `{text.Replace("`", "``")}` == \"say \\\"hi\\\"\"" },
        ],
        Sinks =
        [
            new DorisSinkOptions
            {
                FeNodes = ["fe1:8030", "https://fe2:8443"], Table = "db.t", User = text, Password = "hunter2", LabelPrefix = text,
                Headers = { ["columns"] = text, ["merge_type"] = "APPEND" }, MaxBytes = ByteSize.FromMiB(16), MaxAge = TimeSpan.FromMilliseconds(250),
            },
            new KafkaSinkOptions { BootstrapServers = "k:9092", Topic = "out", Properties = { ["sasl.password"] = "hunter2" } },
        ],
    };

    [Theory]
    [MemberData(nameof(Awkward))]
    public void Awkward_text_reads_back_as_written(string text)
    {
        var yaml = PipelineYamlWriter.Write(With(text));
        var back = PipelineLoader.Parse(yaml, "converted.yaml", Env);
        var column = Assert.IsType<SelectOptions>(back.Transforms[0]).Columns[0];
        var doris = Assert.IsType<DorisSinkOptions>(back.Sinks[0]);
        Assert.Equal(Enumerable.Repeat(text, 6), new[] { back.Source.GroupId ?? "(null)", back.Source.Properties["client.id"], column.Name, column.Default ?? "(null)", doris.User, doris.Headers["columns"] });
        Assert.Equal(text, doris.LabelPrefix);
        Assert.Equal(((FilterOptions)With(text).Transforms[1]).Where, Assert.IsType<FilterOptions>(back.Transforms[1]).Where);
        Assert.Equal(yaml, PipelineYamlWriter.Write(back));
    }

    [Fact]
    public void Secrets_become_environment_references()
    {
        var yaml = PipelineYamlWriter.Write(With("x"));
        Assert.DoesNotContain("hunter2", yaml);
        Assert.Contains("password: ${DORIS_PASSWORD}", yaml);
        Assert.Contains("sasl.password: ${KAFKA_PROPERTIES_SASL_PASSWORD}", yaml);
    }

    [Fact]
    public void Values_at_their_defaults_are_left_out_and_others_keep_their_units()
    {
        var yaml = PipelineYamlWriter.Write(With("x"));
        Assert.DoesNotContain("errors:", yaml);
        Assert.DoesNotContain("maxRows", yaml);
        Assert.Contains("maxBytes: 16MiB", yaml);
        Assert.Contains("maxAge: 250ms", yaml);
        Assert.Contains("feNodes: ['fe1:8030', 'https://fe2:8443']", yaml);
        Assert.EndsWith("\n", yaml);
    }

    [Theory]
    [InlineData("kafka_list_to_doris_setting.yaml")]
    [InlineData("kafka_cdc_to_doris_setting.yaml")]
    public void A_converted_seed_file_validates_and_means_the_same(string name)
    {
        var seed = PipelineLoader.Load(RepoFiles.Path($"examples/seed/{name}"), _ => null);
        var yaml = PipelineYamlWriter.Write(seed);
        var native = PipelineLoader.Parse(yaml, "converted.yaml", Env);
        Assert.Equal("from-env", Assert.IsType<DorisSinkOptions>(Assert.Single(native.Sinks)).Password);
        Assert.Equal(yaml, PipelineYamlWriter.Write(native));
    }
}
