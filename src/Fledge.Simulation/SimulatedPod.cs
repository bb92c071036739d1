namespace Fledge.Simulation;

/// <summary>A simulated replica: when it was created, when it becomes ready (never, when null), and when it is gone.</summary>
internal sealed class SimulatedPod(DateTimeOffset createdAt, DateTimeOffset? readyAt)
{
    public DateTimeOffset CreatedAt { get; } = createdAt;

    public DateTimeOffset? ReadyAt { get; } = readyAt;

    public DateTimeOffset? GoneAt { get; set; }

    public bool IsTerminating => GoneAt is not null;

    public bool IsReady(DateTimeOffset now) => !IsTerminating && ReadyAt <= now;

    /// <summary>Available once ready for minReadySeconds (Kubernetes compares with &lt;=).</summary>
    public bool IsAvailable(DateTimeOffset now, int minReadySeconds) =>
        IsReady(now) && ReadyAt!.Value + TimeSpan.FromSeconds(minReadySeconds) <= now;
}
