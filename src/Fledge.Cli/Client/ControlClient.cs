using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Fledge.Local.Api;

namespace Fledge.Cli.Client;

/// <summary>
/// Talks to a running `fledge serve` over its unix socket: one HTTP/1.1 request per connection. Written on the
/// socket directly rather than through HttpClient, whose start-up alone doubled the time of a `fledge get`
/// (bench/cli); the control API is ours, so the subset it needs (Content-Length or chunked bodies) is small.
/// </summary>
internal sealed class ControlClient : IDisposable
{
    private readonly Func<string, string, byte[]?, Task<(int Status, byte[] Body)>>? _inProcess;

    public ControlClient(string dataDirectory)
    {
        DataDirectory = Path.GetFullPath(dataDirectory);
        Socket = Path.Combine(DataDirectory, "fledge.sock");
    }

    /// <summary>A client whose requests are answered in this process (the same API, answered from a Kubernetes cluster).</summary>
    /// <param name="target">What answers, for messages ("the cluster at https://...").</param>
    public ControlClient(string target, Func<string, string, byte[]?, Task<(int Status, byte[] Body)>> answer)
    {
        DataDirectory = target;
        Socket = "";
        _inProcess = answer;
    }

    public string DataDirectory { get; }

    /// <summary>How often a follower asks again: a quarter second of the runtime's socket, a second of a cluster's API server (each answer costs it several lists).</summary>
    public TimeSpan PollInterval => _inProcess is null ? TimeSpan.FromMilliseconds(250) : TimeSpan.FromSeconds(1);

    public string Socket { get; }

    public async Task<T> GetAsync<T>(string path, CancellationToken cancel = default)
    {
        await using var body = await SendAsync("GET", path, null, cancel);
        return await ReadAsync<T>(body, "GET", cancel);
    }

    /// <summary>An answer as a JSON document, read without the typed serializers (the cheapest way to start, for tables).</summary>
    public async Task<JsonDocument> GetDocumentAsync(string path, CancellationToken cancel = default)
    {
        await using var body = await SendAsync("GET", path, null, cancel);
        try
        {
            return await JsonDocument.ParseAsync(body, cancellationToken: cancel);
        }
        catch (Exception e) when (e is IOException or EndOfStreamException)
        {
            throw new RuntimeUnavailableException($"the runtime on {DataDirectory} closed the connection in the middle of its answer ({e.Message}); is it still running? (fledge serve)");
        }
    }

    public async Task<T> PostAsync<T>(string path, object? body = null, CancellationToken cancel = default)
    {
        await using var response = await SendAsync("POST", path, body is null ? null : JsonSerializer.SerializeToUtf8Bytes(body, ApiJson.Options), cancel);
        return await ReadAsync<T>(response, "POST", cancel);
    }

    public async Task<T> DeleteAsync<T>(string path, CancellationToken cancel = default)
    {
        await using var body = await SendAsync("DELETE", path, null, cancel);
        return await ReadAsync<T>(body, "DELETE", cancel);
    }

    /// <summary>Opens a streamed response (logs); the caller reads it to its end and disposes it.</summary>
    public Task<Stream> StreamAsync(string path, CancellationToken cancel) => SendAsync("GET", path, null, cancel);

    public void Dispose()
    {
        // Nothing is kept between requests.
    }

    /// <summary>Sends one request and returns the body of a successful answer; an error answer is thrown as a <see cref="CommandException"/>.</summary>
    private async Task<Stream> SendAsync(string method, string path, byte[]? body, CancellationToken cancel)
    {
        if (_inProcess is not null)
        {
            (int Status, byte[] Body) answer;
            try
            {
                answer = await _inProcess(method, path, body);
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
            {
                throw new RuntimeUnavailableException($"cannot reach {DataDirectory}: {e.Message}");
            }

            var answered = new MemoryStream(answer.Body, writable: false);
            return answer.Status is >= 200 and < 300
                ? answered
                : throw new CommandException(answer.Status, await ReadErrorsAsync(new HttpResponse(answer.Status, "", answered), cancel));
        }

        var connection = new System.Net.Sockets.Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await connection.ConnectAsync(new UnixDomainSocketEndPoint(Socket), cancel);
        }
        catch (SocketException)
        {
            connection.Dispose();
            throw new RuntimeUnavailableException(
                $"no fledge runtime is running on {DataDirectory} (cannot connect to {Socket}); start one with `fledge serve --data-dir {DataDirectory}`");
        }

        var stream = new NetworkStream(connection, ownsSocket: true);
        try
        {
            var head = new StringBuilder().Append(CultureInfo.InvariantCulture, $"{method} /{path.TrimStart('/')} HTTP/1.1\r\nHost: fledge\r\nConnection: close\r\n");
            if (body is not null)
            {
                head.Append("Content-Type: application/json\r\n");
            }

            head.Append(CultureInfo.InvariantCulture, $"Content-Length: {body?.Length ?? 0}\r\n\r\n");
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), cancel);
            if (body is not null)
            {
                await stream.WriteAsync(body, cancel);
            }

            var response = await HttpResponse.ReadAsync(stream, cancel);
            if (response.Status is >= 200 and < 300)
            {
                return response.Body;
            }

            await using (response.Body)
            {
                throw new CommandException(response.Status, await ReadErrorsAsync(response, cancel));
            }
        }
        catch (Exception e) when (e is IOException or SocketException or EndOfStreamException)
        {
            await stream.DisposeAsync();
            throw new RuntimeUnavailableException(method == "GET"
                ? $"the runtime on {DataDirectory} closed the connection before it answered ({e.Message}); is it still running? (fledge serve)"
                : $"the runtime on {DataDirectory} closed the connection before it answered ({e.Message}); the change may or may not have happened: check with `fledge get`");
        }
    }

    private async Task<T> ReadAsync<T>(Stream body, string method, CancellationToken cancel)
    {
        try
        {
            return (await JsonSerializer.DeserializeAsync<T>(body, ApiJson.Options, cancel))!;
        }
        catch (Exception e) when (e is IOException or EndOfStreamException)
        {
            throw new RuntimeUnavailableException(method == "GET"
                ? $"the runtime on {DataDirectory} closed the connection in the middle of its answer ({e.Message}); is it still running? (fledge serve)"
                : $"the runtime on {DataDirectory} closed the connection in the middle of its answer ({e.Message}); the change may or may not have happened: check with `fledge get`");
        }
    }

    private static async Task<IReadOnlyList<string>> ReadErrorsAsync(HttpResponse response, CancellationToken cancel)
    {
        try
        {
            return (await JsonSerializer.DeserializeAsync<ErrorResponse>(response.Body, ApiJson.Options, cancel))?.Errors ?? [$"the runtime answered {response.Status}"];
        }
        catch (JsonException)
        {
            return [$"the runtime answered {response.Status} {response.Reason}"];
        }
    }
}

/// <summary>No runtime answers on the data directory's socket, or it went away in the middle of a call.</summary>
internal sealed class RuntimeUnavailableException(string message) : Exception(message);
