using System.Globalization;
using Fledge.Local.Api;

namespace Fledge.Cli.Commands.Runtime;

/// <summary>
/// How far a rollout is, in the words of `kubectl rollout status`, and always what it waits for: a pause until
/// someone promotes it, the next analysis measurement and the latest one, replicas that cannot start.
/// <see cref="Key"/> is the message without its countdowns, so a follower prints a new line only when something
/// other than the clock changed.
/// </summary>
internal sealed record RolloutProgress(string Message, bool Done, bool Failed)
{
    public string Key { get; init; } = Message;

    public static RolloutProgress Of(RolloutSummary r, DateTimeOffset now)
    {
        var kind = r.Kind.ToLowerInvariant();
        if (r.ObservedGeneration < r.Generation)
        {
            return new RolloutProgress($"Waiting for {kind} spec update to be observed...", false, false);
        }

        if (r.Canary is { } canary)
        {
            return Strategy(r, canary, now);
        }

        if (r.BlueGreen is { } blueGreen)
        {
            return BlueGreen(r, blueGreen, now);
        }

        if (r.Conditions.FirstOrDefault(c => c.Type == "Progressing") is { Reason: "ProgressDeadlineExceeded" })
        {
            return new RolloutProgress($"{kind} \"{r.Name}\" exceeded its progress deadline", true, true);
        }

        var waiting = r.UpdatedReplicas < r.Replicas
            ? $"{r.UpdatedReplicas} out of {r.Replicas} new replicas have been updated..."
            : r.CurrentReplicas > r.UpdatedReplicas ? $"{r.CurrentReplicas - r.UpdatedReplicas} old replicas are pending termination..."
            : r.AvailableReplicas < r.UpdatedReplicas ? $"{r.AvailableReplicas} of {r.UpdatedReplicas} updated replicas are available..."
            : null;
        return waiting is null
            ? new RolloutProgress($"{kind} \"{r.Name}\" successfully rolled out", true, false)
            : Waiting($"Waiting for {kind} \"{r.Name}\" rollout to finish: {waiting}", r, null);
    }

    /// <summary>A canary: the phase its planner keeps, where it is in its steps, the analysis and the replicas' problems.</summary>
    private static RolloutProgress Strategy(RolloutSummary r, CanarySummary canary, DateTimeOffset now)
    {
        var where = canary.CanaryReplicaSet is null ? "" : $" (step {canary.Step}/{canary.Steps}, {canary.Weight}% of traffic on the canary)";
        return Phased(r, canary.Phase, canary.Message, where, canary.Analyses, now);
    }

    /// <summary>Blue-green in its own words: the active and preview revisions, and what the promotion waits for.</summary>
    private static RolloutProgress BlueGreen(RolloutSummary r, BlueGreenSummary blueGreen, DateTimeOffset now)
    {
        var where = blueGreen.PreviewRevision is { } preview ? $" (revision {blueGreen.ActiveRevision} active, {preview} in preview)" : "";
        var message = blueGreen.Phase == "Paused" && blueGreen.AutoPromoteAt is { } at && at > now
            ? $"BlueGreenPause: promoting automatically in {Math.Ceiling((at - now).TotalSeconds).ToString(CultureInfo.InvariantCulture)}s"
            : blueGreen.Message;
        var progress = Phased(r, blueGreen.Phase, message, where, blueGreen.Analyses, now);
        return message == blueGreen.Message ? progress : progress with { Key = progress.Key.Replace(message, "BlueGreenPause: promoting automatically", StringComparison.Ordinal) };
    }

    private static RolloutProgress Phased(RolloutSummary r, string phase, string message, string where, IReadOnlyList<AnalysisSummary> analyses, DateTimeOffset now)
    {
        var (analysis, analysisKey) = Analysis(analyses, now);
        switch (phase)
        {
            case "Healthy":
                return new RolloutProgress($"rollout \"{r.Name}\" successfully rolled out", true, false);
            case "Degraded":
                return new RolloutProgress($"rollout \"{r.Name}\" is degraded: {message}", true, true);
            case "Paused":
                return new RolloutProgress($"Paused{where}: {message}{analysis}; to go on: fledge rollout promote {r.Name}", false, false)
                {
                    Key = $"Paused{where}: {message}{analysisKey}",
                };
            default:
                var detail = analysis.Length > 0 ? analysis.TrimStart(';', ' ') : message;
                var detailKey = analysis.Length > 0 ? analysisKey.TrimStart(';', ' ') : message;
                return Waiting($"Waiting for rollout \"{r.Name}\"{where}: {detail}", r, $"Waiting for rollout \"{r.Name}\"{where}: {detailKey}");
        }
    }

    /// <summary>A waiting line, with the first reason replicas are not ready (an image with no command, a crash loop) when there is one.</summary>
    private static RolloutProgress Waiting(string message, RolloutSummary r, string? key)
    {
        var problems = r.Problems.Count == 0 ? "" : $"; {r.Problems[0]}{(r.Problems.Count > 1 ? $" (and {r.Problems.Count - 1} more problems: fledge describe rollout {r.Name})" : "")}";
        return new RolloutProgress(message + problems, false, false) { Key = (key ?? message) + problems };
    }

    /// <summary>"; analysis (step 2): error-rate 1/3 measured, last 0.02 Successful; next measurement in 8s", and the same without the countdown.</summary>
    private static (string Text, string Key) Analysis(IReadOnlyList<AnalysisSummary> analyses, DateTimeOffset now)
    {
        var text = new List<string>();
        var key = new List<string>();
        foreach (var run in analyses.Where(a => a.Phase == "Running"))
        {
            foreach (var metric in run.Metrics.Where(m => m.Phase == "Running"))
            {
                var taken = metric.Needed is { } needed ? $"{metric.Taken}/{needed} measured" : $"{metric.Taken} measured";
                var last = metric.Last switch
                {
                    null => "",
                    { Phase: "Error" } error => $", last could not be taken ({metric.ConsecutiveErrors} of {metric.ConsecutiveErrorLimit} errors in a row allowed): {error.Message}",
                    { } measured => $", last {measured.ValueText} {measured.Phase}",
                };
                var line = $"analysis ({run.Kind}): {metric.Name} {taken}{last}";
                key.Add(line);
                var next = metric.NextAt is not { } at ? ""
                    : at <= now ? "; measuring now"
                    : $"; {(metric.Last is null ? "first" : "next")} measurement in {Math.Ceiling((at - now).TotalSeconds).ToString(CultureInfo.InvariantCulture)}s";
                text.Add(line + next);
            }
        }

        return text.Count == 0 ? ("", "") : ("; " + string.Join("; ", text), "; " + string.Join("; ", key));
    }
}
