using System.Globalization;
using System.Runtime.InteropServices;

namespace Fledge.Local.Replicas;

/// <summary>
/// A replica's process. Started with posix_spawn as the leader of a session of its own (a terminal's Ctrl-C never
/// reaches it; a stop reaches its whole group), with no stdin and its stdout and stderr appended straight to its log
/// file: nothing of it passes through the runtime, so it runs on when the runtime is killed, and the next runtime
/// adopts it. Its exit is observed by <see cref="ProcessWatcher"/>: waitpid for the runtime's own children, and
/// for an adopted one, its pid together with the start time that tells it from a later process with the same pid.
/// </summary>
internal sealed partial class ReplicaProcess
{
    private readonly TaskCompletionSource<int?> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ReplicaProcess(int pid, long startTicks, bool adopted)
    {
        Pid = pid;
        StartTicks = startTicks;
        Adopted = adopted;
        ProcessWatcher.Watch(this);
    }

    public int Pid { get; }

    /// <summary>When the kernel started it (/proc/PID/stat, field 22): with the pid, what identifies this process.</summary>
    public long StartTicks { get; }

    /// <summary>Started by an earlier runtime, and taken over by this one.</summary>
    public bool Adopted { get; }

    /// <summary>Completes when the process has ended, with its exit code (128 + the signal that ended it), or null when that cannot be known (adopted).</summary>
    public Task<int?> Exited => _exited.Task;

    public bool HasExited => _exited.Task.IsCompleted;

    /// <summary>Starts <paramref name="program"/> (a full path) with <paramref name="arguments"/> (the first is argv[0]).</summary>
    public static ReplicaProcess Start(string program, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment,
        string workingDirectory, string logPath)
    {
        var actions = Marshal.AllocHGlobal(512);
        var attributes = Marshal.AllocHGlobal(1024);
        var signals = Marshal.AllocHGlobal(256);
        var argv = Strings(arguments);
        var envp = Strings(environment.Select(e => $"{e.Key}={e.Value}").ToList());
        try
        {
            Check(posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init");
            Check(posix_spawn_file_actions_addopen(actions, 0, "/dev/null", ReadOnly, 0), "stdin");
            Check(posix_spawn_file_actions_addopen(actions, 1, logPath, WriteOnly | Create | Append, 0b110_000_000), $"the log {logPath}");
            Check(posix_spawn_file_actions_adddup2(actions, 1, 2), "stderr");
            Check(posix_spawn_file_actions_addchdir_np(actions, workingDirectory), $"the working directory {workingDirectory}");
            Check(posix_spawnattr_init(attributes), "posix_spawnattr_init");
            // Its own session, no blocked signals, and every signal's default action (the runtime ignores SIGPIPE; a replica must not).
            Check(posix_spawnattr_setflags(attributes, SetSid | SetSigMask | SetSigDefault), "posix_spawnattr_setflags");
            Check(sigemptyset(signals), "sigemptyset");
            Check(posix_spawnattr_setsigmask(attributes, signals), "posix_spawnattr_setsigmask");
            Check(sigfillset(signals), "sigfillset");
            Check(posix_spawnattr_setsigdefault(attributes, signals), "posix_spawnattr_setsigdefault");
            var error = posix_spawn(out var pid, program, actions, attributes, argv, envp);
            if (error != 0)
            {
                throw new IOException($"cannot start \"{program}\": {Marshal.GetPInvokeErrorMessage(error)}");
            }

            return new ReplicaProcess(pid, StartTicksOf(pid) ?? 0, adopted: false);
        }
        finally
        {
            _ = posix_spawn_file_actions_destroy(actions);
            _ = posix_spawnattr_destroy(attributes);
            Marshal.FreeHGlobal(actions);
            Marshal.FreeHGlobal(attributes);
            Marshal.FreeHGlobal(signals);
            Free(argv);
            Free(envp);
        }
    }

    /// <summary>Takes over a process an earlier runtime started; null when it is gone (or its pid now names another process).</summary>
    public static ReplicaProcess? Adopt(int pid, long startTicks) =>
        startTicks != 0 && StartTicksOf(pid) == startTicks ? new ReplicaProcess(pid, startTicks, adopted: true) : null;

    /// <summary>The start time of a process, or null when there is none with that pid.</summary>
    public static long? StartTicksOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) is in parentheses and may hold spaces; the fields after it are plain.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[19], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>Looks whether the process has ended (called by the watcher); true once it has.</summary>
    internal bool Poll()
    {
        if (HasExited)
        {
            return true;
        }

        if (!Adopted)
        {
            var reaped = waitpid(Pid, out var status, NoHang);
            if (reaped == Pid)
            {
                // Exited normally: the code; killed by a signal: 128 + the signal, as a shell reports it.
                var signal = status & 0x7f;
                _exited.TrySetResult(signal == 0 ? (status >> 8) & 0xff : 128 + signal);
                return true;
            }

            if (reaped == 0)
            {
                return false;
            }

            // ECHILD: reaped by someone else (SIGCHLD ignored); fall back to looking at the pid.
        }

        if (StartTicksOf(Pid) == StartTicks && !IsZombie(Pid))
        {
            return false;
        }

        _exited.TrySetResult(null);
        return true;
    }

    private static bool IsZombie(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] == 'Z';
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or IndexOutOfRangeException)
        {
            return false;
        }
    }

    private static IntPtr Strings(IReadOnlyList<string> values)
    {
        var array = Marshal.AllocHGlobal(IntPtr.Size * (values.Count + 1));
        for (var i = 0; i < values.Count; i++)
        {
            Marshal.WriteIntPtr(array, i * IntPtr.Size, Marshal.StringToCoTaskMemUTF8(values[i]));
        }

        Marshal.WriteIntPtr(array, values.Count * IntPtr.Size, IntPtr.Zero);
        return array;
    }

    private static void Free(IntPtr array)
    {
        for (var i = 0; Marshal.ReadIntPtr(array, i * IntPtr.Size) is var item && item != IntPtr.Zero; i++)
        {
            Marshal.ZeroFreeCoTaskMemUTF8(item);
        }

        Marshal.FreeHGlobal(array);
    }

    private static void Check(int result, string what)
    {
        if (result != 0)
        {
            throw new IOException($"cannot prepare {what}: {Marshal.GetPInvokeErrorMessage(result)}");
        }
    }

    private const int ReadOnly = 0;
    private const int WriteOnly = 1;
    private const int Create = 0x40;
    private const int Append = 0x400;
    private const short SetSigDefault = 0x04;
    private const short SetSigMask = 0x08;
    private const short SetSid = 0x80;
    private const int NoHang = 1;

    [LibraryImport("libc", EntryPoint = "posix_spawn", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int posix_spawn(out int pid, string path, IntPtr fileActions, IntPtr attributes, IntPtr argv, IntPtr envp);

    [LibraryImport("libc")]
    private static partial int posix_spawn_file_actions_init(IntPtr actions);

    [LibraryImport("libc")]
    private static partial int posix_spawn_file_actions_destroy(IntPtr actions);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int posix_spawn_file_actions_addopen(IntPtr actions, int fd, string path, int flags, int mode);

    [LibraryImport("libc")]
    private static partial int posix_spawn_file_actions_adddup2(IntPtr actions, int fd, int newFd);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int posix_spawn_file_actions_addchdir_np(IntPtr actions, string path);

    [LibraryImport("libc")]
    private static partial int posix_spawnattr_init(IntPtr attributes);

    [LibraryImport("libc")]
    private static partial int posix_spawnattr_destroy(IntPtr attributes);

    [LibraryImport("libc")]
    private static partial int posix_spawnattr_setflags(IntPtr attributes, short flags);

    [LibraryImport("libc")]
    private static partial int posix_spawnattr_setsigmask(IntPtr attributes, IntPtr signals);

    [LibraryImport("libc")]
    private static partial int posix_spawnattr_setsigdefault(IntPtr attributes, IntPtr signals);

    [LibraryImport("libc")]
    private static partial int sigemptyset(IntPtr signals);

    [LibraryImport("libc")]
    private static partial int sigfillset(IntPtr signals);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int waitpid(int pid, out int status, int options);
}

/// <summary>Looks at every replica process ten times a second and completes <see cref="ReplicaProcess.Exited"/> for those that ended.</summary>
internal static class ProcessWatcher
{
    private static readonly Lock Gate = new();
    private static readonly List<ReplicaProcess> Watched = [];
    private static Thread? _thread;

    public static void Watch(ReplicaProcess process)
    {
        lock (Gate)
        {
            Watched.Add(process);
            if (_thread is null)
            {
                _thread = new Thread(Run) { IsBackground = true, Name = "fledge replica watcher" };
                _thread.Start();
            }
        }
    }

    private static void Run()
    {
        while (true)
        {
            ReplicaProcess[] current;
            lock (Gate)
            {
                current = [.. Watched];
            }

            foreach (var process in current)
            {
                if (process.Poll())
                {
                    lock (Gate)
                    {
                        Watched.Remove(process);
                    }
                }
            }

            Thread.Sleep(100);
        }
    }
}
