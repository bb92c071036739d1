using System.Collections.Immutable;
using Fledge.Core.Rollouts;

namespace Fledge.Core.Planning;

/// <summary>The header and mirror routes a running canary has: every setHeaderRoute and setMirrorRoute passed so far.</summary>
public sealed record ActiveRoutes(ImmutableArray<SetHeaderRouteStep> Headers, ImmutableArray<SetMirrorRouteStep> Mirrors)
{
    public static ActiveRoutes None { get; } = new([], []);

    public bool IsEmpty => Headers.IsEmpty && Mirrors.IsEmpty;
}

/// <summary>
/// Argo's managed routes on the steps: a setHeaderRoute or setMirrorRoute step sets its route once the canary has passed it,
/// a later step of the same name replaces it (with no match, removes it), and every route ends when the canary is aborted
/// or promoted. A route named first in the steps takes precedence.
/// </summary>
public static class CanaryRoutes
{
    public static ActiveRoutes Active(CanaryStrategy canary, CanaryStatus? status)
    {
        if (!canary.TrafficRouted || status is not { CanaryReplicaSet: not null, Aborted: false } || status.CurrentStepIndex >= canary.Steps.Length)
        {
            return ActiveRoutes.None;
        }

        var headers = new Dictionary<string, SetHeaderRouteStep>(StringComparer.Ordinal);
        var mirrors = new Dictionary<string, SetMirrorRouteStep>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var step in canary.Steps.Take(status.CurrentStepIndex))
        {
            switch (step)
            {
                case SetHeaderRouteStep header:
                    headers[header.Name] = header;
                    Remember(order, header.Name);
                    break;
                case SetMirrorRouteStep mirror:
                    mirrors[mirror.Name] = mirror;
                    Remember(order, mirror.Name);
                    break;
            }
        }

        return new ActiveRoutes(
            [.. order.Where(headers.ContainsKey).Select(n => headers[n]).Where(h => !h.Match.IsEmpty)],
            [.. order.Where(mirrors.ContainsKey).Select(n => mirrors[n]).Where(m => !m.Match.IsEmpty && m.Percentage > 0)]);
    }

    private static void Remember(List<string> order, string name)
    {
        if (!order.Contains(name))
        {
            order.Add(name);
        }
    }
}
