namespace Fledge.Local.Api;

/// <summary>One kind of object the runtime serves, with the names kubectl users type for it.</summary>
public sealed record RuntimeKind(string Plural, string Kind, IReadOnlyList<string> Aliases)
{
    public IEnumerable<string> Names => [Plural, .. Aliases];
}

/// <summary>The kinds `get`, `describe` and `delete` take, and "did you mean" for the ones people mistype.</summary>
public static class RuntimeKinds
{
    public static RuntimeKind Rollouts { get; } = new("rollouts", "Rollout", ["rollout", "ro", "deployments", "deployment", "deploy"]);

    public static RuntimeKind CanaryDeployments { get; } = new("canarydeployments", "CanaryDeployment", ["canarydeployment", "cd", "canary"]);

    public static RuntimeKind AnalysisTemplates { get; } = new("analysistemplates", "AnalysisTemplate", ["analysistemplate", "at"]);

    public static RuntimeKind ReplicaSets { get; } = new("replicasets", "ReplicaSet", ["replicaset", "rs"]);

    public static RuntimeKind Pods { get; } = new("pods", "Pod", ["pod", "po"]);

    public static RuntimeKind Services { get; } = new("services", "Service", ["service", "svc"]);

    public static RuntimeKind Events { get; } = new("events", "Event", ["event", "ev"]);

    public static IReadOnlyList<RuntimeKind> All { get; } = [Rollouts, CanaryDeployments, AnalysisTemplates, ReplicaSets, Pods, Services, Events];

    public static RuntimeKind? Find(string name)
    {
        var lower = name.ToLowerInvariant();
        return All.FirstOrDefault(k => k.Names.Contains(lower));
    }

    /// <summary>kubectl's words for a kind it does not know, with the nearest known name and the list.</summary>
    public static string Unknown(string name, IEnumerable<RuntimeKind>? among = null)
    {
        var kinds = (among ?? All).ToList();
        var nearest = Core.Suggestions.Nearest(kinds.SelectMany(k => k.Names), name) is { } close ? kinds.First(k => k.Names.Contains(close)).Plural : null;
        return $"the server doesn't have a resource type \"{name}\"{(nearest is null ? "" : $"; did you mean \"{nearest}\"?")} " +
            $"(use {string.Join(", ", kinds.Select(k => k.Plural))})";
    }
}
