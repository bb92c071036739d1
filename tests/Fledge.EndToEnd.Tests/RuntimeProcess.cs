using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Fledge.Cli;

namespace Fledge.EndToEnd.Tests;

/// <summary>
/// A real `fledge serve` in its own process on a temporary data directory, and the `fledge` commands run
/// against it (the production CLI code, in this process, over the real unix socket).
/// </summary>
internal sealed class RuntimeProcess : IAsyncDisposable
{
    private readonly StringBuilder _output = new();
    private Process _process = null!;

    private readonly IReadOnlyList<string> _serveArguments;

    private RuntimeProcess(string dataDirectory, IReadOnlyList<string> serveArguments)
    {
        DataDirectory = dataDirectory;
        _serveArguments = serveArguments;
    }

    public string DataDirectory { get; }

    public int Pid => _process.Id;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <param name="serveArguments">More arguments for `fledge serve`, such as --metrics-api URL.</param>
    public static async Task<RuntimeProcess> StartAsync(string? dataDirectory = null, IReadOnlyList<string>? serveArguments = null)
    {
        var runtime = new RuntimeProcess(dataDirectory ?? Path.Combine(Path.GetTempPath(), $"fledge-e2e-{Guid.NewGuid():N}"), serveArguments ?? []);
        await runtime.StartProcessAsync();
        return runtime;
    }

    /// <summary>Starts `fledge serve` again on the same data directory.</summary>
    public async Task RestartAsync() => await StartProcessAsync();

    public static string FledgeDll => Path.Combine(AppContext.BaseDirectory, "fledge.dll");

    /// <summary>Runs a fledge command against this runtime.</summary>
    public (int ExitCode, string Output, string Error) Fledge(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = FledgeCli.Run(["--data-dir", DataDirectory, .. args], CliContext.ForWriters(output, error));
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>Reads the control API directly, as the CLI and the dashboard do.</summary>
    public T Api<T>(string path)
    {
        using var client = new Fledge.Cli.Client.ControlClient(DataDirectory);
        return client.GetAsync<T>(path).GetAwaiter().GetResult();
    }

    public void Apply(string yaml)
    {
        var path = Path.Combine(DataDirectory, $"apply-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, yaml);
        var (code, _, error) = Fledge("apply", "-f", path);
        code.ShouldBe(0, error);
    }

    /// <summary>Waits for `rollout status` to report success.</summary>
    public void WaitForRollout(string name, string timeout = "3m")
    {
        var (code, output, error) = Fledge("rollout", "status", name, "--timeout", timeout);
        code.ShouldBe(0, $"{output}\n{error}\n{Output}");
    }

    /// <summary>Ends the runtime with SIGKILL: no chance to stop its replicas.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: false);
        _process.WaitForExit();
    }

    /// <summary>
    /// A command started as a shell starts a foreground job: the leader of a process group of its own (env and setsid
    /// exec in place, so the pid is the command's), which a terminal's Ctrl-C signals as a whole.
    /// </summary>
    public static ProcessStartInfo Terminal(string program, IEnumerable<string> arguments)
    {
        // A terminal's foreground job has SIGINT and SIGQUIT at their defaults, however the tests were started (a
        // script's background job inherits them ignored): env --default-signal restores them before setsid execs.
        var start = new ProcessStartInfo("env") { UseShellExecute = false };
        foreach (var argument in new[] { "--default-signal=INT,QUIT", "setsid", "--", program }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    /// <summary>Ctrl-C in the terminal: SIGINT to every process of the runtime's foreground process group.</summary>
    public void Interrupt() => _ = Posix.Kill(-_process.Id, 2);

    /// <summary>Waits for the runtime to exit by itself and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    /// <summary>Stops the runtime with SIGTERM and returns its exit code.</summary>
    public async Task<int> StopAsync()
    {
        if (_process.HasExited)
        {
            return _process.ExitCode;
        }

        _ = Posix.Kill(_process.Id, 15);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await StopAsync();
        }

        foreach (var pid in ReplicaProcesses(DataDirectory))
        {
            _ = Posix.Kill(pid, 9);
        }

        _process.Dispose();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a log still being written.
        }
    }

    /// <summary>Processes started by a runtime on this data directory (recognised by FLEDGE_DATA_DIR).</summary>
    public static List<int> ReplicaProcesses(string dataDirectory)
    {
        var marker = $"FLEDGE_DATA_DIR={Path.GetFullPath(dataDirectory)}";
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                if (File.ReadAllText(Path.Combine(dir, "environ")).Split('\0').Contains(marker))
                {
                    found.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone, or not ours to read.
            }
        }

        return found;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task StartProcessAsync()
    {
        lock (_output)
        {
            _output.Clear();
        }

        var start = Terminal(Tools.Dotnet, [FledgeDll, "serve", "--data-dir", DataDirectory, "--metrics-port", "0", .. _serveArguments]);
        start.RedirectStandardError = start.RedirectStandardOutput = true;

        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!Output.Contains("ready; stop with", StringComparison.Ordinal))
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"fledge serve did not start:\n{Output}");
            }

            await Task.Delay(50);
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}

internal static partial class Posix
{
    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "kill")]
    public static partial int Kill(int pid, int signal);
}
