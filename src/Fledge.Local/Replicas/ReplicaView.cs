namespace Fledge.Local.Replicas;

/// <summary>A replica as observed at one moment: for `get pods`, Service endpoints and rollout status.</summary>
public sealed record ReplicaView(
    string Name,
    string Rollout,
    string ReplicaSet,
    long Revision,
    string Image,
    IReadOnlyDictionary<string, string> Labels,
    int Port,
    ReplicaPhase Phase,
    bool Ready,
    DateTimeOffset? ReadySince,
    int RestartCount,
    string? Message,
    DateTimeOffset CreatedAt,
    int? Pid)
{
    /// <summary>How often its log could not be kept within its limits (a full disk), and why the last time.</summary>
    public int LogProblems { get; init; }

    public string? LogProblem { get; init; }

    public bool IsAvailable(DateTimeOffset now, int minReadySeconds) =>
        Ready && ReadySince is { } since && since + TimeSpan.FromSeconds(minReadySeconds) <= now;

    /// <summary>Serves traffic: ready and not being stopped.</summary>
    public bool IsEndpoint => Ready && Phase == ReplicaPhase.Running;
}
