using ConnectPlus.Engine.Connectors;

namespace ConnectPlus.Tests.Connectors;

public sealed class RetryPolicyTests
{
    /// <summary>A clock whose timers fire at once, recording how long they were asked to wait.</summary>
    private sealed class InstantTimeProvider : TimeProvider
    {
        public List<TimeSpan> Waits { get; } = [];

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            lock (Waits) Waits.Add(dueTime);
            ThreadPool.QueueUserWorkItem(_ => callback(state));
            return new NoTimer();
        }

        private sealed class NoTimer : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;
            public void Dispose() { }
            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }

    private static ConnectionException Fault(ConnectionFailure failure) => new(failure, failure.ToString());

    [Fact]
    public async Task Execute_RetriesTransientFault_ThenReturnsResult()
    {
        var clock = new InstantTimeProvider();
        var policy = new RetryPolicy(4, TimeSpan.FromSeconds(1)) { TimeProvider = clock };
        var attempts = 0;

        var result = await policy.ExecuteAsync(_ => ++attempts < 3 ? throw Fault(ConnectionFailure.ConnectionLost) : Task.FromResult("done"), CancellationToken.None);

        Assert.Equal("done", result);
        Assert.Equal(3, attempts);
        Assert.Equal(2, clock.Waits.Count);
        Assert.InRange(clock.Waits[0], TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1));
        Assert.InRange(clock.Waits[1], TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
    }

    [Theory]
    [InlineData(ConnectionFailure.AuthenticationFailed)]
    [InlineData(ConnectionFailure.NotFoundOnServer)]
    [InlineData(ConnectionFailure.PermissionDenied)]
    [InlineData(ConnectionFailure.ServerIdentityRejected)]
    public async Task Execute_DoesNotRetryPermanentFault(ConnectionFailure failure)
    {
        var clock = new InstantTimeProvider();
        var policy = new RetryPolicy(5, TimeSpan.FromSeconds(1)) { TimeProvider = clock };
        var attempts = 0;

        var ex = await Assert.ThrowsAsync<ConnectionException>(() => policy.ExecuteAsync(_ =>
        {
            attempts++;
            throw Fault(failure);
        }, CancellationToken.None));

        Assert.Equal(failure, ex.Failure);
        Assert.Equal(1, attempts);
        Assert.Empty(clock.Waits);
    }

    [Fact]
    public async Task Execute_GivesUpAfterLastAttempt_WithTheLastFault()
    {
        var clock = new InstantTimeProvider();
        var retried = new List<int>();
        var policy = new RetryPolicy(3, TimeSpan.FromMilliseconds(10)) { TimeProvider = clock, OnRetry = n => retried.Add(n.Attempt) };
        var attempts = 0;

        var ex = await Assert.ThrowsAsync<ConnectionException>(() => policy.ExecuteAsync(_ =>
        {
            attempts++;
            throw Fault(attempts == 3 ? ConnectionFailure.Timeout : ConnectionFailure.Refused);
        }, CancellationToken.None));

        Assert.Equal(ConnectionFailure.Timeout, ex.Failure);
        Assert.Equal(3, attempts);
        Assert.Equal([2, 3], retried);
    }

    [Fact]
    public async Task Execute_DoesNotRetryOtherExceptions()
    {
        var policy = new RetryPolicy(3, TimeSpan.FromMilliseconds(10)) { TimeProvider = new InstantTimeProvider() };
        var attempts = 0;

        await Assert.ThrowsAsync<InvalidOperationException>(() => policy.ExecuteAsync(_ =>
        {
            attempts++;
            throw new InvalidOperationException("a bug, not a network fault");
        }, CancellationToken.None));

        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task Execute_StopsWaiting_WhenCancelled()
    {
        var policy = new RetryPolicy(3, TimeSpan.FromMinutes(10));
        using var cancel = new CancellationTokenSource();

        var run = policy.ExecuteAsync(_ =>
        {
            cancel.CancelAfter(50);
            throw Fault(ConnectionFailure.ConnectionLost);
        }, cancel.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }

    [Fact]
    public void DelayBefore_DoublesWithEachRetry_WithinJitter_AndStaysUnderTheCap()
    {
        var policy = new RetryPolicy(10, TimeSpan.FromSeconds(1)) { MaxDelay = TimeSpan.FromSeconds(5), Random = new Random(7) };

        var delays = Enumerable.Range(1, 6).Select(policy.DelayBefore).ToList();

        Assert.InRange(delays[0], TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1));
        Assert.InRange(delays[1], TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
        Assert.InRange(delays[2], TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4));
        Assert.All(delays.Skip(3), d => Assert.InRange(d, TimeSpan.FromSeconds(2.5), TimeSpan.FromSeconds(5)));
        Assert.NotEqual(policy.DelayBefore(1), policy.DelayBefore(1));
    }

    [Fact]
    public void RetryNotice_SaysWhatFailed_WhichAttemptComes_AndTheWait()
    {
        var notice = new RetryNotice(Fault(ConnectionFailure.ConnectionLost), 2, 3, TimeSpan.FromMilliseconds(1250));

        Assert.Equal($"{Fault(ConnectionFailure.ConnectionLost).Message} Trying again in 1.3 s (attempt 2 of 3).", notice.ToString());
    }
}
