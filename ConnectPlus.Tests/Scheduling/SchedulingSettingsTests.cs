using ConnectPlus.Web.Data;
using ConnectPlus.Web.Features.Runs;
using ConnectPlus.Web.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace ConnectPlus.Tests.Scheduling;

public sealed class SchedulingSettingsTests
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite, false)]
    [InlineData(DatabaseProvider.PostgreSql, true)]
    [InlineData(DatabaseProvider.SqlServer, true)]
    public void IsClustered_FollowsTheDatabase_WhenNotSet(DatabaseProvider provider, bool clustered)
    {
        Assert.Equal(clustered, new SchedulingSettings().IsClustered(provider));
    }

    [Fact]
    public void IsClustered_IsWhatIsSet_WhenSet()
    {
        Assert.False(new SchedulingSettings { Clustered = false }.IsClustered(DatabaseProvider.PostgreSql));
    }

    [Fact]
    public void Problems_NameTheSetting()
    {
        var settings = new SchedulingSettings { CheckinIntervalSeconds = 0, MaxConcurrentRuns = 0, MisfireThresholdSeconds = 0.5 };

        var problems = settings.Problems().ToList();

        Assert.Equal(3, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("Scheduling:CheckinIntervalSeconds", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Scheduling:MaxConcurrentRuns", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Scheduling:MisfireThresholdSeconds", StringComparison.Ordinal));
    }

    [Fact]
    public void Problems_AreNone_ForTheDefaults()
    {
        Assert.Empty(new SchedulingSettings().Problems());
    }

    [Fact]
    public async Task Host_RunsInProcess_WithoutQuartz_WhenSchedulingIsOff()
    {
        await using var app = new SchedulingWebFactory(settings: new Dictionary<string, string> { ["Scheduling:Enabled"] = "false" });

        var dispatcher = app.Services.GetRequiredService<IRunDispatcher>();
        var dataflow = await SchedulingData.NewDataflowAsync(app.Databases);
        var schedule = await app.Services.GetRequiredService<ScheduleService>().CreateAsync(dataflow.Id, new ScheduleInput { Preset = SchedulePreset.Hourly }, default);

        Assert.IsType<InProcessRunDispatcher>(dispatcher);
        Assert.Null(app.Services.GetService<ISchedulerFactory>());
        Assert.Equal("0 0 * * * ?", schedule.CronExpression);
    }

    [Fact]
    public async Task Host_RefusesToStart_WhenClusteringIsAskedOfSqlite()
    {
        await using var app = new SchedulingWebFactory(settings: new Dictionary<string, string> { ["Scheduling:Clustered"] = "true" });

        var ex = Assert.ThrowsAny<Exception>(() => app.Services);

        Assert.Contains("Scheduling:Clustered is true but Database:Provider is Sqlite", ex.ToString(), StringComparison.Ordinal);
    }
}
