using System.ComponentModel.DataAnnotations;
using ConnectPlus.Engine.Catalog;

namespace ConnectPlus.Engine.Connectors.Http;

/// <summary>
/// Any web API reached over HTTP(S): its base address and how requests sign in (none, Basic user and
/// password, a bearer token, or an API key header). The secrets live here, in the connection, so
/// dataflows (and their exports) never hold them.
/// </summary>
[ConnectionType("http", "HTTP API", Icon = "http")]
public sealed class HttpConnectionSettings : IValidatableObject, ITestableConnectionSettings
{
    /// <summary>The API's address, e.g. https://api.example.com/v1. Blocks give paths relative to it (or full URLs on the same host).</summary>
    [Required(ErrorMessage = "Give the API's base URL, e.g. https://api.example.com/v1.")]
    [Setting(Order = 1, Placeholder = "https://api.example.com/v1")]
    public string BaseUrl { get; set; } = "";

    /// <summary>
    /// How requests sign in. none: no credentials. basic: Authorization Basic base64(user:password).
    /// bearer: Authorization Bearer and the token. apiKey: the key in the header named below.
    /// </summary>
    [Setting(Order = 2, Group = "Sign-in")]
    public HttpAuth Auth { get; set; } = HttpAuth.None;

    /// <summary>The user name, for basic sign-in.</summary>
    [Setting(Order = 3, Group = "Sign-in")]
    public string? Username { get; set; }

    /// <summary>The password, for basic sign-in.</summary>
    [Setting(Order = 4, Group = "Sign-in", Secret = true)]
    public string? Password { get; set; }

    /// <summary>The token, for bearer sign-in (sent as Authorization: Bearer token).</summary>
    [Setting(Order = 5, Group = "Sign-in", Secret = true)]
    public string? Token { get; set; }

    /// <summary>The header that carries the API key, for apiKey sign-in.</summary>
    [Setting(Order = 6, Group = "Sign-in", Placeholder = "X-API-Key")]
    public string ApiKeyHeader { get; set; } = "X-API-Key";

    /// <summary>The API key, for apiKey sign-in.</summary>
    [Setting(Order = 7, Group = "Sign-in", Secret = true)]
    public string? ApiKey { get; set; }

    /// <summary>Seconds to wait for an answer to one request before giving up on it (a timeout is retried like a 502).</summary>
    [Range(1, 600, ErrorMessage = "Give a timeout between 1 and 600 seconds.")]
    [Setting(Order = 8, Group = "Advanced")]
    public int TimeoutSeconds { get; set; } = 60;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Uri.TryCreate(BaseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            yield return new ValidationResult("Give an http:// or https:// address, e.g. https://api.example.com/v1.", [nameof(BaseUrl)]);
        switch (Auth)
        {
            case HttpAuth.Basic when string.IsNullOrWhiteSpace(Username):
                yield return new ValidationResult("Give the user name for basic sign-in.", [nameof(Username)]);
                break;
            case HttpAuth.Bearer when string.IsNullOrWhiteSpace(Token):
                yield return new ValidationResult("Give the bearer token.", [nameof(Token)]);
                break;
            case HttpAuth.ApiKey when string.IsNullOrWhiteSpace(ApiKeyHeader) || string.IsNullOrEmpty(ApiKey):
                yield return new ValidationResult("Give the API key and the header that carries it.", [nameof(ApiKey)]);
                break;
        }
    }

    /// <summary>Connects to the base URL: any HTTP answer but 401 passes (many APIs answer 404 at their root).</summary>
    public async Task TestAsync(string connectionName, CancellationToken cancellationToken)
    {
        using var client = new HttpApiClient(connectionName, this);
        await client.TestAsync(cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>How an HTTP API connection signs in.</summary>
public enum HttpAuth
{
    /// <summary>No credentials.</summary>
    None,

    /// <summary>Authorization: Basic base64(user:password).</summary>
    Basic,

    /// <summary>Authorization: Bearer token.</summary>
    Bearer,

    /// <summary>An API key in a header.</summary>
    ApiKey,
}
