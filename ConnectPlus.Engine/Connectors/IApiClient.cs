using System.Buffers;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace ConnectPlus.Engine.Connectors;

/// <summary>
/// A client of a web API behind a connection (Capillary, any REST endpoint): it signs requests in and
/// sends them. Thread-safe: the blocks of a run that use one connection share one client.
/// </summary>
public interface IApiClient : IDisposable
{
    /// <summary>Where this is, for messages, without secrets: "capillary connection 'brand' (https://eu.api.capillarytech.com)".</summary>
    string Display { get; }

    /// <summary>
    /// Sends one request with a JSON body and returns the answer, whatever its status, except that a
    /// refused sign-in (401, after one token refresh where the API has tokens) throws
    /// <see cref="ConnectionException"/> with <see cref="ConnectionFailure.AuthenticationFailed"/>.
    /// No answer (timeout, connection refused or reset) throws a <see cref="ConnectionException"/> too.
    /// </summary>
    /// <param name="method">POST, PUT, PATCH…</param>
    /// <param name="url">A path added to the connection's base URL (<c>/v2/transactions/bulk</c>) or an absolute URL.</param>
    /// <param name="body">The JSON body (UTF-8).</param>
    /// <param name="headers">Further headers (attribution, tracing…); may be empty.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    Task<ApiResponse> SendAsync(HttpMethod method, string url, ReadOnlyMemory<byte> body, IReadOnlyList<KeyValuePair<string, string>> headers, CancellationToken cancellationToken);
}

/// <summary>An API's answer: HTTP status, body bytes and, on 429/503, how long the server asks to wait.</summary>
public sealed record ApiResponse(int Status, ReadOnlyMemory<byte> Body, TimeSpan? RetryAfter = null)
{
    // The body's buffer when it was rented from the shared pool (see Release).
    private PooledBuffer? _pooled;

    /// <summary>An answer whose body is the first <paramref name="length"/> bytes of <paramref name="rented"/>, rented from <see cref="ArrayPool{T}.Shared"/>.</summary>
    internal ApiResponse(int status, byte[] rented, int length, TimeSpan? retryAfter)
        : this(status, rented.AsMemory(0, length), retryAfter)
    {
        _pooled = new PooledBuffer(rented);
    }

    /// <summary>
    /// Gives a pooled body's buffer back to the pool once whoever asked for the answer is done with it:
    /// nothing may read <see cref="Body"/> after this (texts made from it, like <see cref="Excerpt"/>'s, stay).
    /// An answer not released leaves its buffer to the garbage collector.
    /// </summary>
    internal void Release() => _pooled?.Return();

    /// <summary>The body as text, cut to <paramref name="max"/> characters (for messages).</summary>
    public string Excerpt(int max = 300)
    {
        var text = Encoding.UTF8.GetString(Body.Span[..Math.Min(Body.Length, max * 4)]);
        return text.Length <= max ? text : text[..max] + "…";
    }

    /// <summary>
    /// The server's own words: the first error message of a Capillary v2 or OAuth error body
    /// (<c>errors[0].message</c>) or of a v1.1 one (<c>response.status.message</c>), else the body's start.
    /// </summary>
    public string ServerMessage()
    {
        try
        {
            using var document = JsonDocument.Parse(Body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0
                    && errors[0].ValueKind == JsonValueKind.Object
                    && errors[0].TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String)
                    return message.GetString() + ".";
                if (root.TryGetProperty("response", out var response) && response.ValueKind == JsonValueKind.Object
                    && response.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.Object
                    && status.TryGetProperty("message", out var statusMessage) && statusMessage.ValueKind == JsonValueKind.String)
                    return statusMessage.GetString() + ".";
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's HTML page): the text itself says more than nothing.
        }
        var text = Excerpt(200);
        return text.Length == 0 ? "(no message)" : text;
    }

    public override string ToString() => $"HTTP {Status.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>A rented buffer, returned once however many copies of the answer share it.</summary>
    private sealed class PooledBuffer(byte[] buffer)
    {
        private byte[]? _buffer = buffer;

        public void Return()
        {
            if (Interlocked.Exchange(ref _buffer, null) is { } buffer) ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

/// <summary>Sending over <see cref="HttpClient"/> with the failures turned into <see cref="ConnectionException"/>s.</summary>
internal static class ApiTransport
{
    public const string JsonMediaType = "application/json";

    public static HttpClient CreateHttpClient(HttpMessageHandler? handler, int timeoutSeconds)
    {
        // A handler given by the host (tests) is the host's to dispose.
        var client = handler is null
            ? new HttpClient(new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                AutomaticDecompression = System.Net.DecompressionMethods.All,
            }, disposeHandler: true)
            : new HttpClient(handler, disposeHandler: false);
        client.Timeout = TimeSpan.FromSeconds(timeoutSeconds);
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue(JsonMediaType));
        return client;
    }

    /// <summary>Joins a base URL and a path (or takes an absolute URL as it is).</summary>
    public static Uri Resolve(string baseUrl, string url)
    {
        if (Uri.TryCreate(url, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https") return absolute;
        return new Uri(baseUrl.TrimEnd('/') + "/" + url.TrimStart('/'));
    }

    /// <summary>A request with a JSON body and <paramref name="headers"/>, then <paramref name="more"/> headers (the connection's, then the sink's).</summary>
    public static HttpRequestMessage Request(HttpMethod method, Uri uri, ReadOnlyMemory<byte> body, IReadOnlyList<KeyValuePair<string, string>> headers,
        IReadOnlyList<KeyValuePair<string, string>>? more = null)
    {
        var request = new HttpRequestMessage(method, uri) { Content = new ReadOnlyMemoryContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(JsonMediaType) { CharSet = "utf-8" };
        AddHeaders(request, headers);
        if (more is not null) AddHeaders(request, more);
        return request;
    }

    private static void AddHeaders(HttpRequestMessage request, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        for (var i = 0; i < headers.Count; i++)
        {
            var (name, value) = headers[i];
            if (!request.Headers.TryAddWithoutValidation(name, value)) request.Content!.Headers.TryAddWithoutValidation(name, value);
        }
    }

    /// <summary>
    /// The last URL a client resolved, kept to resolve it once (a sink sends every request to the same
    /// URL). Thread-safe: a whole pair is swapped in at once.
    /// </summary>
    internal sealed class UriCache(string baseUrl)
    {
        private volatile Resolved? _last;

        public Uri Resolve(string url)
        {
            if (_last is { } last && string.Equals(last.Url, url, StringComparison.Ordinal)) return last.Uri;
            var uri = ApiTransport.Resolve(baseUrl, url);
            _last = new Resolved(url, uri);
            return uri;
        }

        private sealed record Resolved(string Url, Uri Uri);
    }

    /// <summary>
    /// Sends and reads the whole answer; no answer at all becomes a <see cref="ConnectionException"/>.
    /// Nothing is sent once <paramref name="cancellationToken"/> is cancelled (a run stopped by a fault
    /// elsewhere must not start new requests, whatever the handler does with the token).
    /// </summary>
    /// <remarks>
    /// The answer's body is read from the connection straight into a pooled buffer (not buffered by the
    /// content first, which would make a new array per answer and copy it once more). The client's
    /// <see cref="HttpClient.Timeout"/> bounds the whole exchange as it does for a buffered answer, and a
    /// body cut short fails as the content's buffering would have failed (same exception, same message).
    /// </remarks>
    public static async Task<ApiResponse> SendAsync(HttpClient http, HttpRequestMessage request, string display, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        // The client's timeout covers the headers only when they come first: this one covers the body too.
        using var timeout = http.Timeout == Timeout.InfiniteTimeSpan ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout?.CancelAfter(http.Timeout);
        var token = timeout?.Token ?? cancellationToken;
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
            var content = response.Content;
            var expected = content.Headers.ContentLength;
            if (expected == 0) return new ApiResponse((int)response.StatusCode, ReadOnlyMemory<byte>.Empty, RetryAfter(response));
            var buffer = ArrayPool<byte>.Shared.Rent(expected is > 0 and < int.MaxValue - 1 ? (int)expected.Value + 1 : 4096);
            var length = 0;
            try
            {
                var stream = await content.ReadAsStreamAsync(token).ConfigureAwait(false);
                await using (stream.ConfigureAwait(false))
                {
                    int read;
                    while ((read = await stream.ReadAsync(buffer.AsMemory(length), token).ConfigureAwait(false)) > 0)
                    {
                        length += read;
                        if (length < buffer.Length) continue;
                        var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(0, length).CopyTo(bigger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = bigger;
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                // What the content's buffering throws for a body cut short (HttpClient with ResponseContentRead).
                ArrayPool<byte>.Shared.Return(buffer);
                throw new HttpRequestException((ex as HttpIOException)?.HttpRequestError ?? HttpRequestError.Unknown, BodyCopyError, ex);
            }
            return new ApiResponse((int)response.StatusCode, buffer, length, RetryAfter(response));
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ConnectionException(ConnectionFailure.Timeout,
                $"{display} did not answer {request.Method} {request.RequestUri?.AbsolutePath} within {http.Timeout.TotalSeconds:0} s.", ex);
        }
        catch (HttpRequestException ex)
        {
            var failure = ex.HttpRequestError switch
            {
                HttpRequestError.NameResolutionError => ConnectionFailure.NameNotResolved,
                HttpRequestError.ConnectionError when ex.InnerException is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionRefused } => ConnectionFailure.Refused,
                HttpRequestError.SecureConnectionError => ConnectionFailure.ServerIdentityRejected,
                _ => ConnectionFailure.ConnectionLost,
            };
            throw new ConnectionException(failure, $"{display}: {request.Method} {request.RequestUri?.AbsolutePath} failed: {ex.Message}", ex);
        }
    }

    /// <summary>HttpClient's message for a body that could not be read in whole (SR.net_http_content_stream_copy_error).</summary>
    internal const string BodyCopyError = "Error while copying content to a stream.";

    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta) return delta;
        if (header?.Date is { } date)
        {
            var wait = date - (response.Headers.Date ?? DateTimeOffset.UtcNow);
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }
        return null;
    }
}
