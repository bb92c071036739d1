using Fledge.Local.Api;

namespace Fledge.Cli.Commands.Runtime;

/// <summary>How far a rollout is, in the words of `kubectl rollout status`.</summary>
internal sealed record RolloutProgress(string Message, bool Done, bool Failed)
{
    public static RolloutProgress Of(RolloutSummary r)
    {
        var kind = r.Kind.ToLowerInvariant();
        if (r.Canary is { } canary && r.ObservedGeneration >= r.Generation)
        {
            return canary.Phase switch
            {
                "Healthy" => new RolloutProgress($"rollout \"{r.Name}\" successfully rolled out", true, false),
                "Degraded" => new RolloutProgress($"rollout \"{r.Name}\" is degraded: {canary.Message}", true, true),
                "Paused" when canary.Steps == 0 => new RolloutProgress($"Paused: {canary.Message} (fledge rollout promote {r.Name})", false, false),
                "Paused" => new RolloutProgress($"Paused at step {canary.Step}/{canary.Steps} with {canary.Weight}% of traffic on the canary: {canary.Message} (fledge rollout promote {r.Name})", false, false),
                _ => new RolloutProgress($"Waiting for rollout \"{r.Name}\": step {canary.Step}/{canary.Steps}, canary weight {canary.Weight}%{(canary.Message.Length > 0 ? ": " + canary.Message : "")}", false, false),
            };
        }

        if (r.ObservedGeneration < r.Generation)
        {
            return new RolloutProgress($"Waiting for {kind} spec update to be observed...", false, false);
        }

        if (r.Conditions.FirstOrDefault(c => c.Type == "Progressing") is { Reason: "ProgressDeadlineExceeded" })
        {
            return new RolloutProgress($"{kind} \"{r.Name}\" exceeded its progress deadline", true, true);
        }

        if (r.UpdatedReplicas < r.Replicas)
        {
            return new RolloutProgress($"Waiting for {kind} \"{r.Name}\" rollout to finish: {r.UpdatedReplicas} out of {r.Replicas} new replicas have been updated...", false, false);
        }

        if (r.CurrentReplicas > r.UpdatedReplicas)
        {
            return new RolloutProgress($"Waiting for {kind} \"{r.Name}\" rollout to finish: {r.CurrentReplicas - r.UpdatedReplicas} old replicas are pending termination...", false, false);
        }

        if (r.AvailableReplicas < r.UpdatedReplicas)
        {
            return new RolloutProgress($"Waiting for {kind} \"{r.Name}\" rollout to finish: {r.AvailableReplicas} of {r.UpdatedReplicas} updated replicas are available...", false, false);
        }

        return new RolloutProgress($"{kind} \"{r.Name}\" successfully rolled out", true, false);
    }
}
