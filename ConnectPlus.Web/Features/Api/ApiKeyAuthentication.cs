using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace ConnectPlus.Web.Features.Api;

/// <summary>
/// Authenticates REST API calls by the key in the <c>X-Api-Key</c> header (see <see cref="ApiKeyOptions"/>). The
/// principal's name is the client's name; its workspace (when the key names one) is the <see cref="WorkspaceClaim"/>.
/// A refused call gets a 401 problem that says what to do, never the key it sent.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptions<ApiKeyOptions> keys,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string Header = "X-Api-Key";
    public const string WorkspaceClaim = "connectplus:workspace";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var key = PresentedKey();
        if (key is null || keys.Value.Clients.Count == 0) return Task.FromResult(AuthenticateResult.NoResult());
        var hash = ApiKeyOptions.KeyHash(key);
        ApiClient? client = null;
        // Every client is compared, so the time taken does not tell which one nearly matched.
        foreach (var candidate in keys.Value.Clients)
        {
            if (candidate.Matches(hash)) client ??= candidate;
        }
        if (client is null) return Task.FromResult(AuthenticateResult.Fail($"The key in the {Header} header is not a key of this Connect+."));
        List<Claim> claims = [new(ClaimTypes.Name, client.Name)];
        if (client.Workspace is not null) claims.Add(new(WorkspaceClaim, client.Workspace));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var (title, detail) = keys.Value.Clients.Count == 0
            ? ("The REST API has no API keys configured",
                "Add a client and its key to appsettings.json, e.g. \"Api\": { \"Keys\": { \"nightly-job\": \"<at least 16 random characters>\" } } "
                + "(or set the environment variable Api__Keys__nightly-job), restart Connect+, and send the key in the X-Api-Key header. See docs/api.md.")
            : PresentedKey() is null
                ? ("API key missing", $"Send your API key in the {Header} header. Keys are configured in the Api:Keys section of appsettings.json (docs/api.md).")
                : ("API key not valid", $"The key in the {Header} header is not one of the keys configured in Api:Keys. Check it, or ask the administrator for one (docs/api.md).");
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = $"{SchemeName} header=\"{Header}\"";
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = StatusCodes.Status401Unauthorized, Title = title, Detail = detail },
        });
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = StatusCodes.Status403Forbidden, Title = "Not allowed", Detail = "This API key may not do that." },
        });
    }

    private string? PresentedKey()
    {
        var value = Request.Headers[Header].ToString();
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }
}

/// <summary>The API client behind a request: its name and workspace.</summary>
public static class ApiPrincipal
{
    /// <summary>The client's name from <c>Api:Keys</c>: the author and TriggeredBy of what it does.</summary>
    public static string ClientName(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.Identity?.Name ?? throw new InvalidOperationException("The request is not authenticated by an API key.");
    }

    /// <summary>The workspace the client's key names; null for the default workspace.</summary>
    public static string? WorkspaceName(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.FindFirst(ApiKeyAuthenticationHandler.WorkspaceClaim)?.Value;
    }
}
