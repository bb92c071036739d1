namespace Fledge.Tests;

/// <summary>Finds the repository's samples/manifests folder from the test's output directory.</summary>
internal static class SampleFiles
{
    public static string Directory { get; } = Find();

    public static string PathOf(string relative) => Path.Combine(Directory, relative);

    public static string Read(string relative) => File.ReadAllText(PathOf(relative));

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "samples", "manifests");
            if (System.IO.Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"samples/manifests not found above {AppContext.BaseDirectory}");
    }
}
