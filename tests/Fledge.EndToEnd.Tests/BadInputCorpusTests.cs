namespace Fledge.EndToEnd.Tests;

/// <summary>
/// Hostile and broken files, each given to every command that reads files, against a real runtime: each gets a
/// message and exit 2, never a .NET stack trace, and the runtime serves on.
/// </summary>
public sealed class BadInputCorpusTests(SharedRuntime shared) : IClassFixture<SharedRuntime>
{
    private RuntimeProcess Runtime => shared.Runtime;

    private static string Rollout(string spec, string metadata = "  name: bad\n") =>
        $"apiVersion: fledge.io/v1alpha1\nkind: Rollout\nmetadata:\n{metadata}spec:\n{spec}";

    // Named apart from the shared runtime's hello: `delete -f` of a file that reads is a real delete.
    private static readonly string Valid = SampleFiles.Read("hello-v1.yaml").Replace("name: hello\n", "name: corpus\n", StringComparison.Ordinal);

    public static TheoryData<string, string> Corpus => new()
    {
        { "empty", "" },
        { "only a comment", "# nothing here\n" },
        { "binary", new string(Enumerable.Range(0, 512).Select(i => (char)(i * 37 % 256)).ToArray()) },
        { "unclosed flow mapping", "apiVersion: v1\nkind: Service\nmetadata: {name: x\nspec: {}\n" },
        { "unclosed flow sequence", "apiVersion: v1\nkind: [Service\n" },
        { "bad indentation", "apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n   bad: indent\n" },
        { "tabs", "apiVersion: v1\n\tkind: Service\n" },
        { "nested 100000 deep", "apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec:\n  x: " + new string('[', 100_000) + new string(']', 100_000) + "\n" },
        { "billion laughs", Laughs() },
        { "two megabytes", Valid + "# " + new string('x', 2 * 1024 * 1024) + "\n" },
        { "replicas not a number", Valid.Replace("replicas: 5", "replicas: abc", StringComparison.Ordinal) },
        { "replicas past int32", Valid.Replace("replicas: 5", "replicas: 99999999999999999999", StringComparison.Ordinal) },
        { "replicas at int32", Valid.Replace("replicas: 5", "replicas: 2147483647", StringComparison.Ordinal) },
        { "metadata a list", "apiVersion: fledge.io/v1alpha1\nkind: Rollout\nmetadata: [1, 2]\nspec: {}\n" },
        { "spec a string", Rollout("") + "  spec-is-not-here\n" },
        { "spec a scalar", "apiVersion: fledge.io/v1alpha1\nkind: Rollout\nmetadata: {name: bad}\nspec: hello\n" },
        { "containers a string", Valid.Replace("      containers:\n", "      containers: nope\n      x:\n", StringComparison.Ordinal) },
        { "a list document", "- a\n- b\n" },
        { "broken JSON", "{\"apiVersion\": \"fledge.io/v1alpha1\", \"kind\": " },
        { "duplicate keys", Valid.Replace("  replicas: 5\n", "  replicas: 5\n  replicas: 6\n", StringComparison.Ordinal) },
        { "negative grace period", Valid.Replace("    spec:\n", "    spec:\n      terminationGracePeriodSeconds: -5\n", StringComparison.Ordinal) },
        { "annotation of 300 KiB", Valid.Replace("hello v1", new string('x', 300 * 1024), StringComparison.Ordinal) },
        { "name with unicode", Valid.Replace("name: corpus\n", "name: cörpus\n", StringComparison.Ordinal) },
        { "condition nested 8000 deep", SampleFiles.Read("canary/error-rate-template.yaml")
            .Replace("result < 0.05", new string('(', 8000) + "result < 0.05" + new string(')', 8000), StringComparison.Ordinal) },
        { "condition nested 100 deep", SampleFiles.Read("canary/error-rate-template.yaml")
            .Replace("result < 0.05", new string('(', 100) + "result < 0.05" + new string(')', 100), StringComparison.Ordinal) },
        { "canary deployment tracks a number", "apiVersion: kanarini.nilebox.github.com/v1alpha1\nkind: CanaryDeployment\nmetadata: {name: x}\nspec:\n  tracks: 5\n" },
        { "list items a string", "apiVersion: v1\nkind: List\nitems: nope\n" },
        { "service port out of range", "apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec:\n  selector: {app: x}\n  ports: [{port: 70000}]\n" },
        { "only document markers", "---\n---\n...\n" },
        { "unknown kind", "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\n" },
    };

    private static string Laughs()
    {
        var lines = new List<string> { "    a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]" };
        var previous = 'a';
        foreach (var name in "bcdefghij")
        {
            lines.Add($"    {name}: &{name} [{string.Join(",", Enumerable.Repeat($"*{previous}", 9))}]");
            previous = name;
        }

        return "apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec:\n  selector:\n" + string.Join("\n", lines) + "\n";
    }

    [Theory(Timeout = 120_000)]
    [MemberData(nameof(Corpus))]
    public async Task EveryCommandThatReadsFiles_BadInput_GetsAMessageNeverAStackTrace(string name, string content)
    {
        var path = Path.Combine(Runtime.DataDirectory, $"corpus-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(path, content, TestContext.Current.CancellationToken);
        foreach (var command in new[] { new[] { "simulate", "-f", path }, ["plan", "-f", path], ["apply", "-f", path], ["delete", "-f", path], ["analysis", "run", "-f", path] })
        {
            var (code, output, error) = Runtime.Fledge(command);

            var said = $"`fledge {string.Join(' ', command[..^1])}` on the \"{name}\" file: exit {code}\n{output}\n{error}";
            code.ShouldBeOneOf([1, 2], said);
            error.ShouldStartWith("error: ", Case.Sensitive, said);
            (output + error).ShouldNotContain("   at ", Case.Sensitive, said);
            (output + error).ShouldNotContain("Exception", Case.Sensitive, said);
        }

        Runtime.Fledge("get", "rollouts").ExitCode.ShouldBe(0, Runtime.Output);
        await shared.HelloStillServesAsync();
    }
}
