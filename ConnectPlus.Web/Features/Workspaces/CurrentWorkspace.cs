namespace ConnectPlus.Web.Features.Workspaces;

/// <summary>
/// The workspace a DI scope works in: in a Blazor circuit the one the user chose, in a run the one of the
/// run's dataflow (the run job sets it before handing the scope to the engine as <c>RunOptions.Services</c>).
/// </summary>
public sealed class CurrentWorkspace
{
    public int? Id { get; set; }

    /// <summary>The workspace id; throws when the scope's owner did not set one (a programming error).</summary>
    public int RequireId() => Id ?? throw new InvalidOperationException(
        "No workspace is set for this scope: set CurrentWorkspace.Id before resolving connections.");
}
