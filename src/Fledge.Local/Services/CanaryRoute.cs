using Fledge.Core.Planning;

namespace Fledge.Local.Services;

/// <summary>
/// How a canary rollout's Services route: the stable Service reaches the stable replica set (and, with a
/// traffic router, <see cref="Weight"/> percent of its requests go to the canary, requests matching a header route
/// all of them, and copies of requests matching a mirror route too); the canary Service reaches only the canary
/// (the stable replica set when no canary is running).
/// </summary>
public sealed record CanaryRoute(
    string Rollout,
    string? StableService,
    string? CanaryService,
    string? StableReplicaSet,
    string? CanaryReplicaSet,
    int Weight,
    bool TrafficRouted)
{
    public ActiveRoutes Routes { get; init; } = ActiveRoutes.None;
}
