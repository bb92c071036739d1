namespace Fledge.Core.Rollouts;

/// <summary>Argo's restartAt, in the words each platform records as it replaces the pods created before the time.</summary>
public static class RestartAt
{
    public const string RestartingReason = "RestartingPod";
    public const string RestartedReason = "RestartedPods";

    public static string Restarting(string pod, DateTimeOffset restartAt, int more) =>
        $"Restarting pod {pod}: created before restartAt {Format(restartAt)} ({more} more to go)";

    public static string Restarted(DateTimeOffset restartAt) => $"Rollout restart complete: every pod was created after restartAt {Format(restartAt)}";

    private static string Format(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
}
