using Fledge.Core;
using System.Globalization;
using Fledge.Core.Rollouts;
using Fledge.Simulation;
using Spectre.Console;

namespace Fledge.Cli.Output;

/// <summary>Renders a simulation as a timeline a person can read.</summary>
internal static class SimulationTable
{
    public static void Render(IAnsiConsole console, Rollout rollout, SimulationResult result)
    {
        console.MarkupLine($"Simulating [bold]{Markup.Escape(rollout.Kind)} \"{Markup.Escape(rollout.Name)}\"[/]: {Markup.Escape(Describe(rollout.Spec))}");
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn("TIME")
            .AddColumn("REVISION")
            .AddColumn("IMAGE")
            .AddColumn(new TableColumn("PODS").RightAligned())
            .AddColumn(new TableColumn("READY").RightAligned())
            .AddColumn(new TableColumn("AVAILABLE").RightAligned())
            .AddColumn(new TableColumn("TRAFFIC").RightAligned())
            .AddColumn("PHASE")
            .AddColumn("WHAT HAPPENED");
        foreach (var frame in result.Frames)
        {
            var sets = frame.ReplicaSets;
            table.AddRow(
                Cell(Durations.Format(TimeSpan.FromSeconds(frame.T))),
                Cell(Lines(sets, rs => rs.Revision.ToString(CultureInfo.InvariantCulture))),
                Cell(Lines(sets, rs => rs.Image)),
                Cell(Lines(sets, rs => rs.Terminating > 0 ? $"{rs.Replicas} (+{rs.Terminating} terminating)" : rs.Replicas.ToString(CultureInfo.InvariantCulture))),
                Cell(Lines(sets, rs => rs.Ready.ToString(CultureInfo.InvariantCulture))),
                Cell(Lines(sets, rs => rs.Available.ToString(CultureInfo.InvariantCulture))),
                Cell(Lines(sets, rs => frame.Traffic.TryGetValue(rs.Revision.ToString(CultureInfo.InvariantCulture), out var share) ? $"{share}%" : "0%")),
                Cell(frame.Phase),
                Cell(string.Join('\n', frame.Events)));
        }

        console.Write(table);
        var colour = result.Result switch
        {
            SimulationOutcome.Complete => "green",
            SimulationOutcome.Paused => "yellow",
            SimulationOutcome.Aborted => "yellow",
            _ => "red",
        };
        console.MarkupLine($"Result: [{colour}]{result.Result}[/] after {Durations.Format(TimeSpan.FromSeconds(result.DurationSeconds))}");
        console.WriteLine();

        var history = new Table().Border(TableBorder.Simple).AddColumn("REVISION").AddColumn("IMAGE").AddColumn("CHANGE-CAUSE");
        foreach (var row in result.History)
        {
            history.AddRow(Cell(row.Revision.ToString(CultureInfo.InvariantCulture)), Cell(row.Image), Cell(row.ChangeCause ?? "<none>"));
        }

        console.Write(history);
        var conditions = new Table().Border(TableBorder.Simple).AddColumn("CONDITION").AddColumn("STATUS").AddColumn("REASON").AddColumn("MESSAGE");
        foreach (var condition in result.Conditions)
        {
            conditions.AddRow(Cell(condition.Type), Cell(condition.Status), Cell(condition.Reason), Cell(condition.Message));
        }

        console.Write(conditions);
    }

    private static string Describe(RolloutSpec spec)
    {
        var strategy = spec.Strategy switch
        {
            { Type: StrategyType.Recreate } => "Recreate",
            { BlueGreen: { } blueGreen } => $"BlueGreen (active Service {blueGreen.ActiveService}{(blueGreen.PreviewService is { } preview ? $", preview {preview}" : "")}; " +
                $"{(blueGreen.AutoPromotionEnabled ? blueGreen.AutoPromotionSeconds is { } s ? $"promotes after {s}s" : "promotes when ready" : "promotes when asked")}; scale-down delay {blueGreen.ScaleDownDelaySeconds}s)",
            { Canary: { } canary } => $"Canary ({canary.Steps.Length} steps: {string.Join(", ", canary.Steps.Select(s => s.Describe()))}; {(canary.TrafficRouted ? "exact traffic weights" : "weights by replica count")})",
            _ => $"RollingUpdate (maxSurge {spec.Strategy.MaxSurge}, maxUnavailable {spec.Strategy.MaxUnavailable})",
        };
        var deadline = spec.ProgressDeadlineSeconds is { } seconds ? $"{seconds}s" : "none";
        return $"{spec.Replicas} replicas, {strategy}, minReadySeconds {spec.MinReadySeconds}, progress deadline {deadline}";
    }

    private static string Lines(IReadOnlyList<FrameReplicaSet> sets, Func<FrameReplicaSet, string> value) =>
        sets.Count == 0 ? "-" : string.Join('\n', sets.Select(value));

    private static Markup Cell(string text) => new(Markup.Escape(text));
}
