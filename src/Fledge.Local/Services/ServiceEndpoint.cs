namespace Fledge.Local.Services;

/// <summary>A ready replica a Service sends requests to.</summary>
public sealed record ServiceEndpoint(string Replica, string ReplicaSet, string Revision, string Address);
