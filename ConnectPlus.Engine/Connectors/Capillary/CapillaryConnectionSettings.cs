using System.ComponentModel.DataAnnotations;
using ConnectPlus.Engine.Catalog;

namespace ConnectPlus.Engine.Connectors.Capillary;

/// <summary>
/// A Capillary API account of a brand: the cluster's base URL and how Connect+ signs in (OAuth client
/// key and secret, or a till user with Basic authentication for v1.1 APIs).
/// </summary>
[ConnectionType("capillary", "Capillary API", Icon = "hub")]
public sealed class CapillaryConnectionSettings : IValidatableObject, ITestableConnectionSettings
{
    /// <summary>
    /// The cluster's address, e.g. https://eu.api.capillarytech.com (apac, apac2, eu, us), or the
    /// built-in sandbox http://localhost:5000/sandbox/capillary. API paths (/v2/…, /v1.1/…) are added to it.
    /// </summary>
    [Required(ErrorMessage = "Give the API's base URL, e.g. https://eu.api.capillarytech.com.")]
    [Setting(Order = 1, Placeholder = "https://eu.api.capillarytech.com")]
    public string BaseUrl { get; set; } = "";

    /// <summary>
    /// How Connect+ signs in. oauth: a client key and secret get an access token (sent as
    /// X-CAP-API-OAUTH-TOKEN), renewed before it expires. basic: a till user name and password
    /// (sent as Basic base64(user:md5(password)); v1.1 APIs).
    /// </summary>
    [Setting(Order = 2, Group = "Sign-in")]
    public CapillaryAuth Auth { get; set; } = CapillaryAuth.Oauth;

    /// <summary>The OAuth client key (Capillary's Dev Console: Organization settings → Integrations → OAuth client).</summary>
    [Setting(Order = 3, Group = "Sign-in")]
    public string? ClientKey { get; set; }

    /// <summary>The OAuth client secret that goes with the client key.</summary>
    [Setting(Order = 4, Group = "Sign-in", Secret = true)]
    public string? ClientSecret { get; set; }

    /// <summary>The till (store server) user name, for basic sign-in.</summary>
    [Setting(Order = 5, Group = "Sign-in", Placeholder = "store.server")]
    public string? TillUsername { get; set; }

    /// <summary>The till user's password, for basic sign-in. Connect+ sends its MD5, as Capillary expects.</summary>
    [Setting(Order = 6, Group = "Sign-in", Secret = true)]
    public string? Password { get; set; }

    /// <summary>
    /// Optional: what the calls are attributed to (header X-CAP-API-ATTRIBUTION-ENTITY-TYPE), e.g.
    /// TILL, STORE_CODE, STORE_NAME, STORE_EXTERNAL_ID. Empty: the server's default (the till).
    /// </summary>
    [Setting(Order = 7, Group = "Attribution", Placeholder = "STORE_CODE")]
    public string? AttributionEntityType { get; set; }

    /// <summary>Optional: the code of that entity (header X-CAP-API-ATTRIBUTION-ENTITY-CODE), e.g. a store code.</summary>
    [Setting(Order = 8, Group = "Attribution")]
    public string? AttributionEntityCode { get; set; }

    /// <summary>Seconds to wait for an answer to one request before giving up on it (a timeout is retried like a 502).</summary>
    [Range(1, 600, ErrorMessage = "Give a timeout between 1 and 600 seconds.")]
    [Setting(Order = 9, Group = "Advanced")]
    public int TimeoutSeconds { get; set; } = 60;

    /// <summary>
    /// Seconds before an access token expires at which Connect+ gets a new one, so that no request is
    /// sent with a token about to expire.
    /// </summary>
    [Range(0, 3600, ErrorMessage = "Give a margin between 0 and 3600 seconds.")]
    [Setting(Order = 10, Group = "Advanced")]
    public int TokenRefreshMarginSeconds { get; set; } = 30;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Uri.TryCreate(BaseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            yield return new ValidationResult("Give an http:// or https:// address, e.g. https://eu.api.capillarytech.com.", [nameof(BaseUrl)]);
        if (Auth == CapillaryAuth.Oauth)
        {
            if (string.IsNullOrWhiteSpace(ClientKey)) yield return new ValidationResult("Give the OAuth client key (or choose basic sign-in).", [nameof(ClientKey)]);
            if (string.IsNullOrEmpty(ClientSecret)) yield return new ValidationResult("Give the OAuth client secret.", [nameof(ClientSecret)]);
        }
        else
        {
            if (string.IsNullOrWhiteSpace(TillUsername)) yield return new ValidationResult("Give the till user name (or choose oauth sign-in).", [nameof(TillUsername)]);
            if (string.IsNullOrEmpty(Password)) yield return new ValidationResult("Give the till user's password.", [nameof(Password)]);
        }
        if (string.IsNullOrWhiteSpace(AttributionEntityType) != string.IsNullOrWhiteSpace(AttributionEntityCode))
            yield return new ValidationResult("Give both the attribution entity type and its code, or neither.", [nameof(AttributionEntityCode)]);
    }

    /// <summary>Signs in: gets an access token (oauth), or makes a call that adds nothing (basic).</summary>
    public async Task TestAsync(string connectionName, CancellationToken cancellationToken)
    {
        using var client = new CapillaryClient(connectionName, this);
        await client.TestAsync(cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>How a Capillary connection signs in.</summary>
public enum CapillaryAuth
{
    /// <summary>Client key and secret → access token (v2 and v1.1 APIs).</summary>
    Oauth,

    /// <summary>Till user name and password, Basic authentication (v1.1 APIs; v2 where the cluster allows it).</summary>
    Basic,
}
