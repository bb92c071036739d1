using System.Globalization;
using Fledge.Local.Store;
using Microsoft.Extensions.Logging;

namespace Fledge.Local.Replicas;

/// <summary>
/// Replica processes a runtime left behind when it was killed (SIGKILL leaves it no chance to stop them). The store's
/// process table says which they were (pid and start time, replica set, port): the next runtime adopts those its
/// replica sets still want. /proc finds the others of this data directory (recognised by the FLEDGE_DATA_DIR in their
/// environment): a replica started a moment before the kill, before it was recorded, or one no longer wanted. Those
/// are ended, with everything in their process groups.
/// </summary>
internal static class Leftovers
{
    /// <summary>The recorded processes still running as recorded, and the pids of this data directory's other replica processes.</summary>
    public static (IReadOnlyList<StoredProcess> Alive, IReadOnlyList<int> Strays) Find(StateStore store, DataDirectory directory)
    {
        var marked = ReplicaProcesses(directory.Path);
        var alive = store.Processes()
            .Where(p => p.StartTicks != 0 && marked.Contains(p.Pid) && ReplicaProcess.StartTicksOf(p.Pid) == p.StartTicks)
            .ToList();
        var recorded = alive.Select(p => p.Pid).ToHashSet();
        return (alive, marked.Where(pid => !recorded.Contains(pid)).ToList());
    }

    /// <summary>
    /// Ends processes and their groups: SIGTERM, ten seconds, then SIGKILL. Members of the groups in
    /// <paramref name="keepGroups"/> (adopted replicas and what they started) are left alone.
    /// </summary>
    public static async Task<int> EndAsync(IEnumerable<int> pids, IReadOnlySet<int> keepGroups, ILogger logger)
    {
        var ending = pids.Where(pid => ProcessGroupOf(pid) is not { } group || !keepGroups.Contains(group)).Distinct().ToList();
        foreach (var pid in ending)
        {
            logger.LogWarning("ending process {Pid}, left running by a previous runtime and no longer wanted", pid);
            Signals.Send(pid, Signals.SigTerm);
        }

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (ending.Any(Signals.Exists) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        foreach (var pid in ending)
        {
            // What it started goes with it, as on a normal stop.
            Signals.SendGroup(pid, Signals.SigKill);
            if (Signals.Exists(pid))
            {
                Signals.Send(pid, Signals.SigKill);
            }
        }

        return ending.Count;
    }

    /// <summary>The process group a process belongs to (/proc/PID/stat, field 5), or null when it is gone.</summary>
    private static int? ProcessGroupOf(int pid) => Ids(pid)?.Group;

    /// <summary>A process's group and session (/proc/PID/stat, fields 5 and 6), or null when it is gone.</summary>
    private static (int Group, int Session)? Ids(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (int.Parse(fields[2], CultureInfo.InvariantCulture), int.Parse(fields[3], CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>
    /// Every process of a replica of this data directory: its environment holds FLEDGE_DATA_DIR=path, and it belongs to
    /// the session of a replica (each replica leads a session of its own). The session rule matters: FLEDGE_DATA_DIR is
    /// also how people point the `fledge` command at a runtime, so a shell that exported it is not a replica.
    /// </summary>
    private static HashSet<int> ReplicaProcesses(string dataDirectory)
    {
        var marker = $"FLEDGE_DATA_DIR={dataDirectory}";
        var marked = new Dictionary<int, (int Group, int Session)>();
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                if (File.ReadAllText(Path.Combine(entry, "environ")).Split('\0').Contains(marker) && Ids(pid) is { } ids)
                {
                    marked[pid] = ids;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone since, or not ours to read (another user's: not ours to end either).
            }
        }

        return marked.Where(p => marked.TryGetValue(p.Value.Session, out var leader) && leader.Session == p.Value.Session)
            .Select(p => p.Key)
            .ToHashSet();
    }
}
