using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Fledge.EndToEnd.Tests;

/// <summary>
/// The README's walkthrough as steps to run: every command of its `sh` blocks in order, with what the README
/// promises it prints. A line ending in `# → A … B` promises A, then B, in its output (`exit N` promises the exit
/// code, 0 otherwise); a `text` block right after a block shows lines its last command prints. A block after
/// `&lt;!-- walkthrough: skip (why) --&gt;` is not run.
/// </summary>
internal static partial class ReadmeWalkthrough
{
    public sealed record Step(int Line, string Command, int ExpectedExit, IReadOnlyList<string> Fragments)
    {
        public List<string> OutputLines { get; } = [];

        public bool Serve => Command.StartsWith("fledge serve", StringComparison.Ordinal);
    }

    public static string ReadmePath { get; } = Path.Combine(Path.GetDirectoryName(SampleFiles.Directory)!, "..", "README.md");

    public static List<Step> Parse(string markdown)
    {
        var lines = markdown.Split('\n');
        var start = Array.FindIndex(lines, l => l.TrimEnd() == "## Walkthrough");
        var end = Array.FindIndex(lines, start + 1, l => l.StartsWith("## ", StringComparison.Ordinal));
        var steps = new List<Step>();
        Step? lastOfBlock = null;
        for (var i = start; i < (end < 0 ? lines.Length : end); i++)
        {
            var fence = lines[i].Trim();
            if (fence is not ("```sh" or "```text"))
            {
                if (fence.Length > 0)
                {
                    lastOfBlock = null;
                }

                if (fence.StartsWith("```", StringComparison.Ordinal))
                {
                    i = Array.FindIndex(lines, i + 1, l => l.Trim() == "```");
                }

                continue;
            }

            var close = Array.FindIndex(lines, i + 1, l => l.Trim() == "```");
            var body = lines[(i + 1)..close];
            if (fence == "```text")
            {
                lastOfBlock?.OutputLines.AddRange(body.Where(l => l.Trim().Length > 0));
            }
            else if (!lines[Math.Max(0, i - 2)..i].Any(l => l.StartsWith("<!-- walkthrough: skip", StringComparison.Ordinal)))
            {
                lastOfBlock = null;
                var command = new StringBuilder();
                for (var j = 0; j < body.Length; j++)
                {
                    var line = body[j].TrimEnd();
                    if (command.Length == 0 && (line.Trim().Length == 0 || line.TrimStart().StartsWith('#')))
                    {
                        continue;
                    }

                    if (line.EndsWith('\\'))
                    {
                        command.Append(line[..^1]).Append(' ');
                        continue;
                    }

                    command.Append(line);
                    lastOfBlock = Promise(i + 2 + j, command.ToString());
                    steps.Add(lastOfBlock);
                    command.Clear();
                }
            }

            i = close;
        }

        return steps;
    }

    /// <summary>Runs the steps in one bash session, as a user types them into one terminal, and returns each step's output and exit code.</summary>
    public static string Script(IReadOnlyList<Step> steps, string serveLog, string servePid)
    {
        var script = new StringBuilder();
        script.AppendLine("exec 2>&1");
        // Job control on, as in a terminal: a background job does not ignore SIGINT, so Ctrl-C reaches `fledge serve`.
        script.AppendLine("set -m");
        // `fledge serve` runs "in another terminal": disowned, so `kill %1` never ends it; waited for until it answers.
        script.AppendLine(CultureInfo.InvariantCulture, $$"""
            __serve() { fledge serve "$@" > '{{serveLog}}' 2>&1 & echo $! > '{{servePid}}'; disown; for i in $(seq 300); do fledge get rollouts > /dev/null 2>&1 && return 0; sleep 0.2; done; cat '{{serveLog}}'; return 1; }
            """);
        for (var i = 0; i < steps.Count; i++)
        {
            script.AppendLine(CultureInfo.InvariantCulture, $"printf '\\n@@@begin {i}\\n'");
            script.AppendLine(steps[i].Serve ? "__serve" + steps[i].Command["fledge serve".Length..] : steps[i].Command);
            script.AppendLine(CultureInfo.InvariantCulture, $"printf '\\n@@@end {i} %d\\n' $?");
        }

        script.AppendLine("kill $(jobs -p) 2> /dev/null; wait 2> /dev/null; true");
        return script.ToString();
    }

    /// <summary>Each step's output and exit code, from what the script printed.</summary>
    public static Dictionary<int, (string Output, int ExitCode)> Results(string printed)
    {
        var results = new Dictionary<int, (string, int)>();
        foreach (Match match in StepOutput().Matches(printed))
        {
            results[int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)] =
                (match.Groups[2].Value, int.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture));
        }

        return results;
    }

    /// <summary>Why a step's output breaks the README's promise, or null when it keeps it.</summary>
    public static string? Check(Step step, string output, int exitCode)
    {
        if (exitCode != step.ExpectedExit)
        {
            return $"exit code {exitCode}, the README says {step.ExpectedExit}";
        }

        var text = Normal(output);
        var at = 0;
        foreach (var expected in step.Fragments.Concat(step.OutputLines).Select(Normal).Where(f => f.Length > 0))
        {
            var found = text.IndexOf(expected, at, StringComparison.Ordinal);
            if (found < 0)
            {
                return $"\"{expected}\" is not in what it printed{(at > 0 ? " after the parts before it" : "")}";
            }

            at = found + expected.Length;
        }

        return null;
    }

    private static Step Promise(int line, string command)
    {
        var arrow = command.LastIndexOf("# →", StringComparison.Ordinal);
        if (arrow < 0)
        {
            return new Step(line, command, 0, []);
        }

        var fragments = command[(arrow + 3)..].Split('…', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
        var exit = fragments.FirstOrDefault(f => ExitCode().IsMatch(f));
        fragments.Remove(exit!);
        return new Step(line, command, exit is null ? 0 : int.Parse(exit[5..], CultureInfo.InvariantCulture), fragments);
    }

    /// <summary>Whitespace runs as one space and no colour codes: tables line up differently at other widths.</summary>
    private static string Normal(string text) => Spaces().Replace(Ansi().Replace(text, ""), " ").Trim();

    [GeneratedRegex(@"^exit [0-9]+$")]
    private static partial Regex ExitCode();

    [GeneratedRegex(@"@@@begin (\d+)\n(.*?)\n@@@end \1 (\d+)\n", RegexOptions.Singleline)]
    private static partial Regex StepOutput();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();

    [GeneratedRegex(@"\x1b\[[0-9;]*[A-Za-z]")]
    private static partial Regex Ansi();
}
