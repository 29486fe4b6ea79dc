using ConnectPlus.Web.Features.Runs;
using Microsoft.Extensions.Logging.Abstractions;

namespace ConnectPlus.Tests.Runs;

public sealed class InProcessRunDispatcherTests
{
    [Fact]
    public async Task StopAsync_AfterDispose_DoesNotThrow_AsTheHostStopsTwice()
    {
        var executor = new WaitingExecutor();
        var dispatcher = new InProcessRunDispatcher(executor, NullLogger<InProcessRunDispatcher>.Instance);
        await dispatcher.DispatchAsync(7, CancellationToken.None);
        await executor.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        await dispatcher.StopAsync(CancellationToken.None);
        Assert.True(executor.SawCancellation);
        dispatcher.Dispose();

        await dispatcher.StopAsync(CancellationToken.None);
        dispatcher.Dispose();
        Assert.Empty(dispatcher.Running);
    }

    private sealed class WaitingExecutor : IRunExecutor
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool SawCancellation { get; private set; }

        public async Task ExecuteAsync(long runId, CancellationToken cancellationToken)
        {
            Started.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                SawCancellation = true;
            }
        }
    }
}
