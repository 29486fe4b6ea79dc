using System.Text;

namespace ConnectPlus.Engine.Connectors.Http;

/// <summary>
/// Sends requests to an HTTP API connection with its sign-in header. A 401 answer is a refused sign-in
/// (<see cref="ConnectionException"/>, <see cref="ConnectionFailure.AuthenticationFailed"/>): the
/// credentials are static, so trying again cannot help. Thread-safe.
/// </summary>
public sealed class HttpApiClient : IApiClient
{
    private readonly HttpConnectionSettings _settings;
    private readonly HttpClient _http;
    private readonly KeyValuePair<string, string>[] _signIn;
    private readonly ApiTransport.UriCache _uris;

    /// <param name="connectionName">The connection's name (for messages); null for an unnamed endpoint without credentials.</param>
    /// <param name="settings">The validated connection settings.</param>
    /// <param name="handler">The HTTP handler to send through (tests); null: a new one, owned by this client.</param>
    public HttpApiClient(string? connectionName, HttpConnectionSettings settings, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings;
        _http = ApiTransport.CreateHttpClient(handler, settings.TimeoutSeconds);
        _uris = new ApiTransport.UriCache(settings.BaseUrl);
        Display = connectionName is null ? settings.BaseUrl : $"http connection '{connectionName}' ({settings.BaseUrl.TrimEnd('/')})";
        _signIn = settings.Auth switch
        {
            HttpAuth.Basic => [new("Authorization", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{settings.Username}:{settings.Password}")))],
            HttpAuth.Bearer => [new("Authorization", "Bearer " + settings.Token)],
            HttpAuth.ApiKey => [new(settings.ApiKeyHeader.Trim(), settings.ApiKey ?? "")],
            _ => [],
        };
    }

    /// <inheritdoc />
    public string Display { get; }

    /// <summary>"Test connection": a GET of the base URL; only no answer or a 401 fails.</summary>
    public async Task TestAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, ApiTransport.Resolve(_settings.BaseUrl, ""));
        foreach (var (name, value) in _signIn) request.Headers.TryAddWithoutValidation(name, value);
        var response = await ApiTransport.SendAsync(_http, request, Display, cancellationToken).ConfigureAwait(false);
        if (response.Status == 401) throw Refused(response);
    }

    /// <inheritdoc />
    public async Task<ApiResponse> SendAsync(HttpMethod method, string url, ReadOnlyMemory<byte> body, IReadOnlyList<KeyValuePair<string, string>> headers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var uri = _uris.Resolve(url);
        using var request = ApiTransport.Request(method, uri, body, _signIn, headers);
        var response = await ApiTransport.SendAsync(_http, request, Display, cancellationToken).ConfigureAwait(false);
        return response.Status == 401 ? throw Refused(response) : response;
    }

    public void Dispose() => _http.Dispose();

    private ConnectionException Refused(ApiResponse response) => new(ConnectionFailure.AuthenticationFailed,
        $"{Display} refused the sign-in ({response}): {response.Excerpt(200)} Check the connection's credentials ({_settings.Auth.ToString().ToLowerInvariant()}).");
}
