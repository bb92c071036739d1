using System.Text;
using System.Text.Json;
using Fledge.Local.Api;

namespace Fledge.Cli.Output;

/// <summary>
/// Lays a table out as kubectl does: a header row, columns three spaces apart, no borders, no trailing spaces; on a
/// terminal, words of state (Healthy, Failed, Warning...) in colour. Plain text, so a `fledge get` needs no console
/// library to start (bench/cli).
/// </summary>
internal static class TextTable
{
    private const string Green = "\u001b[32m";
    private const string Yellow = "\u001b[33m";
    private const string Red = "\u001b[31m";
    private const string Reset = "\u001b[0m";

    /// <summary>A table as the runtime sends it (a meta.k8s.io/v1 Table): the wide columns only with <paramref name="wide"/>.</summary>
    public static void Write(CliContext context, JsonElement table, bool wide)
    {
        var columns = table.GetProperty("columnDefinitions").EnumerateArray()
            .Select((c, i) => (Index: i, Name: c.GetProperty("name").GetString()!, Wide: c.GetProperty("priority").GetInt32() > 0))
            .Where(c => wide || !c.Wide)
            .ToList();
        var rows = table.GetProperty("rows").EnumerateArray()
            .Select(r => r.GetProperty("cells").EnumerateArray().Select(c => c.GetString() ?? "").ToList())
            .Select(cells => (IReadOnlyList<string>)columns.Select(c => cells[c.Index]).ToList());
        Write(context, columns.Select(c => c.Name).ToList(), rows);
    }

    public static void Write(CliContext context, ObjectTable table, bool wide)
    {
        var columns = table.ColumnDefinitions.Select((c, i) => (Index: i, c.Name, Wide: c.Priority > 0)).Where(c => wide || !c.Wide).ToList();
        Write(context, columns.Select(c => c.Name).ToList(), table.Rows.Select(r => (IReadOnlyList<string>)columns.Select(c => r.Cells[c.Index]).ToList()));
    }

    public static void Write(CliContext context, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = rows.ToList();
        var widths = headers.Select((h, i) => all.Select(r => r[i].Length).Append(h.Length).Max()).ToList();
        var coloured = headers.Select(h => h is "PHASE" or "STATUS" or "TYPE").ToList();
        var text = new StringBuilder();
        foreach (var (row, header) in all.Select(r => (r, false)).Prepend((headers, true)))
        {
            for (var i = 0; i < row.Count; i++)
            {
                var cell = row[i].ReplaceLineEndings(" ");
                var last = i == row.Count - 1;
                var colour = !header && coloured[i] && context.Colour ? ColourOf(cell) : null;
                text.Append(colour).Append(cell).Append(colour is null ? null : Reset);
                if (!last)
                {
                    text.Append(' ', widths[i] - cell.Length + 3);
                }
            }

            text.Append('\n');
        }

        // Trailing spaces of short last columns go; the layout stays.
        context.Output.Write(string.Join('\n', text.ToString().Split('\n').Select(l => l.TrimEnd())));
    }

    private static string? ColourOf(string word) => word switch
    {
        "Healthy" or "Ready" or "Running" or "True" or "Successful" => Green,
        "Progressing" or "Paused" or "Checking" or "Pending" or "Terminating" or "Warning" or "Unknown" or "Inconclusive" => Yellow,
        "Degraded" or "Failed" or "CrashLoopBackOff" or "False" or "Error" => Red,
        _ => null,
    };
}
