using ConnectPlus.Web.Data;
using ConnectPlus.Web.Scheduling;

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
    public async Task Host_RefusesToStart_WhenClusteringIsAskedOfSqlite()
    {
        await using var app = new SchedulingWebFactory(settings: new Dictionary<string, string> { ["Scheduling:Clustered"] = "true" });

        var ex = Assert.ThrowsAny<Exception>(() => app.Services);

        Assert.Contains("Scheduling:Clustered is true but Database:Provider is Sqlite", ex.ToString(), StringComparison.Ordinal);
    }
}
