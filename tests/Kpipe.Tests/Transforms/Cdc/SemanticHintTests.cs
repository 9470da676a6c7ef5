using Kpipe.Transforms.Cdc;

namespace Kpipe.Tests.Transforms.Cdc;

public sealed class SemanticHintTests
{
    [Theory]
    [InlineData("io.debezium.time.Date", "int32", "io.debezium.time.Date")]
    [InlineData("io.debezium.time.NanoTime", "int64", "io.debezium.time.NanoTime")]
    [InlineData("io.debezium.data.VariableScaleDecimal", "struct", "io.debezium.data.VariableScaleDecimal")]
    [InlineData("io.debezium.data.Bits(12)", "bytes", "io.debezium.data.Bits")]
    public void A_hint_stands_for_the_schema_the_value_would_carry(string hint, string type, string name)
    {
        Assert.True(SemanticHint.TryParse(hint, out var schema, out _));
        Assert.Equal((type, name), (schema!.Type, schema.Name));
    }

    [Fact]
    public void A_decimal_takes_its_scale_and_an_array_its_element()
    {
        Assert.True(SemanticHint.TryParse("org.apache.kafka.connect.data.Decimal(2)", out var dec, out _));
        Assert.Equal("2", dec!.Parameters["scale"]);
        Assert.True(SemanticHint.TryParse("array<io.debezium.time.Date>", out var array, out _));
        Assert.Equal(("array", "items", "io.debezium.time.Date"), (array!.Type, array.Fields[0].Field, array.Fields[0].Name));
    }

    [Theory]
    [InlineData("io.debezium.time.Dat", "unknown semantic")]
    [InlineData("org.apache.kafka.connect.data.Decimal", "needs its scale")]
    [InlineData("io.debezium.time.Date(3)", "only Decimal(scale) and Bits(length)")]
    public void Wrong_hints_say_why(string hint, string reason)
    {
        Assert.False(SemanticHint.TryParse(hint, out _, out var error));
        Assert.Contains(reason, error);
    }
}
