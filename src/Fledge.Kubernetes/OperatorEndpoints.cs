using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace Fledge.Kubernetes;

/// <summary>
/// The operator's probes and metrics on one port: /healthz (the process answers), /readyz (it holds the Lease and
/// its caches are synced, or it is a stand-by that is up), /metrics (reconciles, errors, queue depth, each rollout's phase).
/// </summary>
public sealed class OperatorEndpoints : IAsyncDisposable
{
    private readonly WebApplication _app;

    private OperatorEndpoints(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<OperatorEndpoints> StartAsync(RolloutOperator rolloutOperator, IPAddress address, int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(address, port));
        var app = builder.Build();
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        var reconciles = factory.CreateGauge("fledge_operator_reconciles_total", "Rollout reconciles since the operator started (a counter read from the operator)");
        var errors = factory.CreateGauge("fledge_operator_reconcile_errors_total", "Reconciles that failed and were retried with back-off");
        var depth = factory.CreateGauge("fledge_operator_queue_depth", "Rollouts waiting to be reconciled");
        var leading = factory.CreateGauge("fledge_operator_leader", "1 when this operator holds the Lease");
        var phase = factory.CreateGauge("fledge_rollout_phase", "1 for each rollout's current phase", "namespace", "rollout", "phase");
        registry.AddBeforeCollectCallback(() =>
        {
            reconciles.Set(rolloutOperator.Reconciles);
            errors.Set(rolloutOperator.Errors);
            depth.Set(rolloutOperator.QueueDepth);
            leading.Set(rolloutOperator.Leading ? 1 : 0);
            foreach (var labels in phase.GetAllLabelValues().ToList())
            {
                phase.RemoveLabelled(labels);
            }

            foreach (var rollout in rolloutOperator.Rollouts)
            {
                var current = rollout.Status?["phase"]?.GetValue<string>() ?? "Progressing";
                phase.WithLabels(rollout.Metadata.NamespaceProperty ?? "", rollout.Metadata.Name, current).Set(1);
            }
        });
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/readyz", () => !rolloutOperator.Leading || rolloutOperator.Ready
            ? Results.Text("ok\n")
            : Results.Text("caches not synced yet\n", statusCode: StatusCodes.Status503ServiceUnavailable));
        app.MapMetrics("/metrics", registry);
        await app.StartAsync();
        var bound = app.Urls.Select(u => new Uri(u)).First();
        return new OperatorEndpoints(app, bound);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
