namespace Fledge.Local.Services;

/// <summary>A ready replica a Service sends requests to.</summary>
public sealed record ServiceEndpoint(string Replica, string ReplicaSet, string Revision, string Address)
{
    /// <summary>
    /// The canary Service, for a canary endpoint reached through the stable Service: its requests also count
    /// for the canary Service in the built-in analysis metrics, so "request_failure_rate of hello-canary"
    /// sees the canary's share of the stable Service's traffic.
    /// </summary>
    public string? Alias { get; init; }
}
