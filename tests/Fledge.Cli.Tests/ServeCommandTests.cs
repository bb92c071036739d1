namespace Fledge.Cli.Tests;

public sealed class ServeCommandTests
{
    [Theory]
    [InlineData("notaurl")]
    [InlineData("ftp://metrics.example/")]
    [InlineData("/apis/custom.metrics.k8s.io")]
    public void Serve_MetricsApiNotAnHttpUrl_IsRefusedBeforeAnythingStarts(string value)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"fledge-serve-{Guid.NewGuid():N}");

        var run = CliRun.Of("serve", "--data-dir", dataDirectory, "--metrics-api", value);

        run.ExitCode.ShouldBe(ExitCodes.InvalidInput);
        run.Error.ShouldContain($"--metrics-api: Invalid value: \"{value}\": give an absolute http or https URL");
        Directory.Exists(dataDirectory).ShouldBeFalse("nothing is created for input that is refused");
    }

    [Fact]
    public void Serve_MetricsApiTokenFileMissing_IsRefusedBeforeAnythingStarts()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"fledge-serve-{Guid.NewGuid():N}");

        var run = CliRun.Of("serve", "--data-dir", dataDirectory, "--metrics-api", "http://127.0.0.1:8443", "--metrics-api-token-file", "/nonexistent/token");

        run.ExitCode.ShouldBe(ExitCodes.InvalidInput);
        run.Error.ShouldContain("--metrics-api-token-file: Invalid value: \"/nonexistent/token\": no such file");
        Directory.Exists(dataDirectory).ShouldBeFalse();
    }
}
