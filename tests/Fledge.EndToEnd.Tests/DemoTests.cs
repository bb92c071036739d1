using System.Diagnostics;

namespace Fledge.EndToEnd.Tests;

/// <summary>The README's main command, `fledge demo`, run as a user runs it: it must end well and leave its picture behind.</summary>
public sealed class DemoTests
{
    [Fact(Timeout = 300_000)]
    public async Task Demo_RunsEveryReleaseWithoutAFailedRequest_AndDrawsTheTimeline()
    {
        var picture = Path.Combine(Path.GetTempPath(), $"fledge-demo-test-{Guid.NewGuid():N}.png");
        try
        {
            using var process = Process.Start(new ProcessStartInfo(Tools.Dotnet, [RuntimeProcess.FledgeDll, "demo", "--timeline", picture])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
            var text = await output;

            process.ExitCode.ShouldBe(0, text + await error);
            var requestLines = text.Split('\n').Where(l => l.StartsWith("requests: ", StringComparison.Ordinal)).ToList();
            requestLines.Count.ShouldBe(3, text);
            requestLines.ShouldAllBe(l => l.Contains(" 0 failed", StringComparison.Ordinal));
            text.ShouldContain("Healthy: step 4/4");
            text.ShouldContain("RolloutAborted: metric \"error-rate\" assessed Failed");
            text.ShouldContain("v3 was rolled back by itself");
            text.ShouldContain(picture);
            var png = await File.ReadAllBytesAsync(picture, TestContext.Current.CancellationToken);
            png.Take(8).ShouldBe(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A });
            png.Length.ShouldBeGreaterThan(20_000);
            var dataDirectory = System.Text.RegularExpressions.Regex.Match(text, "fledge-demo-[0-9a-f]{32}").Value;
            dataDirectory.ShouldNotBeEmpty();
            RuntimeProcess.ReplicaProcesses(Path.Combine(Path.GetTempPath(), dataDirectory)).ShouldBeEmpty();
        }
        finally
        {
            File.Delete(picture);
        }
    }
}
