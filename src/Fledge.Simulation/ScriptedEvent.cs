using Fledge.Core;
using System.Globalization;
using Fledge.Core.Rollouts;

namespace Fledge.Simulation;

/// <summary>What a scripted event does to the rollout.</summary>
public enum ScriptedAction
{
    Scale,
    Pause,
    Resume,
    Undo,
    Apply,

    /// <summary>End the current canary pause (`rollout promote`).</summary>
    Promote,

    /// <summary>Skip the remaining canary steps (`rollout promote --full`).</summary>
    PromoteFull,

    /// <summary>Send all traffic back to stable and scale the canary down (`rollout abort`).</summary>
    Abort,

    /// <summary>Start an aborted canary's steps again (`rollout retry`).</summary>
    Retry,
}

/// <summary>An event at a time on the simulation clock, written TIME:ACTION (for example 90s:undo or 2m:scale=10).</summary>
public sealed record ScriptedEvent(TimeSpan At, ScriptedAction Action, string Text, long? Number = null, string? File = null)
{
    /// <summary>The rollout an apply event applies, read and validated before the simulation starts.</summary>
    public Rollout? Manifest { get; init; }

    public const string Usage = "expected TIME:ACTION with ACTION one of scale=N, pause, resume, undo, undo=REVISION, apply=FILE, promote, promote-full, abort, retry (for example 90s:undo)";

    /// <summary>Parses TIME:ACTION; the error names what is wrong and the accepted forms.</summary>
    public static bool TryParse(string text, out ScriptedEvent? scripted, out string error)
    {
        scripted = null;
        error = "";
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            error = $"--at \"{text}\": {Usage}";
            return false;
        }

        if (!Durations.TryParse(text[..colon], out var at))
        {
            error = $"--at \"{text}\": \"{text[..colon]}\" is not a duration (write 90s, 1m30s or 500ms)";
            return false;
        }

        var action = text[(colon + 1)..];
        var equals = action.IndexOf('=', StringComparison.Ordinal);
        var verb = equals < 0 ? action : action[..equals];
        var argument = equals < 0 ? null : action[(equals + 1)..];
        scripted = (verb, argument) switch
        {
            ("pause", null) => new ScriptedEvent(at, ScriptedAction.Pause, text),
            ("resume", null) => new ScriptedEvent(at, ScriptedAction.Resume, text),
            ("promote", null) => new ScriptedEvent(at, ScriptedAction.Promote, text),
            ("promote-full", null) => new ScriptedEvent(at, ScriptedAction.PromoteFull, text),
            ("abort", null) => new ScriptedEvent(at, ScriptedAction.Abort, text),
            ("retry", null) => new ScriptedEvent(at, ScriptedAction.Retry, text),
            ("undo", null) => new ScriptedEvent(at, ScriptedAction.Undo, text, 0),
            ("undo", { } revision) when long.TryParse(revision, NumberStyles.None, CultureInfo.InvariantCulture, out var r) && r > 0 =>
                new ScriptedEvent(at, ScriptedAction.Undo, text, r),
            ("scale", { } count) when int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out var n) =>
                new ScriptedEvent(at, ScriptedAction.Scale, text, n),
            ("apply", { Length: > 0 } file) => new ScriptedEvent(at, ScriptedAction.Apply, text, File: file),
            _ => null,
        };
        if (scripted is null)
        {
            error = $"--at \"{text}\": \"{action}\" is not an action; {Usage}";
            return false;
        }

        return true;
    }
}
