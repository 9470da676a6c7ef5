namespace Kpipe.Cli;

/// <summary>Exit codes of the kpipe command, documented in README.md and docs/cli.md (kept in step by hand).</summary>
public static class ExitCodes
{
    /// <summary>Success, including a clean stop on SIGINT/SIGTERM after draining and committing.</summary>
    public const int Ok = 0;
    /// <summary>A pipeline stopped on an error (a sink failed, a record error under the fail policy).</summary>
    public const int PipelineFailed = 1;
    /// <summary>A pipeline file or the command line is invalid; nothing was run.</summary>
    public const int InvalidConfig = 2;
    /// <summary>A second SIGINT/SIGTERM forced an immediate exit; unacknowledged records are read again on restart.</summary>
    public const int Forced = 130;
}
