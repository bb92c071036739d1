using System.Net.Http.Json;
using System.Net.Sockets;
using Fledge.Local.Api;

namespace Fledge.Cli.Client;

/// <summary>Talks to a running `fledge serve` over its unix socket.</summary>
internal sealed class ControlClient : IDisposable
{
    private readonly HttpClient _http;

    public ControlClient(string dataDirectory)
    {
        DataDirectory = Path.GetFullPath(dataDirectory);
        Socket = Path.Combine(DataDirectory, "fledge.sock");
        var socket = Socket;
        _http = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancel) =>
            {
                var connection = new System.Net.Sockets.Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await connection.ConnectAsync(new UnixDomainSocketEndPoint(socket), cancel);
                    return new NetworkStream(connection, ownsSocket: true);
                }
                catch
                {
                    connection.Dispose();
                    throw;
                }
            },
        })
        {
            BaseAddress = new Uri("http://fledge/"),
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public string DataDirectory { get; }

    public string Socket { get; }

    public async Task<T> GetAsync<T>(string path, CancellationToken cancel = default)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, path), cancel);
        return (await response.Content.ReadFromJsonAsync<T>(ApiJson.Options, cancel))!;
    }

    public async Task<T> PostAsync<T>(string path, object? body = null, CancellationToken cancel = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = body is null ? null : JsonContent.Create(body, options: ApiJson.Options) };
        using var response = await SendAsync(request, cancel);
        return (await response.Content.ReadFromJsonAsync<T>(ApiJson.Options, cancel))!;
    }

    public async Task<T> DeleteAsync<T>(string path, CancellationToken cancel = default)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Delete, path), cancel);
        return (await response.Content.ReadFromJsonAsync<T>(ApiJson.Options, cancel))!;
    }

    /// <summary>Opens a streamed response (logs).</summary>
    public async Task<Stream> StreamAsync(string path, CancellationToken cancel)
    {
        var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, path), cancel, HttpCompletionOption.ResponseHeadersRead);
        return await response.Content.ReadAsStreamAsync(cancel);
    }

    public void Dispose() => _http.Dispose();

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancel, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, completion, cancel);
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException || e.HttpRequestError == HttpRequestError.ConnectionError)
        {
            throw new RuntimeUnavailableException(
                $"no fledge runtime is running on {DataDirectory} (cannot connect to {Socket}); start one with `fledge serve --data-dir {DataDirectory}`");
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        var errors = await ReadErrorsAsync(response, cancel);
        var status = (int)response.StatusCode;
        response.Dispose();
        throw new CommandException(status, errors);
    }

    private static async Task<IReadOnlyList<string>> ReadErrorsAsync(HttpResponseMessage response, CancellationToken cancel)
    {
        try
        {
            return (await response.Content.ReadFromJsonAsync<ErrorResponse>(ApiJson.Options, cancel))?.Errors ?? [response.ReasonPhrase ?? "request failed"];
        }
        catch (System.Text.Json.JsonException)
        {
            return [$"the runtime answered {(int)response.StatusCode} {response.ReasonPhrase}"];
        }
    }
}

/// <summary>No runtime answers on the data directory's socket.</summary>
internal sealed class RuntimeUnavailableException(string message) : Exception(message);
