using System.Globalization;
using System.Text.Json;
using k8s.Models;

namespace Fledge.Metrics.Kubernetes;

/// <summary>
/// A client of the Kubernetes metrics APIs an HPA (and Kanarini) reads: custom.metrics.k8s.io/v1beta2 for a
/// metric describing one object, external.metrics.k8s.io/v1beta1 for metrics from outside the cluster. The
/// <see cref="HttpClient"/> may carry the credentials, or <paramref name="bearerToken"/> is sent (a ServiceAccount
/// token, as in-cluster clients send it); <paramref name="server"/> is the API server (or an adapter's own address).
/// </summary>
public sealed class KubernetesMetricsClient(HttpClient http, Uri server, string? bearerToken = null)
{
    public const string CustomGroupVersion = "custom.metrics.k8s.io/v1beta2";
    public const string ExternalGroupVersion = "external.metrics.k8s.io/v1beta1";

    private static readonly HashSet<string> ClusterScoped = new(StringComparer.OrdinalIgnoreCase) { "Node", "Namespace", "PersistentVolume" };

    public Uri Server => server;

    /// <summary>The value of a metric describing one object, e.g. request_failure_rate:1m of Service hello-canary.</summary>
    public async Task<double> GetObjectMetricAsync(string ns, string kind, string name, string metric, string? selector, CancellationToken cancel)
    {
        var body = await GetAsync(ObjectPath(ns, kind, name, metric, selector), $"{metric} of {kind} {name}", cancel);
        return ParseObjectMetric(body, $"{metric} of {kind} {name}");
    }

    /// <summary>The values of an external metric, one per series the selector picks.</summary>
    public async Task<IReadOnlyList<double>> GetExternalMetricAsync(string ns, string metric, string? selector, CancellationToken cancel)
    {
        var body = await GetAsync(ExternalPath(ns, metric, selector), $"external metric {metric}", cancel);
        return ParseExternalMetric(body, $"external metric {metric}");
    }

    /// <summary>
    /// The request path of an object metric: /apis/custom.metrics.k8s.io/v1beta2/namespaces/NS/RESOURCE/NAME/METRIC,
    /// with the Namespace kind's own form (/namespaces/NAME/metrics/METRIC) and cluster-scoped kinds without a namespace.
    /// </summary>
    public static string ObjectPath(string ns, string kind, string name, string metric, string? selector)
    {
        var escapedMetric = Uri.EscapeDataString(metric);
        var path = kind.Equals("Namespace", StringComparison.OrdinalIgnoreCase)
            ? $"/apis/{CustomGroupVersion}/namespaces/{Uri.EscapeDataString(name)}/metrics/{escapedMetric}"
            : ClusterScoped.Contains(kind)
                ? $"/apis/{CustomGroupVersion}/{Resource(kind)}/{Uri.EscapeDataString(name)}/{escapedMetric}"
                : $"/apis/{CustomGroupVersion}/namespaces/{Uri.EscapeDataString(ns)}/{Resource(kind)}/{Uri.EscapeDataString(name)}/{escapedMetric}";
        return selector is { Length: > 0 } ? $"{path}?metricSelector={Uri.EscapeDataString(selector)}" : path;
    }

    /// <summary>The request path of an external metric: /apis/external.metrics.k8s.io/v1beta1/namespaces/NS/METRIC?labelSelector=...</summary>
    public static string ExternalPath(string ns, string metric, string? selector)
    {
        var path = $"/apis/{ExternalGroupVersion}/namespaces/{Uri.EscapeDataString(ns)}/{Uri.EscapeDataString(metric)}";
        return selector is { Length: > 0 } ? $"{path}?labelSelector={Uri.EscapeDataString(selector)}" : path;
    }

    /// <summary>The resource (lower-case plural) of a kind, as REST paths name it: Service → services, Ingress → ingresses.</summary>
    public static string Resource(string kind)
    {
        var lower = kind.ToLowerInvariant();
        return lower.EndsWith('s') || lower.EndsWith('x') ? lower + "es"
            : lower.EndsWith('y') && lower.Length > 1 && !"aeiou".Contains(lower[^2], StringComparison.Ordinal) ? lower[..^1] + "ies"
            : lower + "s";
    }

    /// <summary>A MetricValueList's single item's value (a quantity such as "100m").</summary>
    public static double ParseObjectMetric(string body, string what)
    {
        var items = Items(body, what);
        if (items.Count == 0)
        {
            throw new MetricProviderException($"the custom metrics API returned no value for {what}");
        }

        return Quantity(items[0], what);
    }

    /// <summary>An ExternalMetricValueList's values, one per series.</summary>
    public static IReadOnlyList<double> ParseExternalMetric(string body, string what)
    {
        var items = Items(body, what);
        if (items.Count == 0)
        {
            throw new MetricProviderException($"the external metrics API returned no series for {what}");
        }

        return items.Select(item => Quantity(item, what)).ToList();
    }

    private async Task<string> GetAsync(string path, string what, CancellationToken cancel)
    {
        var uri = new Uri(server, path);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            request.Headers.Accept.ParseAdd("application/json");
            if (bearerToken is not null)
            {
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearerToken);
            }

            using var response = await http.SendAsync(request, timeout.Token);
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw new MetricProviderException($"{what}: {server} answered {(int)response.StatusCode}{StatusMessage(body)}");
            }

            return body;
        }
        catch (HttpRequestException e)
        {
            throw new MetricProviderException($"cannot reach the metrics API at {server}: {e.Message}", e);
        }
        catch (OperationCanceledException e) when (!cancel.IsCancellationRequested)
        {
            throw new MetricProviderException($"the metrics API at {server} did not answer within 10s", e);
        }
    }

    /// <summary>The message of a Kubernetes Status body, when the error came with one.</summary>
    private static string StatusMessage(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.TryGetProperty("message", out var message) ? $": {message.GetString()}" : "";
        }
        catch (JsonException)
        {
            return "";
        }
    }

    private static List<JsonElement> Items(string body, string what)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            if (!json.RootElement.TryGetProperty("items", out var items) || items.ValueKind != JsonValueKind.Array)
            {
                throw new MetricProviderException($"{what}: the answer has no items list");
            }

            return items.EnumerateArray().Select(i => i.Clone()).ToList();
        }
        catch (JsonException e)
        {
            throw new MetricProviderException($"{what}: the answer is not JSON: {e.Message}", e);
        }
    }

    private static double Quantity(JsonElement item, string what)
    {
        if (!item.TryGetProperty("value", out var value))
        {
            throw new MetricProviderException($"{what}: an item has no value");
        }

        var text = value.ValueKind == JsonValueKind.Number ? value.GetRawText() : value.GetString() ?? "";
        try
        {
            return (double)new ResourceQuantity(text).ToDecimal();
        }
        catch (FormatException e)
        {
            throw new MetricProviderException($"{what}: \"{text}\" is not a quantity", e);
        }
        catch (ArgumentException e)
        {
            throw new MetricProviderException(string.Create(CultureInfo.InvariantCulture, $"{what}: \"{text}\" is not a quantity"), e);
        }
    }
}
