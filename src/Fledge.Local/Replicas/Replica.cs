using System.Globalization;
using Fledge.Local.Probes;
using Fledge.Local.Store;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Fledge.Local.Replicas;

/// <summary>
/// One replica: a process started from its container's command (never through a shell), restarted with
/// back-off when it exits, probed as Kubernetes probes containers, and stopped gracefully: out of every
/// Service first, then preStop, SIGTERM, terminationGracePeriodSeconds, SIGKILL. A replica an earlier runtime
/// started and left running is adopted: probed from where it is, never restarted for the runtime's sake.
/// </summary>
internal sealed partial class Replica : IDisposable
{
    private static readonly TimeSpan FirstBackOff = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MaxBackOff = TimeSpan.FromMinutes(5);

    private readonly ReplicaHost _host;
    private readonly CancellationTokenSource _life = new();
    private readonly Lock _gate = new();
    private ReplicaProcess? _process;
    private Task? _run;
    private Task? _stopping;
    private ReplicaPhase _phase = ReplicaPhase.Pending;
    private bool _ready;
    private DateTimeOffset? _readySince;
    private int _restarts;
    private string? _message;
    private CancellationTokenSource? _backOff;
    private int _logProblems;
    private string? _logProblem;

    /// <param name="adopted">A process an earlier runtime started for this replica, still running: taken over, not started again.</param>
    public Replica(ReplicaHost host, ReplicaTemplate template, string name, int port, ReplicaProcess? adopted = null, DateTimeOffset? createdAt = null)
    {
        _host = host;
        Template = template;
        Name = name;
        Port = port;
        CreatedAt = createdAt ?? host.Time.GetUtcNow();
        _process = adopted;
        if (adopted is not null)
        {
            // As pods keep their Ready condition while a kubelet restarts: it served until a moment ago, so it serves on,
            // until its readiness probe (run at once) says otherwise.
            (_phase, _ready, _readySince) = (ReplicaPhase.Running, true, CreatedAt);
        }
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
            return Snapshot();
        }
    }

    /// <summary>The view as it is (called under the gate).</summary>
    private ReplicaView Snapshot() =>
        new(Name, Template.Rollout, Template.ReplicaSet, Template.Revision, Template.Image,
            new Dictionary<string, string>(Template.Labels), Port, _phase, _ready, _readySince, _restarts, _message, CreatedAt,
            _process is { HasExited: false } p ? p.Pid : null)
        {
            LogProblems = _logProblems,
            LogProblem = _logProblem,
        };

    /// <summary>Keeps the replica's log within <paramref name="limits"/>; a failure is counted and shown on the pod, never thrown.</summary>
    public void RotateLog(LogLimits limits)
    {
        if (LogRotation.Rotate(_host.Directory.LogOf(Name), limits) is { } problem)
        {
            lock (_gate)
            {
                _logProblems++;
                _logProblem = problem;
            }

            _host.Logger.LogWarning("{Replica}: {Problem}", Name, problem);
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
        var adopted = _process;
        while (!_life.IsCancellationRequested)
        {
            ReplicaProcess? process = adopted;
            var error = "";
            if (process is null && !TryStartProcess(out process, out error))
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
            int? exitCode;
            using (var probes = CancellationTokenSource.CreateLinkedTokenSource(_life.Token))
            {
                var probing = RunProbesAsync(process!, started: adopted is null, probes.Token);
                adopted = null;
                exitCode = await process!.Exited;
                await probes.CancelAsync();
                await probing;
            }

            // As when a container's main process ends: whatever it started goes with it.
            Signals.SendGroup(process.Pid, Signals.SigKill);
            _host.Cgroups.KillAll(Name);
            _host.Store.ForgetProcess(Name);
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
                : exitCode is { } code ? $"exited with code {code}" : "exited (its exit code is unknown: an earlier runtime started it)";
            Update(ReplicaPhase.CrashLoopBackOff, $"back-off {backOff.TotalSeconds:0}s restarting failed container: {reason}", ready: false);
            if (!await DelayAsync(backOff))
            {
                return;
            }

            backOff = Min(backOff * 2, MaxBackOff);
        }
    }

    private bool TryStartProcess(out ReplicaProcess? process, out string error)
    {
        process = null;
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
        if (Executables.Resolve(command[0], Environment.GetEnvironmentVariable("PATH"), workingDirectory, out var missing) is not { } program)
        {
            error = $"cannot start \"{command[0]}\": {missing}; check the container's command (or the image table entry for {Template.Image})";
            return false;
        }

        // The runtime's own environment, then the container's, then what Fledge tells every replica.
        var environment = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "", StringComparer.Ordinal);
        foreach (var variable in container.Env ?? [])
        {
            if (variable.ValueFrom is not null)
            {
                error = $"env {variable.Name}: valueFrom is not supported on the single-host runtime; give a value";
                return false;
            }

            environment[variable.Name] = variable.Value ?? "";
        }

        environment["PORT"] = Port.ToString(CultureInfo.InvariantCulture);
        environment["POD_NAME"] = Name;
        environment["FLEDGE_IMAGE"] = Template.Image;
        environment["FLEDGE_REVISION"] = Template.Revision.ToString(CultureInfo.InvariantCulture);
        environment["FLEDGE_DATA_DIR"] = _host.Directory.Path;
        try
        {
            process = _host.Cgroups.Start(Name, () => ReplicaProcess.Start(program, command, environment, workingDirectory, _host.Directory.LogOf(Name)));
        }
        catch (IOException e)
        {
            error = $"{e.Message}; check the container's command (or the image table entry for {Template.Image})";
            return false;
        }

        try
        {
            _host.Store.PutProcess(new StoredProcess(Name, process.Pid, process.StartTicks, Template.ReplicaSet, Port, _host.Time.GetUtcNow()));
        }
        catch (StateWriteException e)
        {
            // A process the store does not know of would outlive a crash unowned: it does not run.
            Signals.SendGroup(process.Pid, Signals.SigKill);
            _host.Cgroups.KillAll(Name);
            error = e.Message;
            return false;
        }

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
        ReplicaProcess? process;
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

        _host.Cgroups.KillAll(Name);
        _host.Store.ForgetProcess(Name);

        Dispose();
    }

    public void Dispose() => _life.Dispose();

    /// <summary>preStop (when stopping), SIGTERM, wait terminationGracePeriodSeconds, then SIGKILL the whole process group.</summary>
    private async Task TerminateAsync(ReplicaProcess process, bool runPreStop = false)
    {
        var grace = Template.GracePeriod;
        using var deadline = new CancellationTokenSource(grace);
        try
        {
            if (runPreStop && Template.Container.Lifecycle?.PreStop is { } preStop)
            {
                await RunPreStopAsync(preStop, deadline.Token);
            }

            Signals.Send(process.Pid, Signals.SigTerm);
            await process.Exited.WaitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            _host.Logger.LogWarning("{Replica} did not stop within {Grace}s; killing it", Name, grace.TotalSeconds);
            Signals.SendGroup(process.Pid, Signals.SigKill);
            Signals.Send(process.Pid, Signals.SigKill);
            _host.Cgroups.KillAll(Name);
            await process.Exited;
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

            view = Snapshot();
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
}
