using System.Security.Cryptography;
using Fledge.Local.Images;
using Fledge.Local.Store;
using Microsoft.Extensions.Logging;

namespace Fledge.Local.Replicas;

/// <summary>
/// Keeps the replica processes of each replica set at the count the planner asked for, as the ReplicaSet
/// controller does: it starts missing replicas and stops extra ones (not ready first, then the newest).
/// Tells its listeners whenever a replica changes, so rollouts and Service endpoints follow at once.
/// </summary>
public sealed class Supervisor
{
    private const string NameAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    private readonly ReplicaHost _host;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _sets = new(StringComparer.Ordinal);

    /// <summary>
    /// The port of every replica that is not gone: a replica waiting out its back-off may start again on its port any
    /// moment, so no other replica is given it meanwhile, even though nothing listens on it.
    /// </summary>
    private readonly HashSet<int> _ports = [];

    internal Supervisor(DataDirectory directory, StateStore store, ImageTableFile images, TimeProvider time, ILogger logger)
    {
        _host = new ReplicaHost(directory, store, images, time, logger, view => Changed?.Invoke(view)) { Cgroups = new ReplicaCgroups(directory.Path) };
    }

    /// <summary>The replicas' cgroups (an earlier runtime's included), where the system allows them.</summary>
    internal ReplicaCgroups Cgroups => _host.Cgroups;

    /// <summary>Raised (on any thread) when a replica starts, becomes ready or not, restarts or stops.</summary>
    public event Action<ReplicaView>? Changed;

    /// <summary>Sets how many replicas a replica set should run.</summary>
    public void Scale(ReplicaTemplate template, int replicas)
    {
        var toStart = new List<Replica>();
        var toStop = new List<Replica>();
        lock (_gate)
        {
            if (!_sets.TryGetValue(template.ReplicaSet, out var entry))
            {
                entry = new Entry(template);
                _sets[template.ReplicaSet] = entry;
            }

            entry.Template = template;
            entry.Desired = replicas;
            var running = entry.Replicas.Where(r => !r.IsStopping).ToList();
            for (var i = running.Count; i < replicas; i++)
            {
                var replica = new Replica(_host, entry.Template, $"{template.ReplicaSet}-{Suffix()}", ReservePort());
                entry.Replicas.Add(replica);
                toStart.Add(replica);
            }

            toStop.AddRange(running
                .Select(r => (Replica: r, View: r.View()))
                .OrderBy(r => r.View.Ready ? 1 : 0)
                .ThenByDescending(r => r.View.CreatedAt)
                .Take(Math.Max(0, running.Count - replicas))
                .Select(r => r.Replica));
        }

        foreach (var replica in toStart)
        {
            replica.Start();
            Changed?.Invoke(replica.View());
        }

        foreach (var replica in toStop)
        {
            _ = StopAndForgetAsync(template.ReplicaSet, replica);
        }
    }

    /// <summary>
    /// Takes over a replica an earlier runtime started and left running (its process, its name and port), so that the
    /// next <see cref="Scale"/> counts it instead of starting another. Its Services reach it again as soon as its
    /// readiness probe, run at once, passes.
    /// </summary>
    internal void Adopt(ReplicaTemplate template, StoredProcess stored, ReplicaProcess process)
    {
        Replica replica;
        lock (_gate)
        {
            if (!_sets.TryGetValue(template.ReplicaSet, out var entry))
            {
                entry = new Entry(template);
                _sets[template.ReplicaSet] = entry;
            }

            _ports.Add(stored.Port);
            replica = new Replica(_host, template, stored.Pod, stored.Port, process, stored.StartedAt);
            entry.Replicas.Add(replica);
        }

        replica.Start();
        Changed?.Invoke(replica.View());
    }

    /// <summary>
    /// Replaces one replica as deleting its pod would under a ReplicaSet: it stops gracefully (out of its Services first)
    /// while a new one starts in its place. False when it is gone or already stopping.
    /// </summary>
    public bool Restart(string replicaSet, string replicaName)
    {
        Replica old;
        Replica fresh;
        lock (_gate)
        {
            if (!_sets.TryGetValue(replicaSet, out var entry) || entry.Replicas.FirstOrDefault(r => r.Name == replicaName && !r.IsStopping) is not { } found)
            {
                return false;
            }

            old = found;
            fresh = new Replica(_host, entry.Template, $"{replicaSet}-{Suffix()}", ReservePort());
            entry.Replicas.Add(fresh);
        }

        _ = StopAndForgetAsync(replicaSet, old);
        fresh.Start();
        Changed?.Invoke(fresh.View());
        return true;
    }

    /// <summary>How many replicas of a replica set are running or starting (not stopping).</summary>
    public int Count(string replicaSet)
    {
        lock (_gate)
        {
            return _sets.TryGetValue(replicaSet, out var entry) ? entry.Replicas.Count(r => !r.IsStopping) : 0;
        }
    }

    /// <summary>Stops every replica of a replica set that is being deleted.</summary>
    public void Remove(string replicaSet)
    {
        List<Replica> replicas;
        lock (_gate)
        {
            if (!_sets.TryGetValue(replicaSet, out var entry))
            {
                return;
            }

            entry.Desired = 0;
            replicas = entry.Replicas.ToList();
        }

        foreach (var replica in replicas)
        {
            _ = StopAndForgetAsync(replicaSet, replica);
        }
    }

    /// <summary>Every replica as it is now, the terminating ones included.</summary>
    public IReadOnlyList<ReplicaView> Replicas()
    {
        lock (_gate)
        {
            return _sets.Values.SelectMany(e => e.Replicas).Select(r => r.View()).ToList();
        }
    }

    public IReadOnlyList<ReplicaView> Replicas(string replicaSet)
    {
        lock (_gate)
        {
            return _sets.TryGetValue(replicaSet, out var entry) ? entry.Replicas.Select(r => r.View()).ToList() : [];
        }
    }

    /// <summary>Starts again, without waiting out their back-off, the replicas that could not start (the image table changed).</summary>
    public void RetryFailed()
    {
        List<Replica> failed;
        lock (_gate)
        {
            failed = _sets.Values.SelectMany(e => e.Replicas).Where(r => r.View().Phase == ReplicaPhase.Failed).ToList();
        }

        foreach (var replica in failed)
        {
            replica.RetryNow();
        }
    }

    /// <summary>Keeps every replica's log within its limits.</summary>
    public void RotateLogs(LogLimits limits)
    {
        List<Replica> replicas;
        lock (_gate)
        {
            replicas = _sets.Values.SelectMany(e => e.Replicas).ToList();
        }

        foreach (var replica in replicas)
        {
            replica.RotateLog(limits);
        }
    }

    /// <summary>Stops every replica gracefully, all at once.</summary>
    public async Task StopAllAsync()
    {
        List<Task> stops;
        lock (_gate)
        {
            stops = _sets.Values.SelectMany(e => e.Replicas).Select(r => r.StopAsync()).ToList();
        }

        await Task.WhenAll(stops);
    }

    private async Task StopAndForgetAsync(string replicaSet, Replica replica)
    {
        try
        {
            await replica.StopAsync();
        }
        catch (Exception e) when (e is InvalidOperationException or IOException)
        {
            _host.Logger.LogWarning(e, "stopping {Replica} failed", replica.Name);
        }

        lock (_gate)
        {
            _ports.Remove(replica.Port);
            if (_sets.TryGetValue(replicaSet, out var entry))
            {
                entry.Replicas.Remove(replica);
                if (entry.Replicas.Count == 0 && entry.Desired == 0)
                {
                    _sets.Remove(replicaSet);
                }
            }
        }

        Changed?.Invoke(replica.View() with { Phase = ReplicaPhase.Terminating, Ready = false });
    }

    /// <summary>A free loopback port no replica holds (called under the gate).</summary>
    /// <summary>A port no replica of this runtime holds, for a new replica; it stays the replica's until the replica is gone.</summary>
    private int ReservePort() => ReplicaPorts.Reserve(_ports);

    private static string Suffix() => string.Create(5, 0, static (span, _) =>
    {
        for (var i = 0; i < span.Length; i++)
        {
            span[i] = NameAlphabet[RandomNumberGenerator.GetInt32(NameAlphabet.Length)];
        }
    });

    private sealed class Entry(ReplicaTemplate template)
    {
        /// <summary>The newest template (a revision renumbered by an undo applies to replicas started from now on).</summary>
        public ReplicaTemplate Template { get; set; } = template;

        public int Desired { get; set; }

        public List<Replica> Replicas { get; } = [];
    }
}
