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
    [Fact]
    public void Serve_DataDirectoryOthersMayWrite_IsRefusedAndLeftAsItWas()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("fledge-shared-").FullName;
        File.SetUnixFileMode(dataDirectory, (UnixFileMode)0b111_111_111);
        try
        {
            var run = CliRun.Of("serve", "--data-dir", dataDirectory, "--metrics-port", "0");

            run.ExitCode.ShouldBe(ExitCodes.InvalidInput);
            run.Error.ShouldContain($"data directory {dataDirectory} can be written by other users (mode 0777)");
            run.Error.ShouldContain($"chmod go-w {dataDirectory}");
            File.GetUnixFileMode(dataDirectory).ShouldBe((UnixFileMode)0b111_111_111, "an existing directory's mode is never changed");
            Directory.EnumerateFileSystemEntries(dataDirectory).ShouldBeEmpty("nothing is written into a directory that is refused");
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    [Fact]
    public void Serve_DataDirectoryThroughASymbolicLink_IsRefused()
    {
        var target = Directory.CreateTempSubdirectory("fledge-target-").FullName;
        var link = target + "-link";
        File.CreateSymbolicLink(link, target);
        try
        {
            var run = CliRun.Of("serve", "--data-dir", link, "--metrics-port", "0");

            run.ExitCode.ShouldBe(ExitCodes.InvalidInput);
            run.Error.ShouldContain($"data directory {link} is a symbolic link");
        }
        finally
        {
            File.Delete(link);
            Directory.Delete(target, recursive: true);
        }
    }

    [Fact]
    public void Serve_DataDirectoryOfAnotherUser_IsRefused()
    {
        // As root, a directory given to nobody; as anyone else, the root directory, which is root's.
        var root = Environment.UserName == "root";
        var dataDirectory = root ? Directory.CreateTempSubdirectory("fledge-theirs-").FullName : "/";
        if (root)
        {
            File.SetUnixFileMode(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            Chown(dataDirectory, 65534).ShouldBe(0);
        }

        try
        {
            var run = CliRun.Of("serve", "--data-dir", dataDirectory, "--metrics-port", "0");

            run.ExitCode.ShouldBe(ExitCodes.InvalidInput);
            run.Error.ShouldContain($"data directory {dataDirectory} belongs to another user");
        }
        finally
        {
            if (root)
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
        }
    }

    [Fact]
    public void Serve_ImageTableOthersMayWrite_IsRefused()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("fledge-images-").FullName;
        var images = Path.Combine(dataDirectory, "images.yaml");
        File.WriteAllText(images, "example/app: [\"/bin/true\"]\n");
        File.SetUnixFileMode(images, (UnixFileMode)0b110_110_110);
        try
        {
            var run = CliRun.Of("serve", "--data-dir", dataDirectory, "--metrics-port", "0");

            run.ExitCode.ShouldBe(ExitCodes.InvalidInput);
            run.Error.ShouldContain($"images.yaml {images} can be written by other users (mode 0666)");
            File.GetUnixFileMode(images).ShouldBe((UnixFileMode)0b110_110_110);
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    [Fact]
    public void Serve_StateLostWhereReplicasRan_IsRefusedInsteadOfStartingFromNothing()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("fledge-lost-").FullName;
        Directory.CreateDirectory(Path.Combine(dataDirectory, "logs"));
        File.WriteAllText(Path.Combine(dataDirectory, "logs", "hello-abc-xyz12.log"), "hello v1 listening\n");
        try
        {
            var run = CliRun.Of("serve", "--data-dir", dataDirectory, "--metrics-port", "0");

            run.ExitCode.ShouldBe(ExitCodes.Unavailable);
            run.Error.ShouldContain($"{dataDirectory}/state.db is missing, but {dataDirectory}/logs holds the logs of 1 replica(s): the runtime's state was lost");
            run.Error.ShouldContain($"mv {dataDirectory} {dataDirectory}.old");
            File.Exists(Path.Combine(dataDirectory, "state.db")).ShouldBeFalse("nothing is started on a lost state");
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    [Fact]
    public void Serve_StateDatabaseDamaged_IsRefusedWithTheFileAndTheWayOut()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("fledge-damaged-").FullName;
        var database = Path.Combine(dataDirectory, "state.db");
        var garbage = Enumerable.Range(0, 8192).Select(i => (byte)(i * 31)).ToArray();
        File.WriteAllBytes(database, garbage);
        try
        {
            var run = CliRun.Of("serve", "--data-dir", dataDirectory, "--metrics-port", "0");

            run.ExitCode.ShouldBe(ExitCodes.Unavailable);
            run.Error.ShouldContain($"{database} cannot be read");
            run.Error.ShouldContain("restore it from a backup");
            File.ReadAllBytes(database).ShouldBe(garbage, "a damaged state is left as it is, for whoever can save it");
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "chown", SetLastError = true)]
    private static extern int Chown(string path, int owner, int group = -1);
}
