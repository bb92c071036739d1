using BenchmarkDotNet.Attributes;
using Fledge.Local.Store;

namespace Fledge.Benchmarks;

/// <summary>
/// What durable writes cost: one rollout's state (about 2 KB of JSON) written to SQLite on disk, as the runtime writes
/// it before it answers, with synchronous=FULL (durable: fsync of the WAL at each commit) against NORMAL (SQLite's WAL
/// default: durable at the next checkpoint, so a power cut may lose the last writes).
/// </summary>
[MemoryDiagnoser]
public class StateStoreBenchmarks : IDisposable
{
    private readonly string _body = "{\"manifest\":" + new string('x', 2000) + "}";
    private string _directory = "";
    private StateStore _store = null!;
    private int _next;

    [Params(Durability.Full, Durability.Normal)]
    public Durability Durability { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        // On the disk the runtime would use (the temporary folder), not in memory.
        _directory = Directory.CreateTempSubdirectory("fledge-bench-store-").FullName;
        _store = new StateStore(Path.Combine(_directory, "state.db"), Durability);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    public void Dispose()
    {
        _store?.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark]
    public void PutRolloutState() => _store.PutObject("Rollout", $"web-{_next++ % 100}", _body, DateTimeOffset.UnixEpoch);
}
