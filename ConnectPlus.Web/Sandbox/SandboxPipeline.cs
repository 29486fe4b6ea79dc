using System.Globalization;
using System.Text.Json;

namespace ConnectPlus.Web.Sandbox;

/// <summary>What an endpoint is: its name in the log, its API family and whether it needs a caller.</summary>
internal sealed record SandboxEndpoint(string Method, string Path, SandboxApiFamily Family, Func<SandboxCall, SandboxReply> Handle)
{
    public bool NeedsCaller => Family != SandboxApiFamily.OAuth;
}

/// <summary>
/// Runs every emulated call the same way: latency, gateway faults (5xx, 429), authentication, the
/// per-caller rate limit, the body as JSON, the handler, a "lost" response, then the log and the answer.
/// </summary>
internal sealed class SandboxPipeline(SandboxServices services, SandboxRequestLog log)
{
    public async Task RunAsync(HttpContext http, SandboxEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(endpoint);
        var ct = http.RequestAborted;
        var time = services.Time;
        var started = time.GetTimestamp();
        var latency = services.Faults.NextLatency();
        if (latency > TimeSpan.Zero) await Task.Delay(latency, time, ct);

        SandboxCaller? caller = null;
        var reply = services.Faults.NextGatewayFault() is { } fault ? SandboxReplies.Refused(fault) : null;
        if (reply is null && endpoint.NeedsCaller)
        {
            caller = services.Authenticator.Authenticate(http.Request, endpoint.Family);
            if (caller is null) reply = SandboxReplies.Unauthorized(endpoint.Family);
            else if (services.Faults.TakeRateLimit(caller.Name) is { } limited) reply = SandboxReplies.Refused(limited);
        }
        reply ??= await HandleAsync(http, endpoint, caller, ct);

        log.Add(id => new SandboxRequestRecord(id, time.GetUtcNow(), endpoint.Method, endpoint.Path, caller?.Name,
            reply.Status, reply.Items.Count, reply.Items.Count(i => !i.Success), reply.Fault,
            time.GetElapsedTime(started).TotalMilliseconds, reply.Items));

        http.Response.StatusCode = reply.Status;
        if (reply.RetryAfterSeconds is { } seconds) http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await http.Response.WriteAsJsonAsync(reply.Body, reply.Body.GetType(), SandboxJson.Options, ct);
    }

    private async Task<SandboxReply> HandleAsync(HttpContext http, SandboxEndpoint endpoint, SandboxCaller? caller, CancellationToken ct)
    {
        var format = http.Request.Query["format"].ToString();
        if (format.Length > 0 && !format.Equals("json", StringComparison.OrdinalIgnoreCase))
            return SandboxReplies.BadRequest(endpoint.Family, $"The sandbox answers JSON only: use format=json, not '{format}'.");
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(http.Request.Body, default, ct);
        }
        catch (JsonException ex)
        {
            return SandboxReplies.BadRequest(endpoint.Family, "The body is not valid JSON: " + ex.Message);
        }
        using (document)
        {
            var reply = endpoint.Handle(new SandboxCall(caller, document.RootElement, services));
            // The nastiest failure for a client: the work is done, but the answer never arrives.
            if (reply.Items.Any(i => i.Success) && services.Faults.NextLostResponse())
                return SandboxReplies.Refused(new SandboxRefusal(504, 0, "response lost after processing")) with { Items = reply.Items };
            return reply;
        }
    }
}
