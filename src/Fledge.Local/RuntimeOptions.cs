namespace Fledge.Local;

/// <summary>How to run the single-host runtime.</summary>
public sealed record RuntimeOptions(string DataDirectory)
{
    /// <summary>The image table; defaults to images.yaml in the data directory.</summary>
    public string? ImagesFile { get; init; }

    /// <summary>Images known without a table entry (fledge/hello, the demo service); the table can override them.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> BuiltInImages { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>The loopback port of /metrics; 0 picks a free one.</summary>
    public int MetricsPort { get; init; } = 9464;

    /// <summary>A Kubernetes custom/external metrics API; without it, CanaryDeployment Object metrics of Services come from the runtime's own request counts.</summary>
    public Uri? MetricsApi { get; init; }

    /// <summary>How large each replica's log grows and how many of its files are kept (the kubelet's 10 MiB and 5 by default).</summary>
    public Replicas.LogLimits LogLimits { get; init; } = Replicas.LogLimits.Default;

    /// <summary>The most replicas one rollout (or a CanaryDeployment's track) may ask for on this host.</summary>
    public int MaxReplicas { get; init; } = 1000;

    /// <summary>A bearer token for <see cref="MetricsApi"/> (a ServiceAccount token), when it asks for one.</summary>
    public string? MetricsApiToken { get; init; }
}
