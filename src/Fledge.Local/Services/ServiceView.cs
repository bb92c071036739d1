namespace Fledge.Local.Services;

/// <summary>A Service as `get services` shows it: its ports, selector, ready endpoints, and any problem.</summary>
public sealed record ServiceView(
    string Name,
    IReadOnlyList<int> Ports,
    IReadOnlyDictionary<string, string> Selector,
    IReadOnlyList<ServiceEndpoint> Endpoints,
    string? Problem,
    DateTimeOffset CreatedAt);
