using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Fledge.EndToEnd.Tests;

/// <summary>What the fault matrix's tests share: the seed of their kill points, manifests, file systems to break.</summary>
internal static class FaultMatrix
{
    /// <summary>The kill points come from this seed (FLEDGE_FAULT_SEED to try others); each test prints it.</summary>
    public static int Seed { get; } = int.TryParse(Environment.GetEnvironmentVariable("FLEDGE_FAULT_SEED"), CultureInfo.InvariantCulture, out var seed) ? seed : 20261203;

    /// <summary>A Deployment of <paramref name="replicas"/> replicas of a plain command (sleep by default): no image, no probe.</summary>
    public static string Command(string name, int replicas, string command = "[\"sleep\", \"3600\"]", int gracePeriod = 5, string round = "0") =>
        string.Create(CultureInfo.InvariantCulture, $"""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {name}
        spec:
          replicas: {replicas}
          selector:
            matchLabels: {"{"}app: {name}{"}"}
          template:
            metadata:
              labels: {"{"}app: {name}{"}"}
            spec:
              terminationGracePeriodSeconds: {gracePeriod}
              containers:
              - name: main
                image: busybox
                command: {command}
                env:
                - name: ROUND
                  value: "{round}"
        """);

    /// <summary>
    /// Round <paramref name="round"/> of repeated updates of the hello rollout: v1 and v2 by turns, each round a
    /// revision of its own (ROUND in the environment) with "round N" as its change cause.
    /// </summary>
    public static string Round(int round, int replicas) => Manifests.Hello(round % 2 == 0 ? "v1" : "v2", replicas: replicas, minReadySeconds: 0,
            extraEnv: $"        - name: ROUND\n          value: \"{round}\"\n")
        .Replace("kubernetes.io/change-cause: \"hello v", $"kubernetes.io/change-cause: \"round {round} v", StringComparison.Ordinal);

    /// <summary>A canary rollout of hello named <paramref name="name"/>, with Services NAME and NAME-canary (app: NAME).</summary>
    public static string Canary(string name, string version, IEnumerable<string> steps, string? failRate = null, string round = "0")
    {
        var yaml = CanaryManifests.Rollout(version, steps, failRate)
            .Replace("name: hello\n", $"name: {name}\n", StringComparison.Ordinal)
            .Replace("app: hello}", $"app: {name}}}", StringComparison.Ordinal)
            .Replace("canaryService: hello-canary", $"canaryService: {name}-canary", StringComparison.Ordinal)
            .Replace("stableService: hello", $"stableService: {name}", StringComparison.Ordinal);
        var variable = $"        - name: ROUND\n          value: \"{round}\"\n";
        return yaml.Contains("        env:\n", StringComparison.Ordinal)
            ? yaml.Replace("        env:\n", "        env:\n" + variable, StringComparison.Ordinal)
            : yaml.Replace("        readinessProbe:", "        env:\n" + variable + "        readinessProbe:", StringComparison.Ordinal);
    }

    public static string Services(string name, int stablePort, int canaryPort) =>
        Manifests.Service(stablePort, name: name, app: name) + "\n---\n" + Manifests.Service(canaryPort, name: $"{name}-canary", app: name);

    /// <summary>Waits until every process that carries the data directory's marker is one of the pods the runtime lists, and their number is <paramref name="expected"/>.</summary>
    public static async Task NoOrphansAsync(RuntimeProcess runtime, int expected, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var processes = RuntimeProcess.ReplicaProcesses(runtime.DataDirectory);
            var pods = PodPids(runtime);
            var orphans = processes.Except(pods).ToList();
            if (processes.Count == expected && orphans.Count == 0)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                processes.Count.ShouldBe(expected, $"processes with the data directory's marker; orphans (no pod): {string.Join(", ", orphans)}\n{runtime.Fledge("get", "pods", "-o", "wide").Output}");
                orphans.ShouldBeEmpty("every process is a pod the runtime knows");
            }

            await Task.Delay(250, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>The pids `fledge get pods -o wide` shows.</summary>
    public static List<int> PodPids(RuntimeProcess runtime)
    {
        var lines = runtime.Fledge("get", "pods", "-o", "wide").Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length < 2)
        {
            return [];
        }

        var column = lines[0].IndexOf("PID", StringComparison.Ordinal);
        return lines.Skip(1)
            .Select(l => l.Length > column ? l[column..].Split(' ', 2)[0] : "")
            .Select(p => int.TryParse(p, CultureInfo.InvariantCulture, out var pid) ? pid : 0)
            .Where(p => p > 0)
            .ToList();
    }

    /// <summary>The runtime's resident memory (VmRSS), in MiB.</summary>
    public static double ResidentMiB(int pid) =>
        File.ReadAllLines($"/proc/{pid}/status").Where(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Select(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024).Single();

    /// <summary>Runs a command (mount, losetup...); its exit code and what it printed.</summary>
    public static (int Code, string Output) Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Trim());
    }
}

/// <summary>
/// A file system of its own for a data directory: a small tmpfs (which fills up), or a loop-mounted ext4 (which can
/// be made to fail read-only while files are open, as a failing disk does: mount -o remount,abort). The tests
/// that need one skip, saying why, only where mounting is not allowed.
/// </summary>
internal sealed class TestFileSystem : IDisposable
{
    private readonly string? _loopDevice;
    private readonly string _image;

    private TestFileSystem(string mountPoint, string? loopDevice, string image)
    {
        MountPoint = mountPoint;
        _loopDevice = loopDevice;
        _image = image;
    }

    public string MountPoint { get; }

    public static TestFileSystem Tmpfs(string size)
    {
        var mountPoint = Directory.CreateTempSubdirectory("fledge-tmpfs-").FullName;
        var (code, output) = FaultMatrix.Run("mount", "-t", "tmpfs", "-o", $"size={size},mode=0700", "tmpfs", mountPoint);
        if (code != 0)
        {
            Directory.Delete(mountPoint);
            Assert.Skip($"cannot mount a tmpfs here ({output}); this test needs root (or CAP_SYS_ADMIN) to fill a file system of its own");
        }

        return new TestFileSystem(mountPoint, null, "");
    }

    public static TestFileSystem Ext4(string size)
    {
        var mountPoint = Directory.CreateTempSubdirectory("fledge-ext4-").FullName;
        var image = mountPoint + ".img";
        using (File.Create(image))
        {
        }

        FaultMatrix.Run("truncate", "-s", size, image).Code.ShouldBe(0);
        var (made, makeOutput) = FaultMatrix.Run("mkfs.ext4", "-q", "-F", image);
        made.ShouldBe(0, makeOutput);
        var (attached, device) = FaultMatrix.Run("losetup", "--find", "--show", image);
        if (attached != 0)
        {
            File.Delete(image);
            Directory.Delete(mountPoint);
            Assert.Skip($"cannot attach a loop device here ({device}); this test needs root and /dev/loop* to break a file system of its own");
        }

        var (mounted, output) = FaultMatrix.Run("mount", "-o", "errors=remount-ro", device, mountPoint);
        mounted.ShouldBe(0, output);
        File.SetUnixFileMode(mountPoint, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.Delete(Path.Combine(mountPoint, "lost+found"));
        return new TestFileSystem(mountPoint, device, image);
    }

    /// <summary>Fills the file system with one file until it is full; returns the file, whose deletion frees the space.</summary>
    public string Fill()
    {
        var filler = Path.Combine(MountPoint, "filler");
        var block = new byte[1 << 20];
        using var stream = new FileStream(filler, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.WriteThrough);
        try
        {
            while (true)
            {
                stream.Write(block);
            }
        }
        catch (IOException)
        {
            // No space left on device.
        }

        return filler;
    }

    /// <summary>Makes the ext4 file system fail as a dying disk does: read-only from now on, with every file still open.</summary>
    public void Abort()
    {
        var (code, output) = FaultMatrix.Run("mount", "-o", "remount,abort", MountPoint);
        code.ShouldBe(0, output);
    }

    /// <summary>Mounts the ext4 file system again, writable (after <see cref="Abort"/>; nothing may have it open).</summary>
    public void Remount()
    {
        var (unmounted, output) = FaultMatrix.Run("umount", MountPoint);
        unmounted.ShouldBe(0, output);
        var (mounted, mountOutput) = FaultMatrix.Run("mount", "-o", "errors=remount-ro", _loopDevice!, MountPoint);
        mounted.ShouldBe(0, mountOutput);
    }

    public void Dispose()
    {
        FaultMatrix.Run("umount", "--lazy", MountPoint);
        if (_loopDevice is not null)
        {
            FaultMatrix.Run("losetup", "--detach", _loopDevice);
            File.Delete(_image);
        }

        Directory.Delete(MountPoint, recursive: true);
    }
}

/// <summary>A metric source that accepts connections and never answers: a Prometheus that hangs.</summary>
internal sealed class HangingServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<Socket> _held = [];
    private readonly CancellationTokenSource _stop = new();

    public HangingServer()
    {
        _listener.Start();
        _ = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    var socket = await _listener.AcceptSocketAsync(_stop.Token);
                    lock (_held)
                    {
                        _held.Add(socket);
                    }
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // Stopped.
            }
        });
    }

    public string Address => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public int Connections
    {
        get
        {
            lock (_held)
            {
                return _held.Count;
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_held)
        {
            _held.ForEach(s => s.Dispose());
        }

        _stop.Dispose();
    }
}
