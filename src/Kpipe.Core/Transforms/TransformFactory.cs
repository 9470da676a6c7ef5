namespace Kpipe.Transforms;

/// <summary>Creates the running transforms from their options, in order.</summary>
public static class TransformFactory
{
    public static IReadOnlyList<ITransform> Create(IReadOnlyList<TransformOptions> options) =>
        options.Select<TransformOptions, ITransform>(o => o switch
        {
            _ => throw new NotSupportedException($"no transform for {o.GetType().Name}"),
        }).ToList();
}
