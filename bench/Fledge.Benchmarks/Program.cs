using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

// Results go to bench/results/ (BenchmarkDotNet's markdown, CSV and HTML reports).
var root = AppContext.BaseDirectory;
while (!Directory.Exists(Path.Combine(root, "bench")) && Directory.GetParent(root) is { } parent)
{
    root = parent.FullName;
}

var config = DefaultConfig.Instance.WithArtifactsPath(Path.Combine(root, "bench", "results"));
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
