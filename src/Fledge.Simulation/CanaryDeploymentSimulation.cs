using Fledge.Core.Kanarini;

namespace Fledge.Simulation;

/// <summary>What to simulate of a Kanarini CanaryDeployment: the first version, later versions applied once it settles.</summary>
public sealed record CanaryDeploymentSimulationOptions(CanaryDeployment Initial, IReadOnlyList<CanaryDeployment> Updates)
{
    /// <summary>How long after creation a replica becomes ready.</summary>
    public TimeSpan ReadyAfter { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a replica takes to terminate once it is scaled away.</summary>
    public TimeSpan TerminateAfter { get; init; } = TimeSpan.Zero;

    /// <summary>Images whose replicas never become ready.</summary>
    public IReadOnlySet<string> NeverReadyImages { get; init; } = new HashSet<string>();

    /// <summary>Simulated metric values: (metric name, canary image) to the value the check reads.</summary>
    public IReadOnlyDictionary<(string Metric, string Image), double> MetricValues { get; init; } = new Dictionary<(string, string), double>();

    /// <summary>The simulation stops here even when a check can never be taken.</summary>
    public TimeSpan MaxDuration { get; init; } = TimeSpan.FromHours(24);
}

/// <summary>One track's Deployment in a frame: the image it runs, its replicas ready and available.</summary>
public sealed record TrackFrame(string Track, string Deployment, string Image, int Replicas, int Ready, int Available);

/// <summary>
/// The state after a change: both tracks, the share of requests each image gets through a Service of both
/// tracks (by available replicas), the CanaryDeployment's phase, and the events that led to it.
/// </summary>
public sealed record CanaryDeploymentFrame(double T, IReadOnlyList<TrackFrame> Tracks, IReadOnlyDictionary<string, int> Traffic, string Phase, IReadOnlyList<string> Events);

/// <summary>When a version was applied, and its image.</summary>
public sealed record AppliedTemplate(double T, string Image, string TemplateHash);

/// <summary>How a CanaryDeployment simulation ended: Ready, Failed (the canary went back), or Stalled.</summary>
public sealed record CanaryDeploymentSimulationResult(
    string Result,
    double DurationSeconds,
    IReadOnlyList<AppliedTemplate> Applies,
    IReadOnlyList<CanaryDeploymentFrame> Frames,
    IReadOnlyList<ConditionRow> Conditions);
