using System.CommandLine;
using Fledge.Cli.Output;
using Fledge.Local.Api;

namespace Fledge.Cli.Commands.Runtime;

/// <summary>`fledge describe rollout NAME`: status, conditions, replica sets, replicas with their problems, recent events.</summary>
internal static class DescribeCommand
{
    public static Command Create(CliContext context, RuntimeTarget runtime)
    {
        var kind = new Argument<string>("kind") { Description = "rollout (or deployment), or canarydeployment" };
        var name = new Argument<string>("name") { Description = "The rollout's name" };
        var command = new Command("describe", "Show a rollout or CanaryDeployment in detail: status, conditions, replica sets or tracks, replicas and recent events") { kind, name };
        command.SetAction(parse => runtime.Run(context, parse, async client =>
        {
            var what = RuntimeKinds.Find(parse.GetValue(kind)!);
            if (what == RuntimeKinds.CanaryDeployments)
            {
                var canary = await client.GetAsync<CanaryDeploymentDetail>($"v1/canarydeployments/{Uri.EscapeDataString(parse.GetValue(name)!)}");
                RenderCanaryDeployment(context, canary, DateTimeOffset.UtcNow);
                return ExitCodes.Success;
            }

            if (what is null)
            {
                return context.Fail(ExitCodes.InvalidInput, [RuntimeKinds.Unknown(parse.GetValue(kind)!, [RuntimeKinds.Rollouts, RuntimeKinds.CanaryDeployments])]);
            }

            if (what != RuntimeKinds.Rollouts)
            {
                return context.Fail(ExitCodes.InvalidInput, [$"describe shows rollouts and canarydeployments; `fledge get {what.Plural} -o yaml` shows {what.Plural} in full"]);
            }

            var detail = await client.GetAsync<RolloutDetail>($"v1/rollouts/{Uri.EscapeDataString(parse.GetValue(name)!)}");
            Render(context, detail, DateTimeOffset.UtcNow);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static void RenderCanaryDeployment(CliContext context, CanaryDeploymentDetail detail, DateTimeOffset now)
    {
        var c = detail.CanaryDeployment;
        var fields = new List<(string Label, string Value)>();
        void Row(string label, string value) => fields.Add((label + ":", value));
        Row("Name", c.Name);
        Row("Kind", "CanaryDeployment");
        Row("Created", $"{c.CreatedAt:u} ({Age.Since(c.CreatedAt, now)} ago)");
        Row("Image", c.Image);
        Row("Phase", c.Message.Length > 0 ? $"{c.Phase}: {c.Message}" : c.Phase);
        Row("Generation", $"{c.Generation} (observed {c.ObservedGeneration})");
        Row("Canary track", $"{c.Canary.Deployment}: {c.Canary.Image ?? "-"}, {c.Canary.Ready}/{c.Canary.Replicas} ready{(c.Canary.RolledOut ? "" : ", rolling out")}");
        Row("Stable track", $"{c.Stable.Deployment}: {c.Stable.Image ?? "-"}, {c.Stable.Ready}/{c.Stable.Replicas} ready{(c.Stable.RolledOut ? "" : ", rolling out")}");
        Row("Last successful", c.LatestSuccessful ?? "-");
        Row("Last failed", c.LatestFailed ?? "-");
        foreach (var metric in c.LatestMetrics)
        {
            Row("Metric", Core.Kanarini.MetricsCheck.Describe(metric));
        }

        WriteFields(context, fields);
        context.Output.WriteLine();
        context.Output.WriteLine("Conditions:");
        Conditions(context, c.Conditions);
        context.Output.WriteLine();
        context.Output.WriteLine("Events:");
        Events(context, detail.Events, now);
    }

    /// <summary>Each analysis metric: measured so far, the latest value and what it was judged by, when the next is due.</summary>
    private static void AnalysisRows(Action<string, string> row, IReadOnlyList<AnalysisSummary> analyses, DateTimeOffset now)
    {
        foreach (var run in analyses)
        {
            foreach (var m in run.Metrics)
            {
                var conditions = string.Join(", ", new[] { m.SuccessCondition is { } ok ? $"success: {ok}" : null, m.FailureCondition is { } bad ? $"failure: {bad}" : null }.OfType<string>());
                var last = m.Last is { } measured ? $"; last {measured.ValueText} {measured.Phase}{(measured.Message.Length > 0 && measured.Phase == "Error" ? $" ({measured.Message})" : "")}" : "";
                var next = m.NextAt is { } at && at > now ? $"; next in {Core.Durations.Format(TimeSpan.FromSeconds(Math.Ceiling((at - now).TotalSeconds)))}" : "";
                row($"Analysis ({run.Kind})", $"{m.Name} ({m.Provider}): {m.Phase}, {m.Taken}{(m.Needed is { } needed ? $"/{needed}" : "")} measured{last}{next}" +
                    (conditions.Length > 0 ? $" [{conditions}]" : ""));
            }
        }
    }

    /// <summary>"Label:   value" lines, the values lined up as kubectl describe lines them up.</summary>
    private static void WriteFields(CliContext context, List<(string Label, string Value)> fields)
    {
        var width = fields.Max(f => f.Label.Length) + 2;
        foreach (var (label, value) in fields)
        {
            context.Output.WriteLine(label.PadRight(width) + value.ReplaceLineEndings(" "));
        }
    }

    private static void Conditions(CliContext context, IEnumerable<ConditionSummary> conditions) =>
        TextTable.Write(context, ["TYPE", "STATUS", "REASON", "MESSAGE"], conditions.Select(c => (IReadOnlyList<string>)[c.Type, c.Status, c.Reason, c.Message]));

    private static void Events(CliContext context, IEnumerable<EventSummary> events, DateTimeOffset now) =>
        TextTable.Write(context, ["TYPE", "REASON", "AGE", "MESSAGE"], events.Select(e => (IReadOnlyList<string>)[e.Type, e.Reason, Age.Since(e.At, now), e.Message]));

    private static void Render(CliContext context, RolloutDetail detail, DateTimeOffset now)
    {
        var r = detail.Rollout;
        var unavailable = Math.Max(0, r.CurrentReplicas - r.AvailableReplicas);
        var fields = new List<(string Label, string Value)>();
        void Row(string label, string value) => fields.Add((label + ":", value));
        Row("Name", r.Name);
        Row("Kind", r.Kind);
        Row("Created", $"{r.CreatedAt:u} ({Age.Since(r.CreatedAt, now)} ago)");
        Row("Selector", detail.Selector);
        Row("Replicas", $"{r.Replicas} desired | {r.UpdatedReplicas} updated | {r.CurrentReplicas} total | {r.AvailableReplicas} available | {unavailable} unavailable");
        Row("StrategyType", r.Strategy);
        Row("MinReadySeconds", detail.MinReadySeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (detail.MaxSurge is not null)
        {
            Row("RollingUpdateStrategy", $"{detail.MaxUnavailable} max unavailable, {detail.MaxSurge} max surge");
        }

        Row("ProgressDeadline", detail.ProgressDeadlineSeconds is { } deadline ? $"{deadline}s" : "none");
        Row("Revision", $"{r.Revision} (generation {r.Generation}, observed {r.ObservedGeneration})");
        Row("Paused", r.Paused ? "yes" : "no");
        if (r.Canary is { } canary)
        {
            Row("Phase", canary.Message.Length > 0 ? $"{canary.Phase}: {canary.Message}" : canary.Phase);
            if (canary.Steps > 0)
            {
                Row("Step", $"{canary.Step}/{canary.Steps}");
            }

            Row("Canary weight", $"{canary.Weight}% ({(canary.TrafficRouted ? "exact, by the Service proxy" : "by replica count")})");
            Row("Stable", canary.StableReplicaSet is { } stable ? $"{stable} (revision {canary.StableRevision})" : "-");
            Row("Canary", canary.CanaryReplicaSet is { } canaryRs ? $"{canaryRs} (revision {canary.CanaryRevision})" : "-");
            AnalysisRows(Row, canary.Analyses, now);
        }

        if (r.BlueGreen is { } blueGreen)
        {
            Row("Phase", blueGreen.Message.Length > 0 ? $"{blueGreen.Phase}: {blueGreen.Message}" : blueGreen.Phase);
            Row("Active", $"{blueGreen.ActiveReplicaSet ?? "-"}{(blueGreen.ActiveRevision is { } active ? $" (revision {active})" : "")}, behind Service {blueGreen.ActiveService}");
            Row("Preview", blueGreen.PreviewReplicaSet is { } preview
                ? $"{preview} (revision {blueGreen.PreviewRevision}){(blueGreen.PreviewService is { } service ? $", behind Service {service}" : "")}"
                : "none");
            Row("Promotion", blueGreen.Promotion);
            if (blueGreen.ScaleDownAt is { } scaleDownAt && blueGreen.PreviousActiveReplicaSet is { } previous)
            {
                var left = scaleDownAt - now;
                Row("Scale down", $"{previous} at {scaleDownAt.UtcDateTime:HH:mm:ss}Z{(left > TimeSpan.Zero ? $" (in {Core.Durations.Format(TimeSpan.FromSeconds(Math.Ceiling(left.TotalSeconds)))})" : "")}");
            }

            AnalysisRows(Row, blueGreen.Analyses, now);
        }

        WriteFields(context, fields);

        context.Output.WriteLine();
        context.Output.WriteLine("Conditions:");
        Conditions(context, r.Conditions);
        context.Output.WriteLine();
        context.Output.WriteLine("Replica sets:");
        TextTable.Write(context, ObjectTables.ReplicaSets(detail.ReplicaSets, now), wide: true);
        context.Output.WriteLine();
        context.Output.WriteLine("Replicas:");
        TextTable.Write(context, ObjectTables.Pods(detail.Pods, now), wide: true);
        context.Output.WriteLine();
        context.Output.WriteLine("Events:");
        Events(context, detail.Events, now);
    }
}
