using ConnectPlus.Engine.Delivery;
using ConnectPlus.Tests.Web;
using ConnectPlus.Web.Features.Runs;
using ConnectPlus.Web.Scheduling;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ConnectPlus.Tests.Runs;

/// <summary>How the web host wires runs, and the node's name.</summary>
public sealed class RunsHostingTests(ConnectPlusWebFactory factory) : IClassFixture<ConnectPlusWebFactory>
{
    [Fact]
    public void WebHost_DispatchesRunsThroughQuartz_WithTheDatabaseLedgerAndCheckpoints_AndItsBackgroundServices()
    {
        var services = factory.Services;

        // Scheduling is on by default: queued runs become Quartz jobs, the in-process dispatcher is not used.
        Assert.IsType<QuartzRunDispatcher>(services.GetRequiredService<IRunDispatcher>());
        Assert.IsType<DatabaseProcessedFileLedger>(services.GetRequiredService<IProcessedFileLedger>());
        Assert.IsType<DatabaseCheckpointStore>(services.GetRequiredService<ICheckpointStore>());
        Assert.IsType<RunExecutor>(services.GetRequiredService<IRunExecutor>());
        Assert.IsType<RunRecovery>(services.GetRequiredService<IRunRecovery>());
        var hosted = services.GetServices<IHostedService>().Select(s => s.GetType()).ToList();
        Assert.DoesNotContain(typeof(InProcessRunDispatcher), hosted);
        Assert.Contains(typeof(RunRecoveryService), hosted);
        Assert.Contains(typeof(RunRetentionService), hosted);
        Assert.Equal(30, services.GetRequiredService<RunsSettings>().RetentionDays);
    }

    [Fact]
    public void RunNode_IsTheMachineNameAndProcessId_ByDefault_OrEngineNodeName()
    {
        var unnamed = RunNode.From(new ConfigurationBuilder().Build());
        var named = RunNode.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Engine:NodeName"] = " web-01 " }).Build());

        Assert.Equal($"{Environment.MachineName}/{Environment.ProcessId}", unnamed.Name);
        Assert.Equal("web-01", named.Name);
    }
}
