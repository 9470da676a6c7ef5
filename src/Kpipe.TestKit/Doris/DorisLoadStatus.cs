namespace Kpipe.TestKit.Doris;

/// <summary>The four values of a Stream Load response's Status field.</summary>
public static class DorisLoadStatus
{
    public const string Success = "Success";
    public const string PublishTimeout = "Publish Timeout";
    public const string LabelAlreadyExists = "Label Already Exists";
    public const string Fail = "Fail";
}
