using System.ComponentModel.DataAnnotations;
using System.Data.Common;
using ConnectPlus.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace ConnectPlus.Tests.Data;

public sealed class SqliteEntityTests(SqliteTestDatabase database) : EntityTests(database), IClassFixture<SqliteTestDatabase>;

public sealed class PostgreSqlEntityTests(PostgreSqlTestDatabase database) : EntityTests(database), IClassFixture<PostgreSqlTestDatabase>;

/// <summary>
/// Each entity written by one context and read back by another, and the rules the database keeps, on
/// every provider that can run here. Each test works in a workspace of its own.
/// </summary>
public abstract class EntityTests(ITestDatabase database)
{
    // PostgreSQL keeps microseconds: times with more precision would not round-trip there.
    private static readonly DateTimeOffset T0 = new(2025, 3, 14, 9, 26, 53, 589, TimeSpan.Zero);

    private ConnectPlusDbContext NewContext() => database.Database.CreateDbContext();

    private async Task<Workspace> NewWorkspaceAsync()
    {
        await using var db = NewContext();
        var workspace = new Workspace { Name = "Brand " + Guid.NewGuid().ToString("N")[..8], Created = T0 };
        db.Workspaces.Add(workspace);
        await db.SaveChangesAsync();
        return workspace;
    }

    private async Task<(Workspace Workspace, Dataflow Dataflow, DataflowVersion Version)> NewDataflowAsync(string name = "Members import")
    {
        var workspace = await NewWorkspaceAsync();
        await using var db = NewContext();
        var dataflow = new Dataflow { WorkspaceId = workspace.Id, Name = name, Created = T0, Updated = T0 };
        var version = new DataflowVersion { Dataflow = dataflow, Number = 1, Definition = """{"formatVersion":1}""", Author = "asha", Created = T0 };
        db.DataflowVersions.Add(version);
        await db.SaveChangesAsync();
        return (workspace, dataflow, version);
    }

    private async Task<T> SaveAndReadAsync<T>(T entity, Func<ConnectPlusDbContext, IQueryable<T>> query) where T : class
    {
        await using (var db = NewContext())
        {
            db.Add(entity);
            await db.SaveChangesAsync();
        }
        await using var reader = NewContext();
        return await query(reader).AsNoTracking().SingleAsync();
    }

    [Fact]
    public async Task Workspace_RoundTrips_WithItsNormalizedName()
    {
        var name = "Acme Retail " + Guid.NewGuid().ToString("N")[..6];

        var read = await SaveAndReadAsync(new Workspace { Name = name, Description = "Loyalty programme", Created = T0 },
            db => db.Workspaces.Where(w => w.Name == name));

        Assert.Equal("Loyalty programme", read.Description);
        Assert.Equal(T0, read.Created);
        Assert.Equal(name.ToUpperInvariant(), read.NormalizedName);
    }

    [Fact]
    public async Task Dataflow_RoundTrips_WithTagsAndActiveFlag_AndIsFoundByTag()
    {
        var workspace = await NewWorkspaceAsync();

        var read = await SaveAndReadAsync(
            new Dataflow { WorkspaceId = workspace.Id, Name = "Nightly points", Description = "Points from the POS export", Tags = ["loyalty", "nightly"], IsActive = false, Created = T0, Updated = T0.AddMinutes(5) },
            db => db.Dataflows.Where(d => d.WorkspaceId == workspace.Id && d.Tags.Contains("nightly")));

        Assert.Equal("Nightly points", read.Name);
        Assert.Equal("Points from the POS export", read.Description);
        Assert.Equal(["loyalty", "nightly"], read.Tags);
        Assert.False(read.IsActive);
        Assert.Equal(T0.AddMinutes(5), read.Updated);
        Assert.NotEqual(Guid.Empty, read.ConcurrencyStamp);
    }

    [Fact]
    public async Task Dataflow_IsRefused_WithMoreThanFiveTags()
    {
        var workspace = await NewWorkspaceAsync();
        await using var db = NewContext();
        db.Dataflows.Add(new Dataflow { WorkspaceId = workspace.Id, Name = "Tagged", Tags = ["a", "b", "c", "d", "e", "f"] });

        var ex = await Assert.ThrowsAsync<ValidationException>(() => db.SaveChangesAsync());

        Assert.Contains("keep at most 5", ex.Message);
    }

    [Fact]
    public async Task Dataflow_NamesAreUniqueInAWorkspace_IgnoringCase()
    {
        var (workspace, _, _) = await NewDataflowAsync("Members import");
        var other = await NewWorkspaceAsync();
        await using var db = NewContext();

        db.Dataflows.Add(new Dataflow { WorkspaceId = other.Id, Name = "Members import" });
        await db.SaveChangesAsync();
        db.Dataflows.Add(new Dataflow { WorkspaceId = workspace.Id, Name = "MEMBERS IMPORT" });

        AssertUniqueViolation(await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync()));
    }

    [Fact]
    public async Task DataflowVersion_RoundTrips_WithDefinitionStateAuthorAndComment()
    {
        var (_, dataflow, _) = await NewDataflowAsync();
        const string definition = """{"formatVersion":1,"name":"Members import","nodes":[{"id":"read","type":"read-csv","settings":{"delimiter":";"}}],"edges":[]}""";

        var read = await SaveAndReadAsync(
            new DataflowVersion { DataflowId = dataflow.Id, Number = 2, Definition = definition, State = DataflowVersionState.Published, Author = "ravi", Comment = "Semicolon files", Created = T0 },
            db => db.DataflowVersions.Where(v => v.DataflowId == dataflow.Id && v.Number == 2));

        Assert.Equal(definition, read.Definition);
        Assert.Equal(DataflowVersionState.Published, read.State);
        Assert.Equal("ravi", read.Author);
        Assert.Equal("Semicolon files", read.Comment);
        Assert.Equal(T0, read.Created);
    }

    [Fact]
    public async Task DataflowVersion_StateIsStoredAsItsName()
    {
        var (_, _, version) = await NewDataflowAsync();
        await using var db = NewContext();

        var state = await db.Database.SqlQuery<string>($"SELECT \"State\" AS \"Value\" FROM \"DataflowVersions\" WHERE \"Id\" = {version.Id}").SingleAsync();

        Assert.Equal("Draft", state);
    }

    [Fact]
    public async Task DataflowVersion_OnlyOneIsPublished_PerDataflow()
    {
        var (_, dataflow, _) = await NewDataflowAsync();
        await using var db = NewContext();
        db.DataflowVersions.Add(new DataflowVersion { DataflowId = dataflow.Id, Number = 2, Definition = "{}", State = DataflowVersionState.Published, Author = "a" });
        db.DataflowVersions.Add(new DataflowVersion { DataflowId = dataflow.Id, Number = 3, Definition = "{}", State = DataflowVersionState.Archived, Author = "a" });
        await db.SaveChangesAsync();

        db.DataflowVersions.Add(new DataflowVersion { DataflowId = dataflow.Id, Number = 4, Definition = "{}", State = DataflowVersionState.Published, Author = "a" });

        AssertUniqueViolation(await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync()));
    }

    [Fact]
    public async Task Connection_RoundTrips_AndNamesAreUniqueInAWorkspace_IgnoringCase()
    {
        var workspace = await NewWorkspaceAsync();

        var read = await SaveAndReadAsync(
            new Connection { WorkspaceId = workspace.Id, Name = "Brand SFTP", Type = "sftp", Description = "Nightly drops", Settings = """{"host":"sftp.example.com"}""", ProtectedSecrets = "CfDJ8…", Created = T0, Updated = T0 },
            db => db.Connections.Where(c => c.WorkspaceId == workspace.Id));

        Assert.Equal(("Brand SFTP", "BRAND SFTP", "sftp", "Nightly drops"), (read.Name, read.NormalizedName, read.Type, read.Description));
        Assert.Equal("""{"host":"sftp.example.com"}""", read.Settings);
        Assert.Equal("CfDJ8…", read.ProtectedSecrets);
        await using var db = NewContext();
        db.Connections.Add(new Connection { WorkspaceId = workspace.Id, Name = "brand sftp", Type = "sftp" });
        AssertUniqueViolation(await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync()));
    }

    [Fact]
    public async Task Schedule_RoundTrips()
    {
        var (_, dataflow, _) = await NewDataflowAsync();

        var read = await SaveAndReadAsync(
            new Schedule { DataflowId = dataflow.Id, Kind = ScheduleKind.Cron, CronExpression = "0 30 2 * * ?", TimeZone = "Asia/Kolkata", IsEnabled = false, Created = T0, Updated = T0 },
            db => db.Schedules.Where(s => s.DataflowId == dataflow.Id));

        Assert.Equal((ScheduleKind.Cron, "0 30 2 * * ?", "Asia/Kolkata", (int?)null, false), (read.Kind, read.CronExpression, read.TimeZone, read.PollIntervalSeconds, read.IsEnabled));
    }

    [Fact]
    public async Task Run_RoundTrips_WithBlockStatsAndErrors()
    {
        var (_, dataflow, version) = await NewDataflowAsync();
        var run = NewRun(dataflow, version, RunStatus.SucceededWithErrors);
        run.Trigger = RunTrigger.Schedule;
        run.TriggeredBy = "schedule 'nightly'";
        run.Node = "node-a";
        run.Started = T0.AddSeconds(1);
        run.Ended = T0.AddMinutes(3);
        run.Heartbeat = T0.AddMinutes(2);
        (run.RowsRead, run.RowsWritten, run.RowsRejected, run.FilesRead, run.FilesWritten, run.Accuracy) = (10_000, 9_990, 10, 2, 1, 99.9);
        (run.ErrorFilePath, run.SuccessFilePath) = ("runs/r1/errors-read.csv", "runs/r1/success.csv");
        run.BlockStats.Add(new RunBlockStat { NodeId = "read", BlockType = "read-csv", RowsIn = 0, RowsOut = 10_000, FilesIn = 2, Rejected = 10, State = "Completed", DurationMilliseconds = 1234 });
        run.Errors.Add(new RunError { Sequence = 1, NodeId = "read", Code = "bad-date", Message = "Column 'joined' is not a date.", SourceFile = "members.csv", SourceLine = 42, Row = """{"id":"7","joined":"31/02"}""" });

        var read = await SaveAndReadAsync(run, db => db.Runs.Include(r => r.BlockStats).Include(r => r.Errors).Where(r => r.Key == run.Key));

        Assert.Equal((RunStatus.SucceededWithErrors, RunTrigger.Schedule, "schedule 'nightly'", "node-a"), (read.Status, read.Trigger, read.TriggeredBy, read.Node));
        Assert.Equal((T0, T0.AddSeconds(1), T0.AddMinutes(3), T0.AddMinutes(2)), (read.Queued, read.Started!.Value, read.Ended!.Value, read.Heartbeat!.Value));
        Assert.Equal((10_000L, 9_990L, 10L, 2L, 1L, 99.9), (read.RowsRead, read.RowsWritten, read.RowsRejected, read.FilesRead, read.FilesWritten, read.Accuracy!.Value));
        Assert.Equal(("runs/r1/errors-read.csv", "runs/r1/success.csv"), (read.ErrorFilePath, read.SuccessFilePath));
        Assert.Equal(version.Id, read.DataflowVersionId);
        var stat = Assert.Single(read.BlockStats);
        Assert.Equal(("read", "read-csv", 10_000L, 2L, 10L, "Completed", 1234L), (stat.NodeId, stat.BlockType, stat.RowsOut, stat.FilesIn, stat.Rejected, stat.State, stat.DurationMilliseconds));
        var error = Assert.Single(read.Errors);
        Assert.Equal((1, "read", "bad-date", "Column 'joined' is not a date.", "members.csv", 42L, """{"id":"7","joined":"31/02"}"""),
            (error.Sequence, error.NodeId, error.Code, error.Message, error.SourceFile, error.SourceLine!.Value, error.Row));
        Assert.True(read.IsFinished);
    }

    [Fact]
    public async Task Run_StatusChange_FailsWithAConcurrencyError_WhenAnotherNodeChangedItFirst()
    {
        var (_, dataflow, version) = await NewDataflowAsync();
        var run = NewRun(dataflow, version, RunStatus.Running);
        await using (var db = NewContext())
        {
            db.Runs.Add(run);
            await db.SaveChangesAsync();
        }
        await using var nodeA = NewContext();
        await using var nodeB = NewContext();
        var seenByA = await nodeA.Runs.SingleAsync(r => r.Id == run.Id);
        var seenByB = await nodeB.Runs.SingleAsync(r => r.Id == run.Id);

        seenByA.Status = RunStatus.Cancelled;
        await nodeA.SaveChangesAsync();
        seenByB.Status = RunStatus.Succeeded;

        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => nodeB.SaveChangesAsync());
        await using var reader = NewContext();
        Assert.Equal(RunStatus.Cancelled, (await reader.Runs.SingleAsync(r => r.Id == run.Id)).Status);
    }

    [Fact]
    public async Task RunError_IsRefused_PastTheThousandthOfARun()
    {
        var (_, dataflow, version) = await NewDataflowAsync();
        var run = NewRun(dataflow, version, RunStatus.Running);
        run.Errors.Add(new RunError { Sequence = RunError.MaxPerRun, NodeId = "map", Code = "c", Message = "m" });
        await using var db = NewContext();
        db.Runs.Add(run);
        await db.SaveChangesAsync();

        db.RunErrors.Add(new RunError { RunId = run.Id, Sequence = RunError.MaxPerRun + 1, NodeId = "map", Code = "c", Message = "m" });

        var ex = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());

        Assert.Contains("CK_RunErrors_Sequence", ex.InnerException?.Message);
    }

    [Fact]
    public async Task Runs_AreOrderedAndFilteredByTime_WhateverTheOffsetTheyWereGivenIn()
    {
        var (_, dataflow, version) = await NewDataflowAsync();
        var india = TimeSpan.FromHours(5.5);
        var early = NewRun(dataflow, version, RunStatus.Succeeded, new DateTimeOffset(2025, 3, 14, 10, 0, 0, india)); // 04:30 UTC
        var late = NewRun(dataflow, version, RunStatus.Succeeded, new DateTimeOffset(2025, 3, 14, 5, 0, 0, TimeSpan.Zero));
        var latest = NewRun(dataflow, version, RunStatus.Failed, new DateTimeOffset(2025, 3, 14, 1, 0, 0, TimeSpan.FromHours(-5))); // 06:00 UTC
        await using (var db = NewContext())
        {
            db.Runs.AddRange(late, latest, early);
            await db.SaveChangesAsync();
        }
        await using var reader = NewContext();

        var newestFirst = await reader.Runs.Where(r => r.DataflowId == dataflow.Id).OrderByDescending(r => r.Queued).Select(r => r.Key).ToListAsync();
        var since = new DateTimeOffset(2025, 3, 14, 4, 45, 0, TimeSpan.Zero);
        var recent = await reader.Runs.Where(r => r.DataflowId == dataflow.Id && r.Queued > since).CountAsync();
        var first = await reader.Runs.Where(r => r.Key == early.Key).Select(r => r.Queued).SingleAsync();

        Assert.Equal([latest.Key, late.Key, early.Key], newestFirst);
        Assert.Equal(2, recent);
        Assert.Equal(early.Queued, first); // the same instant (read back in UTC)
    }

    [Fact]
    public async Task ProcessedFile_RoundTrips_AndIsFoundByFileVersion()
    {
        var location = "sftp://brand@sftp.example.com:22/exports/" + Guid.NewGuid().ToString("N")[..6];
        var modified = T0.AddDays(-1);
        await using (var db = NewContext())
        {
            db.ProcessedFiles.Add(new ProcessedFile { Location = location, Path = "2025/members.csv", Size = 1_048_576, Modified = modified, Checksum = "\"9b2cf535f27731c974343645a3985328\"", RunKey = "20250314-092653-abc123", Outcome = ProcessedFileOutcome.Succeeded, Recorded = T0 });
            db.ProcessedFiles.Add(new ProcessedFile { Location = location, Path = "2025/members.csv", Size = 2_000, Modified = modified, RunKey = "r2", Outcome = ProcessedFileOutcome.Failed, Recorded = T0 });
            await db.SaveChangesAsync();
        }
        await using var reader = NewContext();

        var read = await reader.ProcessedFiles.SingleAsync(f => f.Location == location && f.Path == "2025/members.csv" && f.Size == 1_048_576 && f.Modified == modified);

        Assert.Equal(("\"9b2cf535f27731c974343645a3985328\"", "20250314-092653-abc123", ProcessedFileOutcome.Succeeded, T0), (read.Checksum, read.RunKey, read.Outcome, read.Recorded));
    }

    [Fact]
    public async Task Checkpoint_RoundTrips_AndIsUniquePerBatch()
    {
        var dataflow = "Points " + Guid.NewGuid().ToString("N")[..6];
        var checkpoint = new Checkpoint { Dataflow = dataflow, NodeId = "send", Source = "orders.csv", Batch = 7, Digest = "a1b2c3", Items = 100, RunKey = "run-1", Acknowledged = T0 };

        var read = await SaveAndReadAsync(checkpoint, db => db.Checkpoints.Where(c => c.Dataflow == dataflow));

        Assert.Equal(("send", "orders.csv", 7L, "a1b2c3", 100, "run-1", T0), (read.NodeId, read.Source, read.Batch, read.Digest, read.Items, read.RunKey, read.Acknowledged));
        await using var db = NewContext();
        db.Checkpoints.Add(new Checkpoint { Dataflow = dataflow, NodeId = "send", Source = "orders.csv", Batch = 7, Digest = "ffff", Items = 1, RunKey = "run-2" });
        AssertUniqueViolation(await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync()));
    }

    [Fact]
    public async Task AlertRule_AndItsAlert_RoundTrip()
    {
        var (workspace, dataflow, _) = await NewDataflowAsync();
        var rule = new AlertRule { WorkspaceId = workspace.Id, DataflowId = dataflow.Id, Name = "Accuracy under 95%", Condition = AlertCondition.AccuracyBelow, Threshold = 95, Channel = AlertChannel.Email, Target = "ops@brand.example", Created = T0 };
        await using (var db = NewContext())
        {
            db.Alerts.Add(new Alert { AlertRule = rule, RunId = 12, Raised = T0, Message = "Run 12 accuracy 93.1%", Delivered = T0.AddSeconds(3), Acknowledged = T0.AddHours(1), AcknowledgedBy = "meera" });
            await db.SaveChangesAsync();
        }
        await using var reader = NewContext();

        var alert = await reader.Alerts.Include(a => a.AlertRule).SingleAsync(a => a.AlertRule.WorkspaceId == workspace.Id);

        Assert.Equal((dataflow.Id, "Accuracy under 95%", AlertCondition.AccuracyBelow, 95.0, AlertChannel.Email, "ops@brand.example", true),
            (alert.AlertRule.DataflowId!.Value, alert.AlertRule.Name, alert.AlertRule.Condition, alert.AlertRule.Threshold!.Value, alert.AlertRule.Channel, alert.AlertRule.Target, alert.AlertRule.IsEnabled));
        Assert.Equal((12L, T0, "Run 12 accuracy 93.1%", T0.AddSeconds(3), T0.AddHours(1), "meera"),
            (alert.RunId!.Value, alert.Raised, alert.Message, alert.Delivered!.Value, alert.Acknowledged!.Value, alert.AcknowledgedBy));
    }

    [Fact]
    public async Task AuditEntry_RoundTrips()
    {
        var id = Guid.NewGuid().ToString("N");

        var read = await SaveAndReadAsync(
            new AuditEntry { Time = T0, WorkspaceId = 3, User = "asha", Action = "connection.updated", EntityType = "Connection", EntityId = id, Details = """{"changed":["host"]}""" },
            db => db.AuditEntries.Where(a => a.EntityType == "Connection" && a.EntityId == id));

        Assert.Equal((T0, 3, "asha", "connection.updated", """{"changed":["host"]}"""), (read.Time, read.WorkspaceId!.Value, read.User, read.Action, read.Details));
    }

    [Fact]
    public async Task DeletingAWorkspace_DeletesItsDataflowsVersionsRunsAndConnections()
    {
        var (workspace, dataflow, version) = await NewDataflowAsync();
        await using (var db = NewContext())
        {
            var run = NewRun(dataflow, version, RunStatus.Succeeded);
            run.Errors.Add(new RunError { Sequence = 1, NodeId = "n", Code = "c", Message = "m" });
            db.Runs.Add(run);
            db.Schedules.Add(new Schedule { DataflowId = dataflow.Id, Kind = ScheduleKind.FileArrival, PollIntervalSeconds = 60 });
            db.Connections.Add(new Connection { WorkspaceId = workspace.Id, Name = "c", Type = "local" });
            await db.SaveChangesAsync();
        }
        await using var writer = NewContext();

        await writer.Workspaces.Where(w => w.Id == workspace.Id).ExecuteDeleteAsync();

        Assert.False(await writer.Dataflows.AnyAsync(d => d.Id == dataflow.Id));
        Assert.False(await writer.DataflowVersions.AnyAsync(v => v.Id == version.Id));
        Assert.False(await writer.Runs.AnyAsync(r => r.DataflowId == dataflow.Id));
        Assert.False(await writer.Schedules.AnyAsync(s => s.DataflowId == dataflow.Id));
        Assert.False(await writer.Connections.AnyAsync(c => c.WorkspaceId == workspace.Id));
    }

    [Fact]
    public async Task DataflowVersion_ThatARunUsed_CannotBeDeletedAlone()
    {
        var (_, dataflow, version) = await NewDataflowAsync();
        await using var db = NewContext();
        db.Runs.Add(NewRun(dataflow, version, RunStatus.Succeeded));
        await db.SaveChangesAsync();

        var ex = await Assert.ThrowsAnyAsync<DbException>(() => db.DataflowVersions.Where(v => v.Id == version.Id).ExecuteDeleteAsync());

        Assert.Contains("foreign key", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    private static void AssertUniqueViolation(DbUpdateException ex) =>
        Assert.Contains("unique", ex.InnerException?.Message ?? "", StringComparison.OrdinalIgnoreCase);

    private static Run NewRun(Dataflow dataflow, DataflowVersion version, RunStatus status, DateTimeOffset? queued = null) => new()
    {
        Key = Guid.NewGuid().ToString("N"),
        DataflowId = dataflow.Id,
        DataflowVersionId = version.Id,
        Status = status,
        Trigger = RunTrigger.Manual,
        Queued = queued ?? T0,
    };
}
