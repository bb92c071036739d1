namespace Fledge.Cli;

/// <summary>Every exit code the fledge command returns.</summary>
public static class ExitCodes
{
    /// <summary>Done; for simulate, the rollout completed (or ended paused, as asked).</summary>
    public const int Success = 0;

    /// <summary>The rollout failed: its progress deadline passed, or it stalled.</summary>
    public const int RolloutFailed = 1;

    /// <summary>Bad input: a manifest that does not load or validate, or a bad flag. Nothing was changed.</summary>
    public const int InvalidInput = 2;

    /// <summary>The runtime is not running (no control socket), went away in the middle of a call, could not start, or could not store a change (nothing was changed).</summary>
    public const int Unavailable = 3;

    /// <summary>Something failed that fledge did not expect (a bug): the message says what, FLEDGE_DEBUG=1 where.</summary>
    public const int Internal = 70;
}
