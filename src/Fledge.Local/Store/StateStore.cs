using System.Globalization;
using System.Text.Json;
using Fledge.Core.Rollouts;
using Microsoft.Data.Sqlite;

namespace Fledge.Local.Store;

/// <summary>
/// The runtime's state in SQLite: applied objects, replica sets (with revisions and history), rollout status,
/// events and the processes started. Every change is written here before it is acted on, so a runtime that
/// dies loses nothing it had decided.
/// </summary>
public sealed class StateStore : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly Lock _gate = new();
    private readonly string _path;

    /// <param name="durability">
    /// Full (the default) makes every write durable before it returns: an answer the runtime gave is never lost to a
    /// power cut. Normal is SQLite's WAL default, kept for the benchmark that measures what durability costs.
    /// </param>
    public StateStore(string path, Durability durability = Durability.Full)
    {
        _path = path;
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _connection.Open();
        Execute($"""
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = {(durability == Durability.Full ? "FULL" : "NORMAL")};
            CREATE TABLE IF NOT EXISTS objects (kind TEXT NOT NULL, name TEXT NOT NULL, body TEXT NOT NULL, created_at TEXT NOT NULL,
                PRIMARY KEY (kind, name));
            CREATE TABLE IF NOT EXISTS replica_sets (name TEXT PRIMARY KEY, rollout TEXT NOT NULL, body TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY AUTOINCREMENT, object TEXT NOT NULL, at TEXT NOT NULL,
                type TEXT NOT NULL, reason TEXT NOT NULL, message TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS processes (pod TEXT PRIMARY KEY, pid INTEGER NOT NULL, started_at TEXT NOT NULL);
            """);
        // Columns stores written by earlier versions lack: their rows get the defaults (version 0; processes that
        // cannot be adopted, and are ended).
        foreach (var (table, column, type) in new[]
        {
            ("objects", "version", "INTEGER NOT NULL DEFAULT 0"), ("replica_sets", "version", "INTEGER NOT NULL DEFAULT 0"),
            ("processes", "start_ticks", "INTEGER NOT NULL DEFAULT 0"), ("processes", "replica_set", "TEXT NOT NULL DEFAULT ''"),
            ("processes", "port", "INTEGER NOT NULL DEFAULT 0"),
        })
        {
            if (!Query($"SELECT name FROM pragma_table_info('{table}')", r => r.GetString(0)).Contains(column))
            {
                Execute($"ALTER TABLE {table} ADD COLUMN {column} {type}");
            }
        }

        _version = Query("SELECT max(v) FROM (SELECT max(version) AS v FROM objects UNION ALL SELECT max(version) FROM replica_sets)",
            r => r.IsDBNull(0) ? 0L : r.GetInt64(0)).Single();
    }

    private long _version;

    /// <summary>The resource version of each object of a kind: it grows with every write, as an API server's does.</summary>
    public IReadOnlyDictionary<string, long> Versions(string kind) =>
        Query("SELECT name, version FROM objects WHERE kind = $kind", r => (r.GetString(0), r.GetInt64(1)), ("$kind", kind)).ToDictionary(v => v.Item1, v => v.Item2);

    public IReadOnlyDictionary<string, long> ReplicaSetVersions() =>
        Query("SELECT name, version FROM replica_sets", r => (r.GetString(0), r.GetInt64(1))).ToDictionary(v => v.Item1, v => v.Item2);

    /// <summary>Stores an object's body (JSON) under kind and name.</summary>
    public void PutObject(string kind, string name, string body, DateTimeOffset now) => Execute(
        "INSERT INTO objects (kind, name, body, created_at, version) VALUES ($kind, $name, $body, $at, $version) " +
        "ON CONFLICT (kind, name) DO UPDATE SET body = excluded.body, version = excluded.version",
        ("$kind", kind), ("$name", name), ("$body", body), ("$at", now.ToString("O", CultureInfo.InvariantCulture)), ("$version", NextVersion));

    public void DeleteObject(string kind, string name) => Execute("DELETE FROM objects WHERE kind = $kind AND name = $name", ("$kind", kind), ("$name", name));

    public IReadOnlyList<(string Name, string Body, DateTimeOffset CreatedAt)> Objects(string kind) =>
        Query("SELECT name, body, created_at FROM objects WHERE kind = $kind ORDER BY name",
            r => (r.GetString(0), r.GetString(1), DateTimeOffset.Parse(r.GetString(2), CultureInfo.InvariantCulture)), ("$kind", kind));

    public void PutReplicaSet(string rollout, StoredReplicaSet replicaSet) => Execute(
        "INSERT INTO replica_sets (name, rollout, body, version) VALUES ($name, $rollout, $body, $version) " +
        "ON CONFLICT (name) DO UPDATE SET body = excluded.body, version = excluded.version",
        ("$name", replicaSet.Name), ("$rollout", rollout), ("$body", JsonSerializer.Serialize(replicaSet, StoreJson.Options)), ("$version", NextVersion));

    public void DeleteReplicaSet(string name) => Execute("DELETE FROM replica_sets WHERE name = $name", ("$name", name));

    public IReadOnlyList<StoredReplicaSet> ReplicaSets(string? rollout = null) => Query(
        rollout is null ? "SELECT body FROM replica_sets ORDER BY name" : "SELECT body FROM replica_sets WHERE rollout = $rollout ORDER BY name",
        r => JsonSerializer.Deserialize<StoredReplicaSet>(r.GetString(0), StoreJson.Options)!,
        ("$rollout", rollout ?? ""));

    public void AddEvent(string obj, DateTimeOffset at, string type, string reason, string message) => Execute(
        "INSERT INTO events (object, at, type, reason, message) VALUES ($object, $at, $type, $reason, $message)",
        ("$object", obj), ("$at", at.ToString("O", CultureInfo.InvariantCulture)), ("$type", type), ("$reason", reason), ("$message", message));

    public IReadOnlyList<StoredEvent> Events(string obj, int last) => Query(
        "SELECT at, type, reason, message FROM (SELECT * FROM events WHERE object = $object ORDER BY id DESC LIMIT $last) ORDER BY id",
        r => new StoredEvent(DateTimeOffset.Parse(r.GetString(0), CultureInfo.InvariantCulture), r.GetString(1), r.GetString(2), r.GetString(3)),
        ("$object", obj), ("$last", last));

    /// <summary>The last events of every object (or of those whose key starts with <paramref name="prefix"/>), oldest first, with their ids and objects.</summary>
    public IReadOnlyList<(long Id, string Object, StoredEvent Event)> AllEvents(int last, string prefix = "") => Query(
        "SELECT id, object, at, type, reason, message FROM (SELECT * FROM events WHERE substr(object, 1, length($prefix)) = $prefix ORDER BY id DESC LIMIT $last) ORDER BY id",
        r => (r.GetInt64(0), r.GetString(1), new StoredEvent(DateTimeOffset.Parse(r.GetString(2), CultureInfo.InvariantCulture), r.GetString(3), r.GetString(4), r.GetString(5))),
        ("$prefix", prefix), ("$last", last));

    /// <summary>Records a replica's process: what a runtime that comes back after a crash needs to find it and take it over.</summary>
    public void PutProcess(StoredProcess process) => Execute(
        "INSERT OR REPLACE INTO processes (pod, pid, started_at, start_ticks, replica_set, port) VALUES ($pod, $pid, $at, $ticks, $rs, $port)",
        ("$pod", process.Pod), ("$pid", process.Pid), ("$at", process.StartedAt.ToString("O", CultureInfo.InvariantCulture)),
        ("$ticks", process.StartTicks), ("$rs", process.ReplicaSet), ("$port", process.Port));

    /// <summary>Forgets a process that has ended. A failed write is not thrown: the row names a process that is gone, which the next start sees (pid and start time) and drops.</summary>
    public void ForgetProcess(string pod)
    {
        try
        {
            DeleteProcess(pod);
        }
        catch (StateWriteException)
        {
        }
    }

    public void DeleteProcess(string pod) => Execute("DELETE FROM processes WHERE pod = $pod", ("$pod", pod));

    public IReadOnlyList<StoredProcess> Processes() => Query(
        "SELECT pod, pid, start_ticks, replica_set, port, started_at FROM processes",
        r => new StoredProcess(r.GetString(0), r.GetInt32(1), r.GetInt64(2), r.GetString(3), r.GetInt32(4),
            DateTimeOffset.Parse(r.GetString(5), CultureInfo.InvariantCulture)));

    public bool IsDisposed { get; private set; }

    public void Dispose()
    {
        IsDisposed = true;
        _connection.Dispose();
    }

    /// <summary>
    /// Refuses a state that cannot be trusted before anything starts: a database that does not read, or none (or an
    /// empty one) where replicas have run (their logs are there), which would silently start from nothing.
    /// </summary>
    public static void Check(DataDirectory directory)
    {
        var database = new FileInfo(directory.Database);
        var logs = Directory.Exists(directory.Logs) ? Directory.EnumerateFiles(directory.Logs).Count() : 0;
        var wayOut = $"to start from nothing, move the data directory away (mv {directory.Path} {directory.Path}.old) and start again";
        if ((!database.Exists || database.Length == 0) && logs > 0)
        {
            throw new StateUnreadableException(
                $"{directory.Database} is {(database.Exists ? "empty" : "missing")}, but {directory.Logs} holds the logs of {logs} replica(s): the runtime's state was lost; {wayOut}");
        }

        if (!database.Exists || database.Length == 0)
        {
            return;
        }

        try
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = directory.Database, Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ToString());
            connection.Open();
            using var check = connection.CreateCommand();
            check.CommandText = "PRAGMA quick_check";
            var result = check.ExecuteScalar() as string;
            if (result != "ok")
            {
                throw new StateUnreadableException($"{directory.Database} is damaged ({result}); {wayOut}, or restore it from a backup");
            }
        }
        catch (SqliteException e)
        {
            throw new StateUnreadableException($"{directory.Database} cannot be read: {e.Message}; {wayOut}, or restore it from a backup");
        }
    }

    private object NextVersion => Interlocked.Increment(ref _version);

    /// <summary>
    /// Runs <paramref name="body"/> (synchronous, its writes through this store) as one transaction: all of its writes
    /// are stored, or none. Other threads' writes wait until it ends.
    /// </summary>
    public void InTransaction(Action body)
    {
        lock (_gate)
        {
            Execute("BEGIN IMMEDIATE");
            try
            {
                body();
                Execute("COMMIT");
            }
            catch
            {
                try
                {
                    using var rollback = _connection.CreateCommand();
                    rollback.CommandText = "ROLLBACK";
                    rollback.ExecuteNonQuery();
                }
                catch (SqliteException)
                {
                    // SQLite has rolled back already (a failed COMMIT on a full disk does).
                }

                throw;
            }
        }
    }

    private void Execute(string sql, params (string Name, object Value)[] parameters)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = sql;
            foreach (var (name, value) in parameters)
            {
                command.Parameters.AddWithValue(name, value);
            }

            try
            {
                command.ExecuteNonQuery();
            }
            catch (SqliteException e) when (StateWriteException.Reason(e, SystemErrno()) is { } reason)
            {
                throw new StateWriteException(_path, reason, e);
            }
        }
    }

    /// <summary>The last error number the operating system gave SQLite on this connection (ENOSPC, EROFS...); 0 when unknown.</summary>
    private int SystemErrno()
    {
        try
        {
            return _connection.Handle is { } handle ? NativeSqlite.SystemErrno(handle.DangerousGetHandle()) : 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return 0;
        }
    }

    private List<T> Query<T>(string sql, Func<SqliteDataReader, T> read, params (string Name, object Value)[] parameters)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = sql;
            foreach (var (name, value) in parameters)
            {
                command.Parameters.AddWithValue(name, value);
            }

            using var reader = command.ExecuteReader();
            var results = new List<T>();
            while (reader.Read())
            {
                results.Add(read(reader));
            }

            return results;
        }
    }
}

internal static partial class NativeSqlite
{
    [System.Runtime.InteropServices.LibraryImport("e_sqlite3", EntryPoint = "sqlite3_system_errno")]
    public static partial int SystemErrno(IntPtr db);
}

/// <summary>How a store writes: see <see cref="StateStore"/>.</summary>
public enum Durability
{
    Full,
    Normal,
}

/// <summary>The state database cannot be trusted; the message names it and the way out.</summary>
public sealed class StateUnreadableException(string message) : Exception(message);

/// <summary>
/// A change could not be stored (a full disk, a read-only file system, an I/O error): nothing of it was kept, and
/// the message says why in the file system's words.
/// </summary>
public sealed class StateWriteException(string path, string reason, SqliteException inner)
    : Exception($"cannot save the runtime's state in {path}: {reason} (SQLite error {inner.SqliteErrorCode}: {inner.Message.Split('\'').ElementAtOrDefault(1) ?? inner.Message}); nothing was changed: {WayOut(reason)}", inner)
{
    /// <summary>
    /// Why SQLite could not write, as the operating system put it (<paramref name="errno"/>, the last system error
    /// SQLite saw) or else as SQLite did; null for errors that are not about the disk.
    /// </summary>
    public static string? Reason(SqliteException e, int errno)
    {
        var code = e.SqliteErrorCode & 0xff;
        if (code is not (13 or 8 or 10 or 14))
        {
            return null;
        }

        return errno switch
        {
            28 => "no space left on device",
            30 => "read-only file system",
            122 => "disk quota exceeded",
            _ => code switch
            {
                13 => "no space left on device",
                8 => "read-only file system",
                10 => "input/output error",
                _ => "the file cannot be opened",
            },
        };
    }

    private static string WayOut(string reason) => reason switch
    {
        "no space left on device" => "free space on its file system and try again",
        "read-only file system" => "make its file system writable again (mount -o remount,rw) and try again",
        _ => "check the disk and the file, then try again",
    };
}
