using Microsoft.Extensions.Options;

namespace ConnectPlus.Web.Sandbox;

/// <summary>
/// The <c>Sandbox</c> section of appsettings.json: the Capillary API emulator served at
/// <c>/sandbox/capillary</c>. Every value is commented in appsettings.json; docs/sandbox.md explains
/// the behaviour and which choices are the sandbox's own where Capillary's documentation is silent.
/// </summary>
public sealed class SandboxOptions
{
    public const string Section = "Sandbox";

    /// <summary>Serve the emulator and its page; false answers 404 under /sandbox/capillary.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>OAuth clients accepted by v3/oauth/token/generate.</summary>
    public List<SandboxClient> Clients { get; set; } = [];

    /// <summary>Till users accepted by Basic authentication (the caller sends md5 hex of the password).</summary>
    public List<SandboxTill> Tills { get; set; } = [];

    /// <summary>Whether v2 endpoints also accept Basic authentication (Capillary's v2 examples use it).</summary>
    public bool V2AcceptsBasicAuth { get; set; } = true;

    /// <summary>HTTP status of a token request with a wrong key or secret (the docs only say "access forbidden").</summary>
    public int WrongCredentialsStatus { get; set; } = 401;

    /// <summary>Most transactions one v2/transactions/bulk request may carry; more fails every item with 672.</summary>
    public int MaxTransactionsPerRequest { get; set; } = 100;

    /// <summary>Most customers one v2/customers/bulk request may carry; more fails every item with 672.</summary>
    public int MaxCustomersPerRequest { get; set; } = 100;

    /// <summary>Most customers one v1.1/customer/add request may carry; more fails every item with 1060.</summary>
    public int V11MaxCustomersPerRequest { get; set; } = 100;

    /// <summary>Points rule: a REGULAR bill earns floor(bill amount / this) points.</summary>
    public decimal CurrencyUnitsPerPoint { get; set; } = 10m;

    /// <summary>How far in the future a billing date may lie (clock skew) before 621 "out of range".</summary>
    public int BillingDateFutureToleranceHours { get; set; } = 24;

    /// <summary>Requests the page and <c>_state/requests</c> keep (oldest dropped first); bills and customers are all kept.</summary>
    public int RequestLogSize { get; set; } = 10_000;

    /// <summary>Fault injection and token lifetime at start; changeable at runtime.</summary>
    public SandboxFaultSettings Faults { get; set; } = new();

    public IEnumerable<string> Validate()
    {
        if (WrongCredentialsStatus is not (400 or 401 or 403)) yield return "Sandbox:WrongCredentialsStatus must be 400, 401 or 403.";
        if (MaxTransactionsPerRequest is < 1 or > 1000) yield return "Sandbox:MaxTransactionsPerRequest must be between 1 and 1000.";
        if (MaxCustomersPerRequest is < 1 or > 1000) yield return "Sandbox:MaxCustomersPerRequest must be between 1 and 1000.";
        if (V11MaxCustomersPerRequest is < 1 or > 1000) yield return "Sandbox:V11MaxCustomersPerRequest must be between 1 and 1000.";
        if (CurrencyUnitsPerPoint <= 0) yield return "Sandbox:CurrencyUnitsPerPoint must be greater than 0.";
        if (BillingDateFutureToleranceHours < 0) yield return "Sandbox:BillingDateFutureToleranceHours must be 0 or more.";
        if (RequestLogSize is < 1 or > 1_000_000) yield return "Sandbox:RequestLogSize must be between 1 and 1000000.";
        foreach (var error in Faults.Validate()) yield return "Sandbox:Faults:" + error;
    }
}

/// <summary>An OAuth client of the sandbox.</summary>
public sealed class SandboxClient
{
    public string Key { get; set; } = "";
    public string Secret { get; set; } = "";
}

/// <summary>A till user of the sandbox (Basic authentication).</summary>
public sealed class SandboxTill
{
    public string Username { get; set; } = "";
    public string Password { get; set; } = "";
}

/// <summary>
/// What the sandbox does to callers on purpose: latency, gateway errors, 429s, a rate limit, lost
/// responses, failed items, and how long tokens live. Set at start from <c>Sandbox:Faults</c> and at
/// runtime through <c>PUT /sandbox/capillary/_settings</c> or the page; an instance is never changed
/// once published (a change publishes a copy).
/// </summary>
public sealed record SandboxFaultSettings
{
    /// <summary>Lifetime of generated access tokens (Capillary's demo value: 300).</summary>
    public int TokenTtlSeconds { get; set; } = 300;

    /// <summary>Delay added to every emulated API call.</summary>
    public int LatencyMs { get; set; }

    /// <summary>Up to this much more delay, drawn uniformly per call.</summary>
    public int LatencyJitterMs { get; set; }

    /// <summary>Share (0–1) of calls answered 502, 503 or 504 before they are processed.</summary>
    public double ServerErrorShare { get; set; }

    /// <summary>Share (0–1) of calls answered 429 with Retry-After before they are processed.</summary>
    public double TooManyRequestsShare { get; set; }

    /// <summary>Retry-After seconds of the injected 429s.</summary>
    public int RetryAfterSeconds { get; set; } = 1;

    /// <summary>Calls per minute allowed per API key or till (0 = no limit); more answers 429.</summary>
    public int RateLimitPerMinute { get; set; }

    /// <summary>Share (0–1) of calls processed (bills recorded) but answered 504: the response was "lost".</summary>
    public double LostResponseShare { get; set; }

    /// <summary>Share (0–1) of otherwise valid items refused with code 500 (and not recorded).</summary>
    public double ItemFailureShare { get; set; }

    /// <summary>Seed of the random draws; set it for repeatable runs (tests), leave empty for random.</summary>
    public int? Seed { get; set; }

    public IEnumerable<string> Validate()
    {
        if (TokenTtlSeconds is < 1 or > 86_400) yield return "TokenTtlSeconds must be between 1 and 86400.";
        if (LatencyMs is < 0 or > 60_000) yield return "LatencyMs must be between 0 and 60000.";
        if (LatencyJitterMs is < 0 or > 60_000) yield return "LatencyJitterMs must be between 0 and 60000.";
        if (!IsShare(ServerErrorShare)) yield return "ServerErrorShare must be between 0 and 1.";
        if (!IsShare(TooManyRequestsShare)) yield return "TooManyRequestsShare must be between 0 and 1.";
        if (ServerErrorShare + TooManyRequestsShare > 1) yield return "ServerErrorShare + TooManyRequestsShare must not exceed 1.";
        if (RetryAfterSeconds is < 0 or > 3600) yield return "RetryAfterSeconds must be between 0 and 3600.";
        if (RateLimitPerMinute < 0) yield return "RateLimitPerMinute must be 0 (no limit) or more.";
        if (!IsShare(LostResponseShare)) yield return "LostResponseShare must be between 0 and 1.";
        if (!IsShare(ItemFailureShare)) yield return "ItemFailureShare must be between 0 and 1.";
    }

    private static bool IsShare(double value) => value is >= 0 and <= 1;
}

/// <summary>Refuses to start with sandbox settings that make no sense, naming each.</summary>
internal sealed class SandboxOptionsValidator : IValidateOptions<SandboxOptions>
{
    public ValidateOptionsResult Validate(string? name, SandboxOptions options)
    {
        var errors = options.Validate().ToList();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
