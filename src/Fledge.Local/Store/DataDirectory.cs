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

    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>The files a runtime reads from its data directory and trusts: what they say is run as its user.</summary>
    private static readonly string[] TrustedEntries = ["images.yaml", "state.db", "state.db-wal", "state.db-shm", "logs", "fledge.lock", "fledge.pid"];

    /// <summary>
    /// Opens the directory for one runtime; throws <see cref="DataDirectoryInUseException"/> when another holds it and
    /// <see cref="UntrustedDataDirectoryException"/> when it, or a file in it, is not ours alone. A missing directory
    /// is made with mode 0700; an existing one is never changed.
    /// </summary>
    public static DataDirectory Open(string path)
    {
        path = System.IO.Path.GetFullPath(path);
        if (FileOwner.Of(path) is null)
        {
            Directory.CreateDirectory(path, Private);
        }

        Trust(path, "data directory");
        foreach (var entry in TrustedEntries)
        {
            Trust(System.IO.Path.Combine(path, entry), entry);
        }

        if (FileOwner.Of(System.IO.Path.Combine(path, "logs")) is null)
        {
            Directory.CreateDirectory(System.IO.Path.Combine(path, "logs"), Private);
        }

        var lockPath = System.IO.Path.Combine(path, "fledge.lock");
        FileStream lockFile;
        try
        {
            // FileShare.None takes an exclusive flock on Unix, released by the kernel when the process dies.
            lockFile = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (e.HResult is WouldBlock or SharingViolation)
        {
            // The lock file cannot be read while locked; the owner's pid is kept beside it.
            var pidPath = System.IO.Path.Combine(path, "fledge.pid");
            var owner = File.Exists(pidPath) ? File.ReadAllText(pidPath).Trim() : "";
            throw new DataDirectoryInUseException(path, owner);
        }

        File.WriteAllText(System.IO.Path.Combine(path, "fledge.pid"), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        return new DataDirectory(path, lockFile);
    }

    /// <summary>
    /// The HResult .NET gives an open that another process's lock refuses: the errno of flock (EWOULDBLOCK) on
    /// Linux, ERROR_SHARING_VIOLATION elsewhere. A read-only file system or a full disk is another error, reported as it is.
    /// </summary>
    private const int WouldBlock = 11;

    private const int SharingViolation = unchecked((int)0x80070020);

    public void Dispose() => _lock.Dispose();

    /// <summary>
    /// Refuses a path that is a symbolic link, belongs to another user, or that others may write: another user could
    /// then choose what the runtime runs (images.yaml) or what it believes (state.db).
    /// </summary>
    private static void Trust(string path, string what)
    {
        if (FileOwner.Of(path) is not { } owner)
        {
            return;
        }

        var (problem, fix) = owner.Symlink ? ("is a symbolic link", "give the real path with --data-dir, or remove the link")
            : owner.Uid != FileOwner.CurrentUser ? ($"belongs to another user (uid {owner.Uid}, not {FileOwner.CurrentUser})", "give a directory of your own with --data-dir")
            : (owner.Mode & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0
                ? ($"can be written by other users (mode {Convert.ToString((int)owner.Mode, 8).PadLeft(4, '0')})", $"make it private (chmod go-w {path}) or give another --data-dir")
            : (null, null);
        if (problem is not null)
        {
            throw new UntrustedDataDirectoryException($"{what} {path} {problem}: the runtime runs what its data directory says, so it must be yours alone; {fix}");
        }
    }
}

/// <summary>The data directory, or a file in it, could be changed by someone else than the runtime's user.</summary>
public sealed class UntrustedDataDirectoryException(string message) : Exception(message);

/// <summary>Another runtime holds the data directory.</summary>
public sealed class DataDirectoryInUseException(string path, string owner)
    : Exception($"another fledge serve (pid {(owner.Length > 0 ? owner : "unknown")}) is using the data directory {path}; stop it first, or pass another --data-dir")
{
    public string DataPath { get; } = path;
}
