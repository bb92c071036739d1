using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Fledge.Local.Probes;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Fledge.Local.Replicas;

/// <summary>
/// One replica: a process started from its container's command (never through a shell), restarted with
/// back-off when it exits, probed as Kubernetes probes containers, and stopped gracefully: out of every
/// Service first, then preStop, SIGTERM, terminationGracePeriodSeconds, SIGKILL.
/// </summary>
internal sealed partial class Replica : IDisposable
{
    private static readonly TimeSpan FirstBackOff = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MaxBackOff = TimeSpan.FromMinutes(5);

    private readonly ReplicaHost _host;
    private readonly CancellationTokenSource _life = new();
    private readonly Lock _gate = new();
    private Process? _process;
    private Task? _run;
    private Task? _stopping;
    private ReplicaPhase _phase = ReplicaPhase.Pending;
    private bool _ready;
    private DateTimeOffset? _readySince;
    private int _restarts;
    private string? _message;
    private CancellationTokenSource? _backOff;

    public Replica(ReplicaHost host, ReplicaTemplate template, string name)
    {
        _host = host;
        Template = template;
        Name = name;
        Port = FreePort();
        CreatedAt = host.Time.GetUtcNow();
    }

    public string Name { get; }

    public ReplicaTemplate Template { get; }

    public int Port { get; }

    public DateTimeOffset CreatedAt { get; }

    public bool IsStopping => _stopping is not null;

    public ReplicaView View()
    {
        lock (_gate)
        {
            return new ReplicaView(Name, Template.Rollout, Template.ReplicaSet, Template.Revision, Template.Image,
                new Dictionary<string, string>(Template.Labels), Port, _phase, _ready, _readySince, _restarts, _message, CreatedAt,
                _process is { HasExited: false } p ? p.Id : null);
        }
    }

    public void Start() => _run = Task.Run(RunAsync);

    /// <summary>Stops the replica gracefully; calling it again waits for the same stop.</summary>
    public Task StopAsync()
    {
        lock (_gate)
        {
            // Task.Run: the stop raises change events, and none may be raised while a lock is held (a listener
            // reads every replica, each under its own lock; two replicas stopping at once would wait on each other).
            _stopping ??= Task.Run(StopCoreAsync);
            return _stopping;
        }
    }

    private async Task RunAsync()
    {
        var backOff = FirstBackOff;
        while (!_life.IsCancellationRequested)
        {
            if (!TryStartProcess(out var process, out var error))
            {
                Update(ReplicaPhase.Failed, error, ready: false);
                if (!await DelayAsync(backOff))
                {
                    return;
                }

                backOff = Min(backOff * 2, MaxBackOff);
                continue;
            }

            var startedAt = _host.Time.GetUtcNow();
            Update(ReplicaPhase.Running, null, ready: null);
            using (var probes = CancellationTokenSource.CreateLinkedTokenSource(_life.Token))
            {
                var probing = RunProbesAsync(process, probes.Token);
                await ExitedAsync(process);
                await probes.CancelAsync();
                await probing;
            }

            // As when a container's main process ends: whatever it started goes with it (and lets go of the log pipes).
            Signals.SendGroup(process.Id, Signals.SigKill);
            await DrainOutputAsync(process);

            _host.Store.DeleteProcess(Name);
            if (_life.IsCancellationRequested)
            {
                return;
            }

            if (_host.Time.GetUtcNow() - startedAt > TimeSpan.FromMinutes(10))
            {
                backOff = FirstBackOff;
            }

            lock (_gate)
            {
                _restarts++;
            }

            var reason = _message is { } probeFailure && probeFailure.Contains("probe failed", StringComparison.Ordinal)
                ? probeFailure
                : $"exited with code {process.ExitCode}";
            Update(ReplicaPhase.CrashLoopBackOff, $"back-off {backOff.TotalSeconds:0}s restarting failed container: {reason}", ready: false);
            if (!await DelayAsync(backOff))
            {
                return;
            }

            backOff = Min(backOff * 2, MaxBackOff);
        }
    }

    private bool TryStartProcess(out Process process, out string error)
    {
        process = null!;
        error = "";
        var container = Template.Container;
        var command = container.Command is { Count: > 0 } explicitCommand ? explicitCommand.ToList() : _host.Images.Current.Resolve(Template.Image)?.ToList();
        if (command is null)
        {
            error = $"image \"{Template.Image}\" has no command: give the container a command, or map the image in the image table ({_host.Images.Path}, read again when it changes)";
            return false;
        }

        command.AddRange(container.Args ?? []);
        var workingDirectory = string.IsNullOrEmpty(container.WorkingDir) ? _host.Directory.Path : container.WorkingDir;
        if (Executables.Resolve(command[0], Environment.GetEnvironmentVariable("PATH"), workingDirectory, out var missing) is null)
        {
            error = $"cannot start \"{command[0]}\": {missing}; check the container's command (or the image table entry for {Template.Image})";
            return false;
        }

        // setsid makes the replica the leader of its own session and process group (it execs in place, so the pid
        // is the program's): a terminal's Ctrl-C reaches the runtime only, which stops replicas in its own way, and
        // the group lets a stop reach every process the replica started.
        var start = new ProcessStartInfo(ReplicaLauncher.Setsid ?? command[0])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = workingDirectory,
        };
        if (ReplicaLauncher.Setsid is not null)
        {
            start.ArgumentList.Add("--");
            start.ArgumentList.Add(command[0]);
        }

        foreach (var argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var variable in container.Env ?? [])
        {
            if (variable.ValueFrom is not null)
            {
                error = $"env {variable.Name}: valueFrom is not supported on the single-host runtime; give a value";
                return false;
            }

            start.Environment[variable.Name] = variable.Value ?? "";
        }

        start.Environment["PORT"] = Port.ToString(CultureInfo.InvariantCulture);
        start.Environment["POD_NAME"] = Name;
        start.Environment["FLEDGE_IMAGE"] = Template.Image;
        start.Environment["FLEDGE_REVISION"] = Template.Revision.ToString(CultureInfo.InvariantCulture);
        start.Environment["FLEDGE_DATA_DIR"] = _host.Directory.Path;

        var log = new StreamWriter(new FileStream(_host.Directory.LogOf(Name), FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        try
        {
            process = Process.Start(start) ?? throw new Win32Exception($"{command[0]} did not start");
        }
        catch (Win32Exception e)
        {
            log.Dispose();
            error = $"cannot start \"{command[0]}\": {e.Message}; check the container's command (or the image table entry for {Template.Image})";
            return false;
        }

        _host.Store.PutProcess(Name, process.Id, _host.Time.GetUtcNow());
        var writeLock = new Lock();
        void Write(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (writeLock)
            {
                log.WriteLine(line);
            }
        }

        process.OutputDataReceived += (_, e) => Write(e.Data);
        process.ErrorDataReceived += (_, e) => Write(e.Data);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => Task.Delay(200).ContinueWith(_ => log.Dispose(), TaskScheduler.Default);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        lock (_gate)
        {
            _process = process;
        }

        return true;
    }

    private async Task StopCoreAsync()
    {
        Update(ReplicaPhase.Terminating, null, ready: false);
        await _life.CancelAsync();
        Process? process;
        lock (_gate)
        {
            process = _process;
        }

        if (process is { HasExited: false })
        {
            await TerminateAsync(process, runPreStop: true);
        }

        if (_run is not null)
        {
            await _run;
        }

        _host.Store.DeleteProcess(Name);
        Dispose();
    }

    public void Dispose() => _life.Dispose();

    /// <summary>preStop (when stopping), SIGTERM, wait terminationGracePeriodSeconds, then SIGKILL the process tree.</summary>
    private async Task TerminateAsync(Process process, bool runPreStop = false)
    {
        var grace = Template.GracePeriod;
        using var deadline = new CancellationTokenSource(grace);
        try
        {
            if (runPreStop && Template.Container.Lifecycle?.PreStop is { } preStop)
            {
                await RunPreStopAsync(preStop, deadline.Token);
            }

            Signals.Send(process.Id, Signals.SigTerm);
            await ExitedAsync(process).WaitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            _host.Logger.LogWarning("{Replica} did not stop within {Grace}s; killing it", Name, grace.TotalSeconds);
            Signals.SendGroup(process.Id, Signals.SigKill);
            process.Kill(entireProcessTree: true);
            await ExitedAsync(process);
        }
    }

    private async Task RunPreStopAsync(V1LifecycleHandler preStop, CancellationToken cancel)
    {
        var probe = new V1Probe { HttpGet = preStop.HttpGet, Exec = preStop.Exec, TcpSocket = preStop.TcpSocket };
        if (preStop.Sleep is { } sleep)
        {
            await Task.Delay(TimeSpan.FromSeconds(sleep.Seconds), _host.Time, cancel);
            return;
        }

        var outcome = await ProbeCheck.RunAsync(probe, Port, Template.GracePeriod, cancel);
        if (!outcome.Success)
        {
            _host.Logger.LogWarning("{Replica}: preStop hook failed: {Detail}", Name, outcome.Detail);
        }
    }

    /// <summary>Changes phase, message and readiness (null leaves one as it is) and tells the host when anything changed.</summary>
    private void Update(ReplicaPhase? phase, string? message, bool? ready)
    {
        ReplicaView view;
        lock (_gate)
        {
            var changed = false;
            if (phase is { } p && p != _phase && !(IsStopping && p != ReplicaPhase.Terminating))
            {
                _phase = p;
                changed = true;
            }

            if (message != _message && (message is not null || phase is not null || ready == true))
            {
                _message = message;
                changed = true;
            }

            if (ready is { } r && r != _ready && !(IsStopping && r))
            {
                _ready = r;
                _readySince = r ? _host.Time.GetUtcNow() : null;
                changed = true;
            }

            if (!changed)
            {
                return;
            }

            view = new ReplicaView(Name, Template.Rollout, Template.ReplicaSet, Template.Revision, Template.Image,
                new Dictionary<string, string>(Template.Labels), Port, _phase, _ready, _readySince, _restarts, _message, CreatedAt,
                _process is { HasExited: false } proc ? proc.Id : null);
        }

        _host.Changed(view);
    }

    /// <summary>Waits out a back-off; false when the replica is stopping. <see cref="RetryNow"/> ends the wait early.</summary>
    private async Task<bool> DelayAsync(TimeSpan delay)
    {
        using var backOff = CancellationTokenSource.CreateLinkedTokenSource(_life.Token);
        lock (_gate)
        {
            _backOff = backOff;
        }

        try
        {
            await Task.Delay(delay, _host.Time, backOff.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return !_life.IsCancellationRequested;
        }
        finally
        {
            lock (_gate)
            {
                _backOff = null;
            }
        }
    }

    /// <summary>Ends a back-off now, when what made the replica fail may have been fixed (the image table changed).</summary>
    public void RetryNow()
    {
        lock (_gate)
        {
            _backOff?.Cancel();
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>
    /// Completes when the process has exited. Process.WaitForExitAsync also waits for the end of its redirected
    /// output, which never comes while a child the process left behind holds the pipe.
    /// </summary>
    private static Task ExitedAsync(Process process)
    {
        var exited = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.Exited += (_, _) => exited.TrySetResult();
        if (process.HasExited)
        {
            exited.TrySetResult();
        }

        return exited.Task;
    }

    /// <summary>Lets the last lines of output reach the log, for a moment at most.</summary>
    private static async Task DrainOutputAsync(Process process)
    {
        using var drained = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await process.WaitForExitAsync(drained.Token);
        }
        catch (OperationCanceledException)
        {
            // Something outside the group still holds the output; the log is closed without it.
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
