namespace Fledge.Local.Services;

/// <summary>A ready replica a Service sends requests to.</summary>
public sealed record ServiceEndpoint(string Replica, string ReplicaSet, string Revision, string Address)
{
    /// <summary>
    /// The other Services that reach this replica: its requests count for them too in the built-in analysis
    /// metrics. A Service's request metrics are those of the replicas it reaches, whichever Service a request
    /// came through, so "request_failure_rate of hello-canary" sees the canary's share of the stable Service's
    /// traffic (an Argo canary behind the stable Service, or a Kanarini canary track behind a Service of both tracks).
    /// </summary>
    public IReadOnlyList<string> AlsoFor { get; init; } = [];
}
