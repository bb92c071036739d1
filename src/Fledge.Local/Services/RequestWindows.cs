using System.Collections.Concurrent;

namespace Fledge.Local.Services;

/// <summary>Requests of a Service (and revision) over a window: counts, failures and latency quantiles.</summary>
public sealed record RequestStats(long Requests, long Failed, double? LatencyP50, double? LatencyP90, double? LatencyP99);

/// <summary>
/// The last ten minutes of each Service's requests by revision, in one-second buckets, so analyses can ask
/// "the failure rate of hello-canary over the last minute" without Prometheus.
/// </summary>
public sealed class RequestWindows(TimeProvider time)
{
    private const int Seconds = 600;

    /// <summary>Latency bucket bounds in seconds (as the Prometheus histogram's).</summary>
    private static readonly double[] Bounds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, double.PositiveInfinity];

    private readonly ConcurrentDictionary<(string Service, string Revision), Series> _series = new();

    public void Record(string service, string revision, bool failed, TimeSpan latency) =>
        _series.GetOrAdd((service, revision), _ => new Series()).Record(Now(), failed, latency.TotalSeconds);

    /// <summary>Stats for a Service over the last <paramref name="window"/>, for one revision or all of them.</summary>
    public RequestStats Query(string service, string? revision, TimeSpan window, DateTimeOffset? since = null)
    {
        var now = Now();
        var span = Span(now, window, since);

        long requests = 0, failed = 0;
        var histogram = new long[Bounds.Length];
        foreach (var ((name, rev), series) in _series)
        {
            if (name == service && (revision is null || rev == revision))
            {
                series.Add(now, span, ref requests, ref failed, histogram);
            }
        }

        return Stats(requests, failed, histogram);
    }

    /// <summary>Stats of each second with requests to one revision through a Service, oldest first: the samples a judge compares.</summary>
    public IReadOnlyList<RequestStats> PerSecond(string service, string revision, TimeSpan window, DateTimeOffset? since = null)
    {
        var now = Now();
        var span = Span(now, window, since);

        var samples = new List<RequestStats>();
        if (!_series.TryGetValue((service, revision), out var series))
        {
            return samples;
        }

        // The second under way is left out: it is not complete, and would compare a part with wholes.
        for (var s = now - span; s < now; s++)
        {
            long requests = 0, failed = 0;
            var histogram = new long[Bounds.Length];
            series.Add(s, 1, ref requests, ref failed, histogram);
            if (requests > 0)
            {
                samples.Add(Stats(requests, failed, histogram));
            }
        }

        return samples;
    }

    private long Now() => time.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>How many seconds back to look: the window, cut at <paramref name="since"/>, between 1 and the seconds kept.</summary>
    private static int Span(long now, TimeSpan window, DateTimeOffset? since)
    {
        var span = Math.Ceiling(window.TotalSeconds);
        if (since is { } start)
        {
            span = Math.Min(span, now - start.ToUnixTimeSeconds());
        }

        return (int)Math.Clamp(span, 1, Seconds);
    }

    private static RequestStats Stats(long requests, long failed, long[] histogram) =>
        new(requests, failed, Quantile(histogram, 0.5), Quantile(histogram, 0.9), Quantile(histogram, 0.99));

    /// <summary>A quantile by linear interpolation inside the bucket that holds it, as Prometheus' histogram_quantile does.</summary>
    private static double? Quantile(long[] histogram, double q)
    {
        var total = histogram.Sum();
        if (total == 0)
        {
            return null;
        }

        var rank = q * total;
        long seen = 0;
        for (var i = 0; i < histogram.Length; i++)
        {
            if (seen + histogram[i] >= rank)
            {
                var lower = i == 0 ? 0 : Bounds[i - 1];
                var upper = double.IsPositiveInfinity(Bounds[i]) ? lower : Bounds[i];
                return histogram[i] == 0 ? upper : lower + ((upper - lower) * (rank - seen) / histogram[i]);
            }

            seen += histogram[i];
        }

        return Bounds[^2];
    }

    private sealed class Series
    {
        private readonly long[] _second = new long[Seconds];
        private readonly long[] _requests = new long[Seconds];
        private readonly long[] _failed = new long[Seconds];
        private readonly long[,] _latency = new long[Seconds, Bounds.Length];

        public void Record(long now, bool failed, double latency)
        {
            var slot = (int)(now % Seconds);
            lock (this)
            {
                if (_second[slot] != now)
                {
                    _second[slot] = now;
                    _requests[slot] = 0;
                    _failed[slot] = 0;
                    for (var b = 0; b < Bounds.Length; b++)
                    {
                        _latency[slot, b] = 0;
                    }
                }

                _requests[slot]++;
                _failed[slot] += failed ? 1 : 0;
                var bucket = 0;
                while (latency > Bounds[bucket])
                {
                    bucket++;
                }

                _latency[slot, bucket]++;
            }
        }

        public void Add(long now, int span, ref long requests, ref long failed, long[] histogram)
        {
            lock (this)
            {
                for (var s = now - span + 1; s <= now; s++)
                {
                    var slot = (int)(s % Seconds);
                    if (_second[slot] != s)
                    {
                        continue;
                    }

                    requests += _requests[slot];
                    failed += _failed[slot];
                    for (var b = 0; b < Bounds.Length; b++)
                    {
                        histogram[b] += _latency[slot, b];
                    }
                }
            }
        }
    }
}
