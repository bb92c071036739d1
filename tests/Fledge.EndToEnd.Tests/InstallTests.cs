using System.Diagnostics;

namespace Fledge.EndToEnd.Tests;

/// <summary>The README's install step, as a newcomer runs it: `./build.sh install` gives a `fledge` that works, and `kubectl fledge`.</summary>
public sealed class InstallTests
{
    // A ReadyToRun pack takes about two minutes alone, and several times that while the Kubernetes tests share the two cores.
    [Fact(Timeout = 900_000)]
    public async Task BuildShInstall_InstallsFledgeAndTheKubectlPlugin()
    {
        var repository = Path.GetDirectoryName(ReadmeWalkthrough.ReadmePath)!;
        var tools = Path.Combine(Path.GetTempPath(), $"fledge-tools-{Guid.NewGuid():N}");
        try
        {
            var (code, output) = await RunAsync(repository, Path.Combine(repository, "build.sh"), ["install"], ("FLEDGE_TOOL_PATH", tools));
            code.ShouldBe(0, output);
            output.ShouldContain($"installed: {tools}/fledge and the kubectl plugin {tools}/kubectl-fledge");

            // The installed command runs from anywhere, without the checkout's build.
            var fledge = Path.Combine(tools, "fledge");
            (code, output) = await RunAsync(Path.GetTempPath(), fledge, ["simulate", "-f", SampleFiles.PathOf("hello-v1.yaml"), "-f", SampleFiles.PathOf("hello-v2.yaml")]);
            code.ShouldBe(0, output);
            output.ShouldContain("Result: Complete after 18s");

            // kubectl finds the plugin on PATH, and it is the same command.
            var kubectl = Tools.Require("kubectl", "kubernetes-client");
            var path = ("PATH", $"{tools}:{Environment.GetEnvironmentVariable("PATH")}");
            (code, output) = await RunAsync(Path.GetTempPath(), kubectl, ["fledge", "--help"], path);
            code.ShouldBe(0, output);
            output.ShouldContain("Fledge ships new versions of a service safely");
            (code, output) = await RunAsync(Path.GetTempPath(), kubectl, ["fledge", "get", "rollouts", "--data-dir", "/nonexistent"], path);
            code.ShouldBe(3, output);
            output.ShouldContain("no fledge runtime is running on /nonexistent");
        }
        finally
        {
            if (Directory.Exists(tools))
            {
                Directory.Delete(tools, recursive: true);
            }
        }
    }

    private static async Task<(int Code, string Output)> RunAsync(string directory, string program, string[] arguments, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo(program, arguments) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await output + await error);
    }
}
