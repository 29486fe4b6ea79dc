using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ConnectPlus.Tests.Blocks.Api;

/// <summary>A request the fake API received.</summary>
public sealed record FakeRequest(HttpMethod Method, Uri Uri, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string Path => Uri.PathAndQuery;
    public string? Header(string name) => Headers.GetValueOrDefault(name.ToUpperInvariant());
    public JsonNode Json => JsonNode.Parse(Body)!;
}

/// <summary>
/// The edge we do not own: an HTTP handler that answers token requests itself (key "key", secret
/// "secret", a new token each time) and every other request with <see cref="Answer"/>.
/// </summary>
public sealed class FakeApi : HttpMessageHandler
{
    private int _tokens;
    private int _calls;

    /// <summary>Every request, token requests included, in arrival order.</summary>
    public ConcurrentQueue<FakeRequest> Requests { get; } = new();

    /// <summary>API requests only (not the token service).</summary>
    public IReadOnlyList<FakeRequest> ApiRequests => [.. Requests.Where(r => !r.Path.Contains("/oauth/", StringComparison.Ordinal))];

    public int TokensIssued => Volatile.Read(ref _tokens);

    /// <summary>Answers API requests: the request and its 0-based number among API requests.</summary>
    public Func<FakeRequest, int, HttpResponseMessage> Answer { get; set; } = (r, _) => V2AllSucceeded(r);

    /// <summary>Answers token requests (default: a fresh token for key/secret, 401 "access forbidden" otherwise).</summary>
    public Func<FakeRequest, HttpResponseMessage>? TokenAnswer { get; set; }

    /// <summary>Token lifetime given in token answers.</summary>
    public int TokenTtlSeconds { get; set; } = 300;

    /// <summary>Awaited before answering a token request (to hold many requests on one refresh).</summary>
    public Func<Task>? BeforeToken { get; set; }

    /// <summary>
    /// Awaited before answering an API request, with the request's own cancellation token (to hold a
    /// request in flight, e.g. until the client cancels it). The request is already in <see cref="Requests"/>.
    /// </summary>
    public Func<FakeRequest, CancellationToken, Task>? BeforeAnswer { get; set; }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var headers = request.Headers.Concat(request.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>())
            .ToDictionary(h => h.Key.ToUpperInvariant(), h => string.Join(",", h.Value));
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        var received = new FakeRequest(request.Method, request.RequestUri!, headers, body);
        Requests.Enqueue(received);
        if (received.Path.EndsWith("/v3/oauth/token/generate", StringComparison.Ordinal))
        {
            if (BeforeToken is not null) await BeforeToken();
            return TokenAnswer?.Invoke(received) ?? Token(received);
        }
        if (BeforeAnswer is not null) await BeforeAnswer(received, cancellationToken);
        return Answer(received, Interlocked.Increment(ref _calls) - 1);
    }

    private HttpResponseMessage Token(FakeRequest request)
    {
        var json = request.Json;
        if (json["key"]?.GetValue<string>() != "key" || json["secret"]?.GetValue<string>() != "secret")
            return Json(HttpStatusCode.Unauthorized, """{"data":null,"errors":[{"status":false,"code":401,"message":"access forbidden"}]}""");
        var n = Interlocked.Increment(ref _tokens);
        return Json(HttpStatusCode.OK, $$"""{"data":{"accessToken":"token-{{n}}","ttlSeconds":{{TokenTtlSeconds}}},"errors":null}""");
    }

    public static HttpResponseMessage Json(HttpStatusCode status, string json) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    public static HttpResponseMessage Json(int status, string json) => Json((HttpStatusCode)status, json);

    /// <summary>A v2 bulk answer where every item succeeded: entity ids 1000+i, 10 points each.</summary>
    public static HttpResponseMessage V2AllSucceeded(FakeRequest request)
    {
        var count = request.Json.AsArray().Count;
        return V2(request, Enumerable.Range(0, count).Select(_ => (int?)null).ToArray());
    }

    /// <summary>A v2 bulk answer: per item null (succeeded) or an error code.</summary>
    public static HttpResponseMessage V2(FakeRequest request, params int?[] errors)
    {
        var items = request.Json.AsArray();
        var response = new JsonArray();
        for (var i = 0; i < items.Count; i++)
        {
            var bill = items[i]?["billNumber"]?.GetValue<string>() ?? i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            response.Add(errors[i] is { } code
                ? new JsonObject { ["entityId"] = null, ["result"] = null, ["errors"] = new JsonArray(new JsonObject { ["status"] = false, ["code"] = code, ["message"] = $"error {code} for {bill}" }), ["warnings"] = new JsonArray() }
                : new JsonObject
                {
                    ["entityId"] = 1000 + i,
                    ["result"] = new JsonObject { ["billNumber"] = bill, ["sideEffects"] = new JsonArray(new JsonObject { ["type"] = "points", ["awardedPoints"] = 10 }) },
                    ["errors"] = new JsonArray(),
                    ["warnings"] = new JsonArray(),
                });
        }
        var failures = errors.Count(e => e is not null);
        var root = new JsonObject { ["response"] = response, ["totalCount"] = items.Count, ["failureCount"] = failures };
        return Json(failures == 0 ? HttpStatusCode.OK : HttpStatusCode.Created, root.ToJsonString());
    }

    /// <summary>A gateway-style error (any API).</summary>
    public static HttpResponseMessage Gateway(int status, int? retryAfterSeconds = null)
    {
        var response = Json(status, $$"""{"errors":[{"status":false,"code":{{status}},"message":"gateway says {{status}}"}]}""");
        if (retryAfterSeconds is { } seconds) response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(seconds));
        return response;
    }
}

/// <summary>
/// A clock whose one-shot timers fire at once, moving the clock forward by their delay: code that
/// waits (backoff, Retry-After, rate limits) runs instantly, and the waits are recorded.
/// Periodic timers never fire.
/// </summary>
public sealed class InstantTime : TimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<TimeSpan> _waits = [];
    private DateTimeOffset _now = new(2025, 6, 1, 10, 0, 0, TimeSpan.Zero);

    /// <summary>Told of each wait before it ends (e.g. to move another clock on by as much).</summary>
    public Action<TimeSpan>? OnWait { get; set; }

    public IReadOnlyList<TimeSpan> Waits
    {
        get { lock (_lock) return [.. _waits]; }
    }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock) return _now;
    }

    public void Advance(TimeSpan by)
    {
        lock (_lock) _now += by;
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (period == Timeout.InfiniteTimeSpan && dueTime != Timeout.InfiniteTimeSpan)
        {
            lock (_lock)
            {
                _waits.Add(dueTime);
                _now += dueTime;
            }
            OnWait?.Invoke(dueTime);
            ThreadPool.QueueUserWorkItem(_ => callback(state));
        }
        return new Silent();
    }

    private sealed class Silent : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => true;
        public void Dispose() { }
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
