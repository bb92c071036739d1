using System.Globalization;
using Fledge.Local.Replicas;
using Fledge.Local.Services;

namespace Fledge.Local.Api;

/// <summary>A column of a table: its header, and 1 when it shows only with `-o wide` (Kubernetes' priority).</summary>
public sealed record TableColumn(string Name, int Priority = 0);

/// <summary>One object's cells, in the order of the columns.</summary>
public sealed record TableRow(IReadOnlyList<string> Cells);

/// <summary>
/// What `get` prints, as Kubernetes' API server prints it (a meta.k8s.io/v1 Table): the columns and each object's
/// cells, made where the objects are, so the `fledge` command only lays them out.
/// </summary>
public sealed record ObjectTable(IReadOnlyList<TableColumn> ColumnDefinitions, IReadOnlyList<TableRow> Rows)
{
    public string Kind => "Table";

    public string ApiVersion => "meta.k8s.io/v1";
}

/// <summary>The tables of each kind, with kubectl's columns (and Fledge's, for -o wide).</summary>
public static class ObjectTables
{
    public static ObjectTable Rollouts(IEnumerable<RolloutSummary> rollouts, DateTimeOffset now) => new(
        Columns(["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"], ["STRATEGY", "REVISION", "PHASE", "STEP", "WEIGHT", "REVISIONS", "IMAGES"]),
        rollouts.Select(r =>
        {
            // Each strategy in its own words: stable and canary, active and preview; steps and weights only for a canary.
            var revisions = r.Canary is { } canary ? $"stable {N(canary.StableRevision ?? 0)}" + (canary.CanaryRevision is { } canaryRevision ? $", canary {N(canaryRevision)}" : "")
                : r.BlueGreen is { } blueGreen ? $"active {N(blueGreen.ActiveRevision ?? 0)}" + (blueGreen.PreviewRevision is { } preview ? $", preview {N(preview)}" : "")
                : "-";
            return Row(r.Name, $"{r.ReadyReplicas}/{r.Replicas}", N(r.UpdatedReplicas), N(r.AvailableReplicas), Age.Since(r.CreatedAt, now),
                r.Strategy, N(r.Revision), r.Canary?.Phase ?? r.BlueGreen?.Phase ?? "-", r.Canary is { Steps: > 0 } c ? $"{c.Step}/{c.Steps}" : "-",
                r.Canary is { } w ? $"{w.Weight}%" : "-", revisions, string.Join(",", r.Images));
        }).ToList());

    public static ObjectTable CanaryDeployments(IEnumerable<CanaryDeploymentSummary> canaries, DateTimeOffset now) => new(
        Columns(["NAME", "PHASE", "CANARY", "STABLE", "IMAGE", "AGE"], ["CANARY-IMAGE", "STABLE-IMAGE", "LAST-GOOD", "MESSAGE"]),
        canaries.Select(c => Row(c.Name, c.Phase, $"{c.Canary.Ready}/{c.Canary.Replicas}", $"{c.Stable.Ready}/{c.Stable.Replicas}", c.Image,
            Age.Since(c.CreatedAt, now), c.Canary.Image ?? "-", c.Stable.Image ?? "-", c.LatestSuccessful ?? "-", c.Message)).ToList());

    public static ObjectTable ReplicaSets(IEnumerable<ReplicaSetSummary> sets, DateTimeOffset now) => new(
        Columns(["NAME", "DESIRED", "CURRENT", "READY", "AGE"], ["REVISION", "IMAGE", "ROLLOUT"]),
        sets.Select(rs => Row(rs.Name, N(rs.Desired), N(rs.Current), N(rs.Ready), Age.Since(rs.CreatedAt, now), N(rs.Revision), rs.Image, rs.Rollout)).ToList());

    public static ObjectTable Pods(IEnumerable<ReplicaView> pods, DateTimeOffset now) => new(
        Columns(["NAME", "READY", "STATUS", "RESTARTS", "AGE"], ["PORT", "PID", "REVISION", "MESSAGE"]),
        pods.Select(p => Row(p.Name, p.Ready ? "1/1" : "0/1", p.Phase.ToString(), N(p.RestartCount), Age.Since(p.CreatedAt, now),
            N(p.Port), p.Pid is { } pid ? N(pid) : "-", N(p.Revision),
            string.Join("; ", new[] { p.Message, p.LogProblem is { } log ? $"log ({p.LogProblems}x): {log}" : null }.OfType<string>()))).ToList());

    public static ObjectTable Services(IEnumerable<ServiceView> services, DateTimeOffset now) => new(
        Columns(["NAME", "PORT(S)", "SELECTOR", "ENDPOINTS", "AGE", "PROBLEM"], []),
        services.Select(s => Row(
            s.Name,
            string.Join(",", s.Ports.Select(p => $"127.0.0.1:{p}")),
            string.Join(",", s.Selector.Select(l => $"{l.Key}={l.Value}")),
            s.Endpoints.Count == 0 ? "<none>"
                : string.Join(",", s.Endpoints.Take(3).Select(e => e.Address.Replace("http://", "", StringComparison.Ordinal).TrimEnd('/')))
                    + (s.Endpoints.Count > 3 ? $" + {s.Endpoints.Count - 3} more..." : ""),
            Age.Since(s.CreatedAt, now),
            s.Problem ?? "")).ToList());

    public static ObjectTable AnalysisTemplates(IEnumerable<(Core.Analysis.AnalysisTemplate Template, DateTimeOffset CreatedAt)> templates, DateTimeOffset now) => new(
        Columns(["NAME", "METRICS", "PROVIDERS", "AGE"], []),
        templates.Select(t => Row(t.Template.Name, string.Join(",", t.Template.Metrics.Select(m => m.Name)),
            string.Join(",", t.Template.Metrics.Select(m => m.ProviderKind).Distinct()), Age.Since(t.CreatedAt, now))).ToList());

    /// <summary>kubectl's event table: LAST SEEN, TYPE, REASON, OBJECT, MESSAGE.</summary>
    public static ObjectTable Events(IEnumerable<(string Kind, string Name, Store.StoredEvent Event)> events, DateTimeOffset now) => new(
        Columns(["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"], []),
        events.Select(e => Row(Age.Since(e.Event.At, now), e.Event.Type, e.Event.Reason, $"{e.Kind.ToLowerInvariant()}/{e.Name}", e.Event.Message)).ToList());

    /// <summary>History: REVISION, CHANGE-CAUSE, IMAGE.</summary>
    public static ObjectTable History(IEnumerable<HistoryEntry> entries) => new(
        Columns(["REVISION", "CHANGE-CAUSE", "IMAGE"], []),
        entries.Select(e => Row(N(e.Revision), e.ChangeCause ?? "<none>", e.Image)).ToList());

    private static List<TableColumn> Columns(string[] always, string[] wide) =>
        [.. always.Select(c => new TableColumn(c)), .. wide.Select(c => new TableColumn(c, Priority: 1))];

    private static TableRow Row(params string[] cells) => new(cells);

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);
}
