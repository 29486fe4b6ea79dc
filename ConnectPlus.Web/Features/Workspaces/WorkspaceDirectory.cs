using ConnectPlus.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace ConnectPlus.Web.Features.Workspaces;

/// <summary>
/// Finds workspaces by name, and the default workspace: the only one there is (created, named
/// <see cref="DefaultName"/>, when there is none yet, so a fresh installation works at once).
/// </summary>
public sealed class WorkspaceDirectory(IDbContextFactory<ConnectPlusDbContext> databases, TimeProvider time)
{
    public const string DefaultName = "Default";

    /// <summary>
    /// The id of the workspace named <paramref name="name"/> (ignoring case), or of the default workspace when the
    /// name is null. Throws <see cref="WorkspaceNotFoundException"/> when there is no such workspace, or when several
    /// exist and none was named.
    /// </summary>
    public async Task<int> ResolveAsync(string? name, CancellationToken cancellationToken = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        if (name is not null)
        {
            var normalized = Names.Normalize(name);
            return await db.Workspaces.Where(w => w.NormalizedName == normalized).Select(w => (int?)w.Id).SingleOrDefaultAsync(cancellationToken)
                ?? throw new WorkspaceNotFoundException($"There is no workspace named '{name}'. Create it, or name another one.");
        }
        var ids = await db.Workspaces.OrderBy(w => w.Id).Select(w => w.Id).Take(2).ToListAsync(cancellationToken);
        return ids.Count switch
        {
            1 => ids[0],
            0 => await CreateDefaultAsync(db, cancellationToken),
            _ => throw new WorkspaceNotFoundException("There are several workspaces, so there is no default one: name the workspace (for an API key, its \"Workspace\" in Api:Keys)."),
        };
    }

    private async Task<int> CreateDefaultAsync(ConnectPlusDbContext db, CancellationToken cancellationToken)
    {
        var workspace = new Workspace { Name = DefaultName, Created = time.GetUtcNow() };
        db.Workspaces.Add(workspace);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return workspace.Id;
        }
        catch (DbUpdateException)
        {
            // Another request (or node) created it at the same moment: its row is the one.
            db.ChangeTracker.Clear();
            var normalized = Names.Normalize(DefaultName);
            return await db.Workspaces.Where(w => w.NormalizedName == normalized).Select(w => w.Id).SingleAsync(cancellationToken);
        }
    }
}

/// <summary>The workspace asked for does not exist, or the default one is ambiguous.</summary>
public sealed class WorkspaceNotFoundException : Exception
{
    public WorkspaceNotFoundException() { }
    public WorkspaceNotFoundException(string message) : base(message) { }
    public WorkspaceNotFoundException(string message, Exception inner) : base(message, inner) { }
}
