using System.Reflection;
using ConnectPlus.Web.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Quartz;

namespace ConnectPlus.Tests.Scheduling;

/// <summary>The run job executes a run, or, when Quartz fires it again because its node died, recovers it instead.</summary>
public sealed class RunJobTests
{
    [Fact]
    public async Task Execute_RunsTheRun_OnAFirstFire()
    {
        var (job, executor, recovery) = NewJob();

        await job.Execute(Context(runId: 12, recovering: false), CancellationToken.None);

        Assert.Equal([12L], executor.Executed);
        Assert.Empty(recovery.Recovered);
    }

    [Fact]
    public async Task Execute_RecoversInsteadOfRunning_WhenQuartzRecoversTheJobOfADeadNode()
    {
        var (job, executor, recovery) = NewJob();

        await job.Execute(Context(runId: 12, recovering: true), CancellationToken.None);

        Assert.Empty(executor.Executed);
        Assert.Equal([12L], recovery.Recovered);
    }

    [Fact]
    public async Task Execute_PassesTheSchedulersCancellationToTheRun()
    {
        var (job, executor, _) = NewJob();
        executor.HoldUntilCancelled = true;
        using var cancel = new CancellationTokenSource();

        var running = job.Execute(Context(runId: 3, recovering: false), cancel.Token).AsTask();
        await executor.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        Assert.True(executor.SawCancellation.Task.IsCompletedSuccessfully);
    }

    private static (RunJob Job, RecordingRunExecutor Executor, RecordingRunRecovery Recovery) NewJob()
    {
        var executor = new RecordingRunExecutor();
        var recovery = new RecordingRunRecovery();
        var services = new ServiceCollection()
            .AddSingleton<ConnectPlus.Web.Features.Runs.IRunExecutor>(executor)
            .AddSingleton<ConnectPlus.Web.Features.Runs.IRunRecovery>(recovery)
            .BuildServiceProvider();
        return (new RunJob(services.GetRequiredService<IServiceScopeFactory>(), NullLogger<RunJob>.Instance), executor, recovery);
    }

    private static IJobExecutionContext Context(long runId, bool recovering)
    {
        var scheduler = Fake<IScheduler>(new() { ["get_SchedulerInstanceId"] = "node-b" });
        return Fake<IJobExecutionContext>(new()
        {
            ["get_MergedJobDataMap"] = new JobDataMap { [RunJob.RunIdKey] = runId.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            ["get_Recovering"] = recovering,
            ["get_Scheduler"] = scheduler,
        });
    }

    /// <summary>An interface answering the named members, and throwing for any other (the job must not need them).</summary>
    private static T Fake<T>(Dictionary<string, object> answers) where T : class
    {
        var fake = DispatchProxy.Create<T, FakeProxy>();
        ((FakeProxy)(object)fake).Answers = answers;
        return fake;
    }

    public class FakeProxy : DispatchProxy
    {
        internal Dictionary<string, object> Answers { get; set; } = [];

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            Answers.TryGetValue(targetMethod!.Name, out var answer) ? answer : throw new NotSupportedException($"RunJob used {targetMethod.Name}.");
    }
}
