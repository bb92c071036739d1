using System.Globalization;
using Fledge.Core.Planning;
using Fledge.Core.Rollouts;
using Spectre.Console;

namespace Fledge.Cli.Output;

/// <summary>Renders a plan for people: the replica sets as they are, then each action and its reason.</summary>
internal static class PlanTable
{
    public static void Render(IAnsiConsole console, Rollout rollout, IReadOnlyList<ReplicaSetState> replicaSets, RolloutPlan plan)
    {
        console.MarkupLine($"[bold]{Markup.Escape(rollout.Kind)} \"{Markup.Escape(rollout.Name)}\"[/]: {rollout.Spec.Replicas} desired replicas, generation {rollout.Generation}");
        var current = new Table().Border(TableBorder.Simple)
            .AddColumn("REPLICA SET").AddColumn("REVISION").AddColumn("IMAGE")
            .AddColumn(new TableColumn("DESIRED").RightAligned()).AddColumn(new TableColumn("CURRENT").RightAligned())
            .AddColumn(new TableColumn("READY").RightAligned()).AddColumn(new TableColumn("AVAILABLE").RightAligned());
        foreach (var rs in replicaSets.OrderBy(r => r.Revision))
        {
            current.AddRow(Text(rs.Name), Text(rs.Revision), Text(rs.Template.Image), Text(rs.Replicas), Text(rs.ObservedReplicas),
                Text(rs.ReadyReplicas), Text(rs.AvailableReplicas));
        }

        console.Write(current);
        if (plan.Actions.Length == 0)
        {
            console.MarkupLine("[green]Nothing to do[/]: the rollout is as it should be.");
            return;
        }

        var actions = new Table().Border(TableBorder.Simple).AddColumn("#").AddColumn("ACTION").AddColumn("TARGET").AddColumn("CHANGE").AddColumn("WHY");
        var number = 1;
        foreach (var action in plan.Actions)
        {
            var (target, change) = Describe(action);
            actions.AddRow(Text(number++), Text(ActionView.Of(action).Action), Text(target), Text(change), Text(action.Reason));
        }

        console.Write(actions);
        if (plan.RequeueAfter is { } after)
        {
            console.MarkupLine($"Next check in {after.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)}s (when the progress deadline would pass).");
        }
    }

    private static (string Target, string Change) Describe(PlanAction action) => action switch
    {
        CreateReplicaSet create => (create.ReplicaSet.Name, $"revision {create.ReplicaSet.Revision}, {create.ReplicaSet.Replicas} replicas of {create.ReplicaSet.Template.Image}"),
        ScaleReplicaSet scale => (scale.Name, $"{scale.From} -> {scale.To}"),
        AnnotateReplicaSet annotate => (annotate.Name, $"revision {annotate.Revision}"),
        DeleteReplicaSet delete => (delete.Name, "deleted"),
        SetRolloutRevision revision => ("rollout", $"revision {revision.Revision}"),
        SetTrafficWeight traffic => (traffic.CanaryReplicaSet, $"{traffic.Weight}% of traffic"),
        UpdateRolloutStatus => ("status", ""),
        RecordEvent recorded => ($"event {recorded.Type}", recorded.EventReason),
        _ => ("", ""),
    };

    private static Markup Text(object value) => new(Markup.Escape(Convert.ToString(value, CultureInfo.InvariantCulture) ?? ""));
}
