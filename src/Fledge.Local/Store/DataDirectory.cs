using System.Globalization;

namespace Fledge.Local.Store;

/// <summary>
/// The runtime's data directory (mode 0700): the state database, logs, the control socket and a lock that
/// keeps a second `fledge serve` away from it.
/// </summary>
public sealed class DataDirectory : IDisposable
{
    private readonly FileStream _lock;

    private DataDirectory(string path, FileStream lockFile)
    {
        Path = path;
        _lock = lockFile;
    }

    public string Path { get; }

    public string Database => System.IO.Path.Combine(Path, "state.db");

    public string Socket => System.IO.Path.Combine(Path, "fledge.sock");

    public string Logs => System.IO.Path.Combine(Path, "logs");

    public string Images => System.IO.Path.Combine(Path, "images.yaml");

    public string LogOf(string pod) => System.IO.Path.Combine(Logs, pod + ".log");

    /// <summary>Opens the directory for one runtime; throws <see cref="DataDirectoryInUseException"/> when another holds it.</summary>
    public static DataDirectory Open(string path)
    {
        path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(path);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.CreateDirectory(System.IO.Path.Combine(path, "logs"));
        var lockPath = System.IO.Path.Combine(path, "fledge.lock");
        FileStream lockFile;
        try
        {
            // FileShare.None takes an exclusive flock on Unix, released by the kernel when the process dies.
            lockFile = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            // The lock file cannot be read while locked; the owner's pid is kept beside it.
            var pidPath = System.IO.Path.Combine(path, "fledge.pid");
            var owner = File.Exists(pidPath) ? File.ReadAllText(pidPath).Trim() : "";
            throw new DataDirectoryInUseException(path, owner);
        }

        File.WriteAllText(System.IO.Path.Combine(path, "fledge.pid"), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        return new DataDirectory(path, lockFile);
    }

    public void Dispose() => _lock.Dispose();
}

/// <summary>Another runtime holds the data directory.</summary>
public sealed class DataDirectoryInUseException(string path, string owner)
    : Exception($"another fledge serve (pid {(owner.Length > 0 ? owner : "unknown")}) is using the data directory {path}; stop it first, or pass another --data-dir")
{
    public string DataPath { get; } = path;
}
