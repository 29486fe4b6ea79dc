using System.Text.Json;
using ConnectPlus.Engine.Connectors;
using ConnectPlus.Engine.Model;

namespace ConnectPlus.Tests.Connectors;

/// <summary>
/// What every network location does on top of the contract: precise failures (sign-in, refused, unknown
/// host), faults in the middle of a transfer, and retries. Servers are killed for real (a private instance).
/// </summary>
public abstract class RemoteFileLocationContractTests : FileLocationContractTests
{
    /// <summary>A location on another host and port, with the test account, rooted at <paramref name="root"/>.</summary>
    protected abstract IFileLocation OpenAt(string host, int port, string root, RetryPolicy? retry = null, int timeoutSeconds = 10);

    /// <summary>A location whose password (or secret key) is wrong.</summary>
    protected abstract IFileLocation OpenWithWrongPassword(RetryPolicy? retry = null);

    /// <summary>A private server of this kind on <paramref name="port"/> (not started), where <see cref="FileLocationContractTests.RootName"/> exists once started.</summary>
    protected abstract PrivateServer PrivateServerAt(int port);

    /// <summary>A connection of this kind to the test server, as the connection catalog takes it, rooted at <paramref name="root"/>.</summary>
    protected abstract ConnectionDefinition ConnectionFor(string root);

    /// <summary>A connection definition holding a settings object as JSON.</summary>
    protected static ConnectionDefinition Define(string type, object settings) =>
        new() { Name = "brand-" + type, Type = type, Settings = JsonSerializer.SerializeToNode(settings, settings.GetType(), DataflowJson.Options)!.AsObject() };

    [Fact]
    public async Task TestConnection_WritesMovesAndDeletesAHiddenProbe_AndLeavesNothing()
    {
        await ConnectionCatalog.Default.TestAsync(ConnectionFor(RootName), CancellationToken.None);

        Assert.Empty(await ListPathsAsync());
    }

    [Fact]
    public async Task Test_FailsWithAuthenticationFailed_WhenPasswordIsWrong()
    {
        await using var location = OpenWithWrongPassword();

        var ex = await Assert.ThrowsAsync<ConnectionException>(() => location.TestAsync(CancellationToken.None));

        Assert.Equal(ConnectionFailure.AuthenticationFailed, ex.Failure);
        Assert.False(ex.Transient);
        Assert.DoesNotContain("wrong-Pa55", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Test_FailsWithRefused_WhenNothingListensOnThePort()
    {
        await using var location = OpenAt(TestServers.Host, PrivateServer.FreePort(), RootName);

        var ex = await Assert.ThrowsAsync<ConnectionException>(() => location.TestAsync(CancellationToken.None));

        Assert.Equal(ConnectionFailure.Refused, ex.Failure);
        Assert.True(ex.Transient);
    }

    [Fact]
    public async Task Test_FailsWithNameNotResolved_WhenHostIsUnknown()
    {
        await using var location = OpenAt("no-such-host.invalid", 2222, RootName);

        var ex = await Assert.ThrowsAsync<ConnectionException>(() => location.TestAsync(CancellationToken.None));

        Assert.Equal(ConnectionFailure.NameNotResolved, ex.Failure);
        Assert.Contains("no-such-host.invalid", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Test_FailsWithTimeout_WhenServerAcceptsButNeverAnswers()
    {
        using var silent = new SilentServer();
        await using var location = OpenAt(TestServers.Host, silent.Port, RootName, timeoutSeconds: 1);
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var ex = await Assert.ThrowsAsync<ConnectionException>(() => location.TestAsync(CancellationToken.None));

        Assert.Equal(ConnectionFailure.Timeout, ex.Failure);
        Assert.True(ex.Transient);
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task OpenRead_FailsWithConnectionLost_WhenServerStopsMidRead()
    {
        using var server = PrivateServerAt(PrivateServer.FreePort()).Start();
        await using var location = OpenAt(TestServers.Host, server.Port, RootName);
        await using (var content = new GeneratedContent(40L << 20))
            await location.WriteAsync("big.bin", content, ConflictMode.Fail, CancellationToken.None);
        await using var stream = await location.OpenReadAsync("big.bin", CancellationToken.None);

        var ex = await Assert.ThrowsAsync<ConnectionException>(() => ContentReader.ReadAsync(stream, 0, long.MaxValue, afterBytes: read =>
        {
            if (read >= 2L << 20) server.Kill();
            return Task.CompletedTask;
        }));

        Assert.Equal(ConnectionFailure.ConnectionLost, ex.Failure);
        Assert.True(ex.Transient);
        Assert.Contains("big.bin", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Write_FailsWithConnectionLost_AndLeavesNoFile_WhenServerStopsMidWrite()
    {
        using var server = PrivateServerAt(PrivateServer.FreePort()).Start();
        var retries = new RetryPolicy(3, TimeSpan.FromMilliseconds(10));
        await using var location = OpenAt(TestServers.Host, server.Port, RootName, retries);
        var content = new GeneratedContent(40L << 20)
        {
            PauseAt = (8L << 20, async () =>
            {
                server.Kill();
                await Task.Delay(100);
            }),
        };

        var ex = await Assert.ThrowsAsync<ConnectionException>(() => location.WriteAsync("out/cut.bin", content, ConflictMode.Fail, CancellationToken.None));

        Assert.True(ex.Transient, $"{ex.Failure}: {ex.Message}");
        server.Start();
        await using var after = OpenAt(TestServers.Host, server.Port, RootName);
        Assert.Null(await after.StatAsync("out/cut.bin", CancellationToken.None));
    }

    [Fact]
    public async Task Retry_SucceedsAfterTransientRefusal_WhenServerComesUp()
    {
        using var server = PrivateServerAt(PrivateServer.FreePort());
        var failures = new List<ConnectionFailure>();
        var retries = new RetryPolicy(5, TimeSpan.FromMilliseconds(100))
        {
            OnRetry = notice =>
            {
                failures.Add(notice.Failure.Failure);
                if (failures.Count == 1) server.Start();
            },
        };
        await using var location = OpenAt(TestServers.Host, server.Port, RootName, retries);

        await location.TestAsync(CancellationToken.None);

        Assert.Equal([ConnectionFailure.Refused], failures);
    }

    [Fact]
    public async Task Retry_DoesNotRetryAuthenticationFailure()
    {
        var retried = 0;
        var retries = new RetryPolicy(5, TimeSpan.FromMilliseconds(10)) { OnRetry = _ => retried++ };
        await using var location = OpenWithWrongPassword(retries);

        var ex = await Assert.ThrowsAsync<ConnectionException>(() => location.TestAsync(CancellationToken.None));

        Assert.Equal(ConnectionFailure.AuthenticationFailed, ex.Failure);
        Assert.Equal(0, retried);
    }
}
