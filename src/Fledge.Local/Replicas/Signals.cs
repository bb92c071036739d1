using System.Runtime.InteropServices;

namespace Fledge.Local.Replicas;

/// <summary>Sends Unix signals; .NET's Process only offers SIGKILL.</summary>
internal static partial class Signals
{
    public const int SigTerm = 15;
    public const int SigKill = 9;

    /// <summary>Sends a signal; false when the process does not exist (any more).</summary>
    public static bool Send(int pid, int signal) => Kill(pid, signal) == 0;

    /// <summary>
    /// Sends a signal to every process of a replica's process group (a replica leads its own, so its id is the
    /// process's); false when the group has no process left.
    /// </summary>
    public static bool SendGroup(int processGroup, int signal) => processGroup > 1 && Kill(-processGroup, signal) == 0;

    /// <summary>True when a process with this pid exists.</summary>
    public static bool Exists(int pid) => Kill(pid, 0) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
