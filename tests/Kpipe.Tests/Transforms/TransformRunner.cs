using System.Text;
using Confluent.Kafka;
using Kpipe.Engine;
using Kpipe.Rows;
using Kpipe.Transforms;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kpipe.Tests.Transforms;

/// <summary>Runs transforms over message values the way the engine does, and renders the rows as JSON.</summary>
internal static class TransformRunner
{
    public sealed record Result(List<string> Rows, List<(long Offset, string Reason)> Errors, RecordBatch Batch);

    public static Result Run(IReadOnlyList<TransformOptions> options, params string?[] values) =>
        Run(TransformFactory.Create(options), values);

    public static Result Run(IReadOnlyList<ITransform> transforms, params string?[] values) =>
        RunWithKeys(transforms, values.Select((v, i) => ((string?)$"key-{i}", v)).ToArray());

    public static Result RunWithKeys(IReadOnlyList<ITransform> transforms, (string? Key, string? Value)[] messages)
    {
        var records = messages.Select((m, i) => new ConsumeResult<byte[]?, byte[]?>
        {
            TopicPartitionOffset = new TopicPartitionOffset("devices", 3, 100 + i),
            Message = new Message<byte[]?, byte[]?>
            {
                Key = m.Key == null ? null : Encoding.UTF8.GetBytes(m.Key),
                Value = m.Value == null ? null : Encoding.UTF8.GetBytes(m.Value),
                Timestamp = new Timestamp(1721383200000 + i, TimestampType.CreateTime),
            },
        }).ToList();
        var batch = new RecordBatch(1, records, 0);
        var errors = new List<(long, string)>();
        var handler = new RecordErrorHandler(ErrorPolicy.Skip, new PipelineMetrics(), NullLogger.Instance, (r, reason) => errors.Add((r.Offset.Value, reason)));
        foreach (var t in transforms) t.Apply(batch, handler);
        return new Result(Render(batch), errors, batch);
    }

    public static List<string> Render(RecordBatch batch) => RowText.Render(batch).Select(r => r.Json).ToList();
}
