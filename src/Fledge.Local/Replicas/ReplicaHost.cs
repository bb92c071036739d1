using Fledge.Local.Images;
using Fledge.Local.Store;
using Microsoft.Extensions.Logging;

namespace Fledge.Local.Replicas;

/// <summary>What replicas share: where they write, how images resolve, the clock, and whom to tell when one changes.</summary>
internal sealed record ReplicaHost(
    DataDirectory Directory,
    StateStore Store,
    ImageTableFile Images,
    TimeProvider Time,
    ILogger Logger,
    Action<ReplicaView> Changed)
{
    /// <summary>The replicas' cgroups, where the system allows them.</summary>
    public required ReplicaCgroups Cgroups { get; init; }
}
