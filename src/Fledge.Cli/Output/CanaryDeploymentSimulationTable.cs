using Fledge.Core;
using Fledge.Core.Kanarini;
using Fledge.Simulation;
using Spectre.Console;

namespace Fledge.Cli.Output;

/// <summary>Renders a CanaryDeployment simulation: both tracks over time, the traffic each image gets, and what happened.</summary>
internal static class CanaryDeploymentSimulationTable
{
    public static void Render(IAnsiConsole console, CanaryDeployment cd, CanaryDeploymentSimulationResult result)
    {
        var metrics = cd.Canary.Metrics.Length == 0 ? "no metrics"
            : string.Join(", ", cd.Canary.Metrics.Select(m => $"{m.Display} < {m.Target.ToString(System.Globalization.CultureInfo.InvariantCulture)}"));
        console.MarkupLine(Markup.Escape($"Simulating CanaryDeployment \"{cd.Name}\": canary track {cd.Canary.Replicas} replica(s), stable track {cd.Stable.Replicas}; " +
            $"metrics checked {Durations.Format(cd.Canary.MetricsCheckDelay)} after the canary is ready: {metrics}"));
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn("TIME")
            .AddColumn("TRACK")
            .AddColumn("IMAGE")
            .AddColumn(new TableColumn("READY").RightAligned())
            .AddColumn(new TableColumn("TRAFFIC").RightAligned())
            .AddColumn("PHASE")
            .AddColumn("WHAT HAPPENED");
        foreach (var frame in result.Frames)
        {
            var tracks = frame.Tracks;
            table.AddRow(
                Cell(Durations.Format(TimeSpan.FromSeconds(frame.T))),
                Cell(tracks.Count == 0 ? "-" : string.Join('\n', tracks.Select(t => t.Track))),
                Cell(tracks.Count == 0 ? "-" : string.Join('\n', tracks.Select(t => t.Image))),
                Cell(tracks.Count == 0 ? "-" : string.Join('\n', tracks.Select(t => $"{t.Available}/{t.Replicas}"))),
                Cell(string.Join('\n', frame.Traffic.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key} {t.Value}%"))),
                Cell(frame.Phase),
                Cell(string.Join('\n', frame.Events)));
        }

        console.Write(table);
        var colour = result.Result switch { "Ready" => "green", "Failed" => "yellow", _ => "red" };
        console.MarkupLine($"Result: [{colour}]{result.Result}[/] after {Durations.Format(TimeSpan.FromSeconds(result.DurationSeconds))}");
        var conditions = new Table().Border(TableBorder.Simple).AddColumn("CONDITION").AddColumn("STATUS").AddColumn("REASON").AddColumn("MESSAGE");
        foreach (var condition in result.Conditions)
        {
            conditions.AddRow(Cell(condition.Type), Cell(condition.Status), Cell(condition.Reason), Cell(condition.Message));
        }

        console.Write(conditions);
    }

    private static Markup Cell(string text) => new(Markup.Escape(text));
}
