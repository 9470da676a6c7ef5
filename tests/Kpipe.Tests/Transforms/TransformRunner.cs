using System.Text;
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
        var records = messages.Select((m, i) => new ManagedRecord("devices", 3, 100 + i,
            m.Key == null ? null : Encoding.UTF8.GetBytes(m.Key),
            m.Value == null ? null : Encoding.UTF8.GetBytes(m.Value),
            1721383200000 + i)).ToList();
        var batch = ManagedBatch.Create(1, records);
        var errors = new List<(long, string)>();
        var handler = new RecordErrorHandler(ErrorPolicy.Skip, new PipelineMetrics(), NullLogger.Instance, (b, index, reason) => errors.Add((b.Offset(index), reason)));
        foreach (var t in transforms) t.Apply(batch, handler);
        return new Result(Render(batch), errors, batch);
    }

    /// <summary>Rows as the Doris sink writes them (a change row's operation and sequence as Doris's delete sign and
    /// sequence column), with ISO timestamps.</summary>
    public static List<string> Render(RecordBatch batch) => RowText.Render(batch, RowMetadataForm.Doris).Select(r => r.Json).ToList();
}
