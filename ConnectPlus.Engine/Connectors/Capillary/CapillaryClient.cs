using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ConnectPlus.Engine.Connectors.Capillary;

/// <summary>
/// Talks to a Capillary cluster for one connection: signs every request in (OAuth token or Basic till
/// credentials), adds the attribution headers, and turns a refused sign-in into a
/// <see cref="ConnectionException"/> (<see cref="ConnectionFailure.AuthenticationFailed"/>).
/// </summary>
/// <remarks>
/// OAuth: the token from <c>POST {base}/v3/oauth/token/generate</c> is kept and renewed
/// <see cref="CapillaryConnectionSettings.TokenRefreshMarginSeconds"/> before its <c>ttlSeconds</c> run out,
/// and once more when a request is answered 401 (the token may have been revoked). Many requests in
/// flight share one renewal: the first to need it fetches, the others wait for it. A refused client
/// key stays refused for the client's life (one run): the requests that waited for that sign-in, and
/// any after them, fail with the same message without asking the token service again. Thread-safe; one
/// client serves every block of a run that uses the connection. Tokens and secrets are never logged
/// nor put in messages.
/// </remarks>
public sealed class CapillaryClient : IApiClient
{
    /// <summary>The header that carries the OAuth access token.</summary>
    public const string TokenHeader = "X-CAP-API-OAUTH-TOKEN";

    /// <summary>The token service's path under the base URL.</summary>
    public const string TokenPath = "/v3/oauth/token/generate";

    /// <summary>Lifetime assumed when the token answer gives none.</summary>
    private const int DefaultTtlSeconds = 300;

    private readonly CapillaryConnectionSettings _settings;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _tokenLock = new(1, 1);
    private readonly KeyValuePair<string, string>[] _fixedHeaders;
    private readonly ApiTransport.UriCache _uris;
    private volatile AccessToken? _token;
    private volatile ConnectionException? _keyRefused;
    private long _tokensIssued;

    /// <param name="connectionName">The connection's name (for messages).</param>
    /// <param name="settings">The validated connection settings.</param>
    /// <param name="handler">The HTTP handler to send through (tests); null: a new one, owned by this client.</param>
    /// <param name="time">The clock token lifetimes are measured on.</param>
    public CapillaryClient(string connectionName, CapillaryConnectionSettings settings, HttpMessageHandler? handler = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ConnectionName = connectionName;
        _settings = settings;
        _time = time ?? TimeProvider.System;
        _http = ApiTransport.CreateHttpClient(handler, settings.TimeoutSeconds);
        _uris = new ApiTransport.UriCache(settings.BaseUrl);
        var headers = new List<KeyValuePair<string, string>>();
        if (!string.IsNullOrWhiteSpace(settings.AttributionEntityType) && !string.IsNullOrWhiteSpace(settings.AttributionEntityCode))
        {
            headers.Add(new("X-CAP-API-ATTRIBUTION-ENTITY-TYPE", settings.AttributionEntityType.Trim()));
            headers.Add(new("X-CAP-API-ATTRIBUTION-ENTITY-CODE", settings.AttributionEntityCode.Trim()));
        }
        if (settings.Auth == CapillaryAuth.Basic) headers.Add(new("Authorization", BasicAuthorization(settings.TillUsername ?? "", settings.Password ?? "")));
        _fixedHeaders = [.. headers];
    }

    /// <summary>The connection's name.</summary>
    public string ConnectionName { get; }

    /// <inheritdoc />
    public string Display => $"capillary connection '{ConnectionName}' ({_settings.BaseUrl.TrimEnd('/')})";

    /// <summary>How many access tokens this client has fetched (for tests and the run log).</summary>
    public long TokensIssued => Interlocked.Read(ref _tokensIssued);

    /// <summary>
    /// "Test connection". OAuth: gets an access token. Basic: posts an empty v1.1 customer/add request,
    /// which adds nothing; only a 401 means the till user is refused. Throws <see cref="ConnectionException"/>.
    /// </summary>
    public async Task TestAsync(CancellationToken cancellationToken)
    {
        if (_settings.Auth == CapillaryAuth.Oauth)
        {
            await FetchTokenAsync(cancellationToken).ConfigureAwait(false);
            return;
        }
        var response = await SendAsync(HttpMethod.Post, "/v1.1/customer/add?format=json", """{"root":{}}"""u8.ToArray(), [], cancellationToken).ConfigureAwait(false);
        if (response.Status >= 500)
            throw new ConnectionException(ConnectionFailure.ServerError, $"{Display} answered {response}: {response.Excerpt()}");
    }

    /// <inheritdoc />
    public async Task<ApiResponse> SendAsync(HttpMethod method, string url, ReadOnlyMemory<byte> body, IReadOnlyList<KeyValuePair<string, string>> headers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var uri = _uris.Resolve(url);
        var token = _settings.Auth == CapillaryAuth.Oauth ? await TokenAsync(null, cancellationToken).ConfigureAwait(false) : null;
        var response = await SendOnceAsync(method, uri, body, headers, token, cancellationToken).ConfigureAwait(false);
        if (response.Status != 401) return response;
        if (token is null)
            throw Refused($"Capillary refused the till user '{_settings.TillUsername}' of {Display} ({response}): {response.ServerMessage()} Check the user name and password.");

        // The token may have been revoked or the server's clock may run ahead: renew once, then give up.
        token = await TokenAsync(token, cancellationToken).ConfigureAwait(false);
        response = await SendOnceAsync(method, uri, body, headers, token, cancellationToken).ConfigureAwait(false);
        if (response.Status == 401)
            throw Refused($"Capillary refused a fresh access token of {Display} ({response}): {response.ServerMessage()} Check that the OAuth client may call {uri.AbsolutePath}.");
        return response;
    }

    public void Dispose()
    {
        _http.Dispose();
        _tokenLock.Dispose();
    }

    /// <summary>The Basic header value Capillary's till sign-in expects: base64(user + ":" + md5hex(password)).</summary>
    public static string BasicAuthorization(string user, string password)
    {
        ArgumentNullException.ThrowIfNull(password);
#pragma warning disable CA5351 // Capillary defines till sign-in as md5hex(password); it is the protocol, not our choice of hash.
        var md5 = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(password)));
#pragma warning restore CA5351
        return "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + md5));
    }

    private async Task<ApiResponse> SendOnceAsync(HttpMethod method, Uri uri, ReadOnlyMemory<byte> body, IReadOnlyList<KeyValuePair<string, string>> headers, string? token, CancellationToken cancellationToken)
    {
        using var request = ApiTransport.Request(method, uri, body, _fixedHeaders, headers);
        if (token is not null) request.Headers.TryAddWithoutValidation(TokenHeader, token);
        return await ApiTransport.SendAsync(_http, request, Display, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The token to send: the one held while it is fresh and is not <paramref name="stale"/> (refused
    /// by the server), otherwise a new one. One fetch at a time; those waiting take its result.
    /// </summary>
    private async ValueTask<string> TokenAsync(string? stale, CancellationToken cancellationToken)
    {
        if (Usable(_token, stale) is { } held) return held;
        ThrowIfKeyRefused();
        await _tokenLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Usable(_token, stale) is { } fetchedMeanwhile) return fetchedMeanwhile;
            // The fetch this request waited for was refused: asking again would be refused too.
            ThrowIfKeyRefused();
            var token = await FetchTokenAsync(cancellationToken).ConfigureAwait(false);
            _token = token;
            return token.Value;
        }
        finally
        {
            _tokenLock.Release();
        }
    }

    private void ThrowIfKeyRefused()
    {
        // A new exception per request: one exception object must not be thrown on many threads at once.
        if (_keyRefused is { } refused) throw Refused(refused.Message);
    }

    private string? Usable(AccessToken? token, string? stale) =>
        token is not null && token.Value != stale && _time.GetUtcNow() < token.RenewAt ? token.Value : null;

    private async Task<AccessToken> FetchTokenAsync(CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new TokenRequest(_settings.ClientKey ?? "", _settings.ClientSecret ?? ""), TokenJson.Default.TokenRequest);
        var uri = ApiTransport.Resolve(_settings.BaseUrl, TokenPath);
        using var request = ApiTransport.Request(HttpMethod.Post, uri, body, _fixedHeaders);
        var issued = _time.GetUtcNow();
        var response = await ApiTransport.SendAsync(_http, request, Display, cancellationToken).ConfigureAwait(false);
        if (response.Status is 400 or 401 or 403)
            throw _keyRefused = Refused($"Capillary refused the client key '{_settings.ClientKey}' of {Display} ({response}): {response.ServerMessage()} Check the client key and secret.");
        if (response.Status != 200)
        {
            // A gateway error or a busy token service: worth another try later.
            throw new ConnectionException(ConnectionFailure.ConnectionLost, $"The token service of {Display} answered {response}: {response.ServerMessage()}");
        }
        var (value, ttl) = ReadToken(response.Body);
        if (string.IsNullOrEmpty(value))
            throw _keyRefused = Refused($"Capillary gave no access token for the client key '{_settings.ClientKey}' of {Display}: {response.ServerMessage()}");
        Interlocked.Increment(ref _tokensIssued);
        var lifetime = TimeSpan.FromSeconds(ttl ?? DefaultTtlSeconds);
        var margin = TimeSpan.FromSeconds(_settings.TokenRefreshMarginSeconds);
        // A margin as long as the lifetime would renew before every request: keep at least half of it.
        var usable = lifetime - margin > lifetime / 2 ? lifetime - margin : lifetime / 2;
        return new AccessToken(value, issued + usable);
    }

    private static (string? Token, int? TtlSeconds) ReadToken(ReadOnlyMemory<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (!document.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object) return (null, null);
            var token = data.TryGetProperty("accessToken", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            int? ttl = data.TryGetProperty("ttlSeconds", out var s) && s.TryGetInt32(out var seconds) && seconds > 0 ? seconds : null;
            return (token, ttl);
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    private static ConnectionException Refused(string message) => new(ConnectionFailure.AuthenticationFailed, message);

    private sealed record AccessToken(string Value, DateTimeOffset RenewAt);
}

/// <summary>The token request body.</summary>
internal sealed record TokenRequest(string Key, string Secret);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
[System.Text.Json.Serialization.JsonSerializable(typeof(TokenRequest))]
internal sealed partial class TokenJson : System.Text.Json.Serialization.JsonSerializerContext;
