using Fledge.Local.Store;
using Microsoft.Extensions.Logging;

namespace Fledge.Local.Replicas;

/// <summary>
/// Replica processes a runtime left behind when it was killed (SIGKILL leaves no chance to stop them):
/// found through the store's process table, recognised by the FLEDGE_DATA_DIR in their environment, and ended.
/// </summary>
internal static class Leftovers
{
    public static async Task<int> EndAsync(StateStore store, DataDirectory directory, ILogger logger)
    {
        var ended = new List<int>();
        foreach (var (pod, pid) in store.Processes())
        {
            if (Signals.Exists(pid) && Belongs(pid, directory.Path))
            {
                Signals.Send(pid, Signals.SigTerm);
                ended.Add(pid);
                logger.LogWarning("ending replica {Pod} (pid {Pid}) left running by a previous runtime", pod, pid);
            }

            store.DeleteProcess(pod);
        }

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (ended.Any(Signals.Exists) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        foreach (var pid in ended)
        {
            // The replica's whole process group: what it started goes with it, as on a normal stop.
            Signals.SendGroup(pid, Signals.SigKill);
            if (Signals.Exists(pid))
            {
                Signals.Send(pid, Signals.SigKill);
            }
        }

        return ended.Count;
    }

    /// <summary>True when the process was started by a runtime on this data directory (a reused pid is left alone).</summary>
    private static bool Belongs(int pid, string dataDirectory)
    {
        try
        {
            var environment = File.ReadAllText($"/proc/{pid}/environ");
            return environment.Split('\0').Contains($"FLEDGE_DATA_DIR={dataDirectory}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
