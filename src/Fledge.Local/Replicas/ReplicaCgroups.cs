using System.Security.Cryptography;
using System.Text;

namespace Fledge.Local.Replicas;

/// <summary>
/// A cgroup (v2) per replica, where the system lets the runtime make them: every process a replica starts stays in
/// it, even one that leaves its process group (a daemon that calls setsid), so that a replica's end takes all of its
/// processes with it, as a container's does. Kept under fledge/DATA-DIR-HASH/POD, so they outlive a runtime that is
/// killed and the next one finds them. Where there are no writable cgroups, process groups do the same for everything
/// but daemons.
/// </summary>
internal sealed class ReplicaCgroups
{
    private readonly string? _root;
    private readonly string? _mount;

    public ReplicaCgroups(string dataDirectory)
    {
        if (Hierarchy() is not { } mount)
        {
            return;
        }

        _mount = mount;
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(dataDirectory)))[..12];
        var root = Path.Combine(mount, "fledge", hash);
        try
        {
            Directory.CreateDirectory(root);
            _root = root;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not ours to make (not root, or a read-only hierarchy): process groups it is.
        }
    }

    public bool Available => _root is not null;

    private static readonly Lock Spawning = new();

    /// <summary>
    /// Starts a replica's process inside its cgroup from its first instruction: the runtime steps into the cgroup, starts
    /// the process (a child is born in its parent's cgroup), and steps back. Moving the process in afterwards would race
    /// with it: a shell can start a daemon before it is moved. Without cgroups, it simply starts the process.
    /// </summary>
    public T Start<T>(string pod, Func<T> start)
    {
        if (_root is null)
        {
            return start();
        }

        lock (Spawning)
        {
            var own = OwnGroup();
            var moved = false;
            try
            {
                var group = Path.Combine(_root, pod);
                Directory.CreateDirectory(group);
                File.WriteAllText(Path.Combine(group, "cgroup.procs"), Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
                moved = true;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Not this time: the process group still holds what it starts, daemons apart.
            }

            try
            {
                return start();
            }
            finally
            {
                if (moved && own is not null)
                {
                    File.WriteAllText(Path.Combine(own, "cgroup.procs"), Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        }
    }

    /// <summary>The cgroup the runtime itself is in ("0::/path" in /proc/self/cgroup), as a directory.</summary>
    private string? OwnGroup()
    {
        var relative = File.ReadLines("/proc/self/cgroup").FirstOrDefault(l => l.StartsWith("0::", StringComparison.Ordinal))?[3..];
        return relative is null ? null : Path.Combine(_mount!, relative.TrimStart('/'));
    }

    /// <summary>SIGKILLs every process left in a replica's cgroup and removes it.</summary>
    public void KillAll(string pod)
    {
        if (_root is not null)
        {
            KillGroup(Path.Combine(_root, pod));
        }
    }

    /// <summary>The replicas that have a cgroup (an earlier runtime's included).</summary>
    public IReadOnlyList<string> Pods() =>
        _root is null ? [] : [.. Directory.EnumerateDirectories(_root).Select(Path.GetFileName).OfType<string>()];

    private static void KillGroup(string group)
    {
        try
        {
            if (!Directory.Exists(group))
            {
                return;
            }

            var kill = Path.Combine(group, "cgroup.kill");
            if (File.Exists(kill))
            {
                File.WriteAllText(kill, "1");
            }
            else
            {
                foreach (var line in File.ReadAllLines(Path.Combine(group, "cgroup.procs")))
                {
                    Signals.Send(int.Parse(line, System.Globalization.CultureInfo.InvariantCulture), Signals.SigKill);
                }
            }

            // Emptied a moment after the signals land; a cgroup with processes cannot be removed.
            for (var attempt = 0; attempt < 50; attempt++)
            {
                if (File.ReadAllText(Path.Combine(group, "cgroup.procs")).Trim().Length == 0)
                {
                    Directory.Delete(group);
                    return;
                }

                Thread.Sleep(10);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            // Gone already, or not ours: the process group kill has been sent as well.
        }
    }

    /// <summary>Where the cgroup v2 hierarchy is mounted (/sys/fs/cgroup, or /sys/fs/cgroup/unified beside v1), or null.</summary>
    private static string? Hierarchy()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/mountinfo"))
            {
                // ... MOUNT-POINT OPTIONS ... - FSTYPE SOURCE SUPER-OPTIONS
                var parts = line.Split(' ');
                var dash = Array.IndexOf(parts, "-");
                if (dash > 4 && dash + 1 < parts.Length && parts[dash + 1] == "cgroup2")
                {
                    return parts[4];
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No /proc: no cgroups.
        }

        return null;
    }
}
