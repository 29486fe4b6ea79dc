using System.Text.Json.Nodes;
using ConnectPlus.Engine.Model;
using ConnectPlus.Tests.Api;
using ConnectPlus.Web.Data;
using ConnectPlus.Web.Features.Connections;
using ConnectPlus.Web.Features.Dataflows;
using Microsoft.EntityFrameworkCore;

namespace ConnectPlus.Tests.Dataflows;

/// <summary>DataflowService directly (the UI's way in): what the REST API tests do not reach.</summary>
public sealed class DataflowServiceTests(ApiHost host) : IClassFixture<ApiHost>
{
    private const string Actor = "tester";
    private readonly DataflowService _dataflows = host.Service<DataflowService>();

    [Fact]
    public async Task SetActive_DeactivatesOnce_AndRefusesAStaleStamp()
    {
        var workspace = await host.WorkspaceIdAsync();
        var created = await _dataflows.CreateAsync(workspace, new DataflowCreate { Name = Unique("Active") }, Actor);
        var id = created.Dataflow.Id;

        var off = await _dataflows.SetActiveAsync(workspace, id, active: false, created.Dataflow.ConcurrencyStamp, Actor);
        var stale = await Assert.ThrowsAsync<DataflowConflictException>(() => _dataflows.SetActiveAsync(workspace, id, active: true, created.Dataflow.ConcurrencyStamp, Actor));

        Assert.False(off.IsActive);
        Assert.Contains("changed by someone else", stale.Message);
        Assert.False((await _dataflows.GetAsync(workspace, id)).Dataflow.IsActive);
    }

    [Fact]
    public async Task Validate_ReportsAConnectionOfATypeTheSettingDoesNotTake()
    {
        var workspace = await host.WorkspaceIdAsync();
        var name = $"api-{Guid.NewGuid():N}"[..12];
        await host.Service<ConnectionService>().CreateAsync(workspace, new ConnectionInput
        {
            Name = name,
            Type = "http",
            Settings = new JsonObject { ["baseUrl"] = "http://localhost:1" },
        });
        var definition = DataflowJson.Deserialize(ApiTestData.CopyCsvDefinition(name, name).ToJsonString());

        var issues = await _dataflows.ValidateAsync(workspace, definition);

        var issue = Assert.Single(issues, i => i.NodeId == "source");
        Assert.Equal("connection", issue.Setting);
        Assert.Contains($"Connection '{name}' is a http connection; this setting takes local, sftp, ftp, s3", issue.Message);
    }

    [Fact]
    public async Task Publish_LeavesExactlyOnePublishedVersion_WhenTwoVersionsArePublishedAtOnce()
    {
        var workspace = await host.WorkspaceIdAsync();
        var folder = host.Folder[Guid.NewGuid().ToString("N")];
        var connection = await host.LocalConnectionAsync("race-files", folder);
        var definition = DataflowJson.Deserialize(ApiTestData.CopyCsvDefinition(connection, connection).ToJsonString());
        var created = await _dataflows.CreateAsync(workspace, new DataflowCreate { Name = Unique("Race"), Definition = definition }, Actor);
        var id = created.Dataflow.Id;
        await _dataflows.SaveVersionAsync(workspace, id, definition, null, Actor);

        var outcomes = await Task.WhenAll(
            Outcome(() => _dataflows.PublishAsync(workspace, id, 1, null, Actor)),
            Outcome(() => _dataflows.PublishAsync(workspace, id, 2, null, Actor)));

        Assert.All(outcomes, o => Assert.True(o is null or DataflowConflictException, o?.ToString()));
        var states = (await _dataflows.GetAsync(workspace, id)).Versions.Select(v => v.State).ToList();
        Assert.Equal(1, states.Count(s => s == DataflowVersionState.Published));
    }

    [Fact]
    public async Task Import_WritesTheDefinitionUnderTheDataflowName_AndAnAuditEntry()
    {
        var workspace = await host.WorkspaceIdAsync();
        var connection = await host.LocalConnectionAsync("audit-files", host.Folder[Guid.NewGuid().ToString("N")]);
        var name = Unique("Audited");

        var result = await _dataflows.ImportAsync(workspace, new DataflowImport { Json = ApiTestData.CopyCsvDefinition(connection, connection, "file name").ToJsonString(), Name = name, SourceName = "flow.json" }, Actor);

        var export = await _dataflows.ExportAsync(workspace, result.Saved.DataflowId, 1);
        Assert.Equal(name, DataflowJson.Deserialize(export.Json).Name);
        await using var db = await host.Service<IDbContextFactory<ConnectPlusDbContext>>().CreateDbContextAsync();
        var audit = await db.AuditEntries.SingleAsync(a => a.Action == "dataflow.imported" && a.EntityId == result.Saved.DataflowId.ToString());
        Assert.Equal((Actor, workspace), (audit.User, audit.WorkspaceId));
        Assert.Contains("flow.json", audit.Details);
    }

    private static async Task<Exception?> Outcome(Func<Task> action)
    {
        try
        {
            await action();
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    private static string Unique(string prefix) => ApiTestData.UniqueName(prefix);
}
