namespace Fledge.EndToEnd.Tests;

/// <summary>One runtime serving hello v1 (2 replicas) behind a Service, shared by the tests of a class.</summary>
public sealed class SharedRuntime : IAsyncLifetime
{
    internal RuntimeProcess Runtime { get; private set; } = null!;

    public int HelloPort { get; } = RuntimeProcess.FreePort();

    public async ValueTask InitializeAsync()
    {
        Runtime = await RuntimeProcess.StartAsync();
        Runtime.Apply(Manifests.Hello("v1", replicas: 2) + "\n---\n" + Manifests.Service(HelloPort));
        Runtime.WaitForRollout("hello");
    }

    public async ValueTask DisposeAsync() => await Runtime.DisposeAsync();

    /// <summary>Asserts the hello Service still answers: one broken object must not disturb the others.</summary>
    public async Task HelloStillServesAsync()
    {
        using var http = new HttpClient();
        for (var i = 0; i < 20; i++)
        {
            (await http.GetStringAsync(new Uri($"http://127.0.0.1:{HelloPort}/"), TestContext.Current.CancellationToken)).ShouldBe("Hello World!\n");
        }
    }
}
