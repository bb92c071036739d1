namespace Fledge.Simulation;

/// <summary>How a simulation ended.</summary>
public enum SimulationOutcome
{
    /// <summary>Every desired replica runs the newest revision and is available.</summary>
    Complete,

    /// <summary>The rollout is paused and nothing else is scheduled.</summary>
    Paused,

    /// <summary>The rollout made no progress for progressDeadlineSeconds.</summary>
    ProgressDeadlineExceeded,

    /// <summary>The canary was aborted: traffic is back on the stable revision and the canary scaled down.</summary>
    Aborted,

    /// <summary>Nothing can happen any more (no deadline, replicas that never become ready), or the time limit passed.</summary>
    Stalled,
}

/// <summary>One replica set in a frame.</summary>
public sealed record FrameReplicaSet(long Revision, string Name, string Image, int Replicas, int Ready, int Available, int Terminating);

/// <summary>
/// The state after a change: replica sets, the share of traffic each revision gets (by exact weights with a
/// traffic router, else by ready replicas), the rollout's phase, and the events that led to it.
/// </summary>
public sealed record Frame(double T, IReadOnlyList<FrameReplicaSet> ReplicaSets, IReadOnlyList<string> Events)
{
    /// <summary>Revision (as text) to percent of requests.</summary>
    public IReadOnlyDictionary<string, int> Traffic { get; init; } = new Dictionary<string, int>();

    public string Phase { get; init; } = "";

    public int TotalPods => ReplicaSets.Sum(rs => rs.Replicas + rs.Terminating);

    public int TotalAvailable => ReplicaSets.Sum(rs => rs.Available);
}

/// <summary>When a version was applied and the revision it became.</summary>
public sealed record AppliedVersion(double T, long Revision, string Image, string Source);

/// <summary>One row of the history at the end.</summary>
public sealed record HistoryRow(long Revision, string? ChangeCause, string Image);

/// <summary>A condition at the end.</summary>
public sealed record ConditionRow(string Type, string Status, string Reason, string Message);

/// <summary>The whole timeline of a simulation.</summary>
public sealed record SimulationResult(
    SimulationOutcome Result,
    double DurationSeconds,
    IReadOnlyList<AppliedVersion> Applies,
    IReadOnlyList<Frame> Frames,
    IReadOnlyList<HistoryRow> History,
    IReadOnlyList<ConditionRow> Conditions);
