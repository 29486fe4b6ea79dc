using System.Text.Json;
using Microsoft.Extensions.Options;

namespace ConnectPlus.Web.Sandbox;

/// <summary>The sandbox's services, handed to each API handler.</summary>
internal sealed class SandboxServices(
    SandboxStore store,
    SandboxFaultInjector faults,
    SandboxAuthenticator authenticator,
    SandboxTokens tokens,
    TimeProvider time,
    IOptions<SandboxOptions> options)
{
    public SandboxStore Store => store;
    public SandboxFaultInjector Faults => faults;
    public SandboxAuthenticator Authenticator => authenticator;
    public SandboxTokens Tokens => tokens;
    public TimeProvider Time => time;
    public SandboxOptions Options => options.Value;
}

/// <summary>One API call as a handler sees it: the caller (null on the token endpoint) and the parsed body.</summary>
internal sealed record SandboxCall(SandboxCaller? Caller, JsonElement Body, SandboxServices Services)
{
    public string CallerName => Caller?.Name ?? "anonymous";
}

/// <summary>A handler's answer: HTTP status, JSON body and, for the request log, each item's outcome.</summary>
internal sealed record SandboxReply(int Status, object Body, IReadOnlyList<SandboxItemOutcome> Items)
{
    public int? RetryAfterSeconds { get; init; }

    /// <summary>The injected fault that shaped this answer, if any (shown on the page).</summary>
    public string? Fault { get; init; }
}

/// <summary>Bodies shared by the endpoints: request-level errors in each API family's shape.</summary>
internal static class SandboxReplies
{
    private static readonly IReadOnlyList<SandboxItemOutcome> NoItems = [];

    /// <summary>A v2 error item (also used inside OAuth and gateway bodies).</summary>
    public static object Error(int code, string message) => new { status = false, code, message };

    public static object Error(SandboxCode code) => Error(code.Code, code.Message);

    /// <summary>v1.1's <c>status</c>/<c>item_status</c> object; v1.1 writes booleans as "true"/"false" strings.</summary>
    public static object V11Status(bool success, int code, string message) =>
        new { success = success ? "true" : "false", code, message };

    public static SandboxReply RequestError(SandboxApiFamily family, int status, string message) =>
        new(status, RequestErrorBody(family, status, message), NoItems);

    public static SandboxReply BadRequest(SandboxApiFamily family, string message) => RequestError(family, 400, message);

    public static SandboxReply Unauthorized(SandboxApiFamily family) => RequestError(family, 401,
        family == SandboxApiFamily.V11
            ? "Unauthorized: send Authorization Basic base64(till:md5(password)) or a valid X-CAP-API-OAUTH-TOKEN"
            : "Unauthorized: the X-CAP-API-OAUTH-TOKEN is missing, unknown or expired");

    /// <summary>A gateway error or 429: the same JSON whatever the API, as a gateway would answer.</summary>
    public static SandboxReply Refused(SandboxRefusal refusal) =>
        new(refusal.Status, new { errors = new[] { Error(refusal.Status, Describe(refusal.Status)) } }, NoItems)
        {
            RetryAfterSeconds = refusal.Status == 429 ? refusal.RetryAfterSeconds : null,
            Fault = refusal.Reason,
        };

    private static object RequestErrorBody(SandboxApiFamily family, int status, string message) => family switch
    {
        SandboxApiFamily.OAuth => new { data = (object?)null, errors = new[] { Error(status, message) } },
        SandboxApiFamily.V11 => new { response = new { status = V11Status(false, status, message) } },
        _ => new { errors = new[] { Error(status, message) } },
    };

    private static string Describe(int status) => status switch
    {
        429 => "Too many requests",
        502 => "Bad gateway",
        503 => "Service unavailable",
        504 => "Gateway timeout",
        _ => "Error",
    };
}
