using System.Net;
using ConnectPlus.Engine.Connectors;
using ConnectPlus.Engine.Connectors.Capillary;

namespace ConnectPlus.Tests.Blocks.Api;

/// <summary>The answer's body is read from the connection by the transport itself (not buffered by HttpClient first).</summary>
public sealed class ApiTransportBodyTests
{
    private static CapillaryConnectionSettings Settings(int timeoutSeconds = 30) => new()
    {
        BaseUrl = "https://capillary.test",
        Auth = CapillaryAuth.Oauth,
        ClientKey = "key",
        ClientSecret = "secret",
        TimeoutSeconds = timeoutSeconds,
    };

    private static Task<ApiResponse> Post(CapillaryClient client) =>
        client.SendAsync(HttpMethod.Post, "/v2/transactions/bulk", "[]"u8.ToArray(), [], CancellationToken.None);

    [Theory]
    [InlineData(0, true)]
    [InlineData(1, true)]
    [InlineData(4095, false)]
    [InlineData(4096, false)]
    [InlineData(100_000, true)]
    [InlineData(100_000, false)]
    public async Task SendAsync_GivesTheWholeBody_WithOrWithoutItsLength(int size, bool withLength)
    {
        var body = new byte[size];
        new Random(size).NextBytes(body);
        var api = new FakeApi { Answer = (_, _) => Answer(HttpStatusCode.Created, new ChunkedStream(body, 1000), withLength ? size : null) };
        using var client = new CapillaryClient("brand", Settings(), api);

        var response = await Post(client);

        Assert.Equal(201, response.Status);
        Assert.Equal(body, response.Body.ToArray());
    }

    [Fact]
    public async Task SendAsync_FailsAsConnectionLost_WithHttpClientsMessage_WhenTheBodyIsCutShort()
    {
        var api = new FakeApi { Answer = (_, _) => Answer(HttpStatusCode.OK, new ChunkedStream(new byte[5000], 1000, failAfter: 2000), 5000) };
        using var client = new CapillaryClient("brand", Settings(), api);

        var error = await Assert.ThrowsAsync<ConnectionException>(() => Post(client));

        Assert.Equal(ConnectionFailure.ConnectionLost, error.Failure);
        Assert.True(error.Transient);
        Assert.Contains("POST /v2/transactions/bulk failed: Error while copying content to a stream.", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task SendAsync_GivesUp_WhenTheBodyDoesNotComeWithinTheTimeout()
    {
        var api = new FakeApi { Answer = (_, _) => Answer(HttpStatusCode.OK, new ChunkedStream(new byte[5000], 1000, stallAfter: 1000), 5000) };
        using var client = new CapillaryClient("brand", Settings(timeoutSeconds: 1), api);

        var error = await Assert.ThrowsAsync<ConnectionException>(() => Post(client));

        Assert.Equal(ConnectionFailure.Timeout, error.Failure);
        Assert.Contains("did not answer POST /v2/transactions/bulk within 1 s", error.Message, StringComparison.Ordinal);
    }

    private static HttpResponseMessage Answer(HttpStatusCode status, Stream body, long? length)
    {
        var content = new StreamContent(body);
        content.Headers.ContentLength = length;
        return new HttpResponseMessage(status) { Content = content };
    }

    /// <summary>Gives the bytes in chunks; then fails, or waits until cancelled, after some of them when asked.</summary>
    private sealed class ChunkedStream(byte[] bytes, int chunk, int failAfter = -1, int stallAfter = -1) : Stream
    {
        private int _at;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _at; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (failAfter >= 0 && _at >= failAfter) throw new IOException("The connection was reset.");
            var n = Math.Min(Math.Min(chunk, buffer.Length), bytes.Length - _at);
            bytes.AsSpan(_at, n).CopyTo(buffer);
            _at += n;
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (stallAfter >= 0 && _at >= stallAfter) await Task.Delay(Timeout.Infinite, cancellationToken);
            return Read(buffer.Span);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }
}
