using ConnectPlus.Engine.Blocks.Sources;
using ConnectPlus.Engine.Model;
using ConnectPlus.Web.Data;
using ConnectPlus.Web.Features.Workspaces;
using Microsoft.EntityFrameworkCore;

namespace ConnectPlus.Web.Scheduling;

/// <summary>
/// Runs the engine's <see cref="FileArrivalProbe"/> on a dataflow's published version, with this scope's services
/// as a run gets them (its workspace's connections, the processed-file ledger when the host registers one).
/// </summary>
internal sealed class FileArrivalCheck(
    IDbContextFactory<ConnectPlusDbContext> databases,
    FileArrivalProbe probe,
    CurrentWorkspace workspace,
    IServiceProvider services,
    TimeProvider time)
{
    /// <summary>What the published version's file sources would read now; null when the dataflow has no published version.</summary>
    public async Task<FileArrivalResult?> CheckAsync(Dataflow dataflow, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataflow);
        string? definition;
        await using (var db = await databases.CreateDbContextAsync(cancellationToken))
        {
            definition = await db.DataflowVersions.AsNoTracking()
                .Where(v => v.DataflowId == dataflow.Id && v.State == DataflowVersionState.Published)
                .Select(v => v.Definition)
                .SingleOrDefaultAsync(cancellationToken);
        }
        if (definition is null) return null;
        workspace.Id ??= dataflow.WorkspaceId;
        return await probe.ProbeAsync(DataflowJson.Deserialize(definition, dataflow.Name), services, time, cancellationToken);
    }
}
