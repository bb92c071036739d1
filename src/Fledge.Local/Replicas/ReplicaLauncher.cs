namespace Fledge.Local.Replicas;

/// <summary>How replica processes are started: through util-linux's setsid, so each leads its own process group.</summary>
internal static class ReplicaLauncher
{
    /// <summary>The setsid program, or null where the system has none (replicas then share the runtime's group).</summary>
    public static string? Setsid { get; } = new[] { "/usr/bin/setsid", "/bin/setsid" }.FirstOrDefault(File.Exists);
}
