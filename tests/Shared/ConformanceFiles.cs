namespace Fledge.Tests;

/// <summary>Finds tests/conformance (other projects' real files and reference tables, see its README) from the test's output directory.</summary>
internal static class ConformanceFiles
{
    public static string Directory { get; } = Find();

    public static string PathOf(string relative) => Path.Combine(Directory, relative);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "conformance");
            if (System.IO.Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"tests/conformance not found above {AppContext.BaseDirectory}");
    }
}
