namespace Kpipe.Transforms;

/// <summary>Base of every transform's options; the <c>type</c> key selects the transform.</summary>
public abstract class TransformOptions;
