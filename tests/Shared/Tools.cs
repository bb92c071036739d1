namespace Fledge.Tests;

/// <summary>
/// The programs the tests run for real (Prometheus, a browser, a Kubernetes control plane). `./build.sh test`
/// installs them; a test run without them fails with the one line that does.
/// </summary>
internal static class Tools
{
    /// <summary>The dotnet host that runs fledge.dll (under `dotnet test` this process is the test's own executable, not dotnet).</summary>
    public static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
        : Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";

    /// <summary>The full path of <paramref name="program"/> on PATH; fails the test with how to install it when it is missing.</summary>
    public static string Require(string program, string debianPackage)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            $"{program} is not installed; run `./build.sh setup` (or: sudo apt-get install -y {debianPackage}), or run the tests with `./build.sh test`, which does");
    }
}
