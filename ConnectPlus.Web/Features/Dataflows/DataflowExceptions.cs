using ConnectPlus.Engine.Validation;

namespace ConnectPlus.Web.Features.Dataflows;

/// <summary>The dataflow or version asked for does not exist in the workspace (the API answers 404).</summary>
public sealed class DataflowNotFoundException : Exception
{
    public DataflowNotFoundException() { }
    public DataflowNotFoundException(string message) : base(message) { }
    public DataflowNotFoundException(string message, Exception inner) : base(message, inner) { }

    public static DataflowNotFoundException Dataflow(int id) => new($"There is no dataflow {id} in this workspace.");

    public static DataflowNotFoundException Version(int id, int number) => new($"Dataflow {id} has no version {number}.");
}

/// <summary>
/// The request clashes with the dataflow's current state: a name already taken, runs in progress, or a
/// change made by someone else since the caller read it (a stale concurrency stamp). The API answers 409.
/// </summary>
public sealed class DataflowConflictException : Exception
{
    public DataflowConflictException() { }
    public DataflowConflictException(string message) : base(message) { }
    public DataflowConflictException(string message, Exception inner) : base(message, inner) { }

    public static DataflowConflictException Stale(string what) =>
        new($"{what} was changed by someone else since you read it. Read it again, then repeat your change.");
}

/// <summary>
/// A definition has validation issues where none are allowed (publishing, or importing with connections the
/// workspace lacks). The API answers 400 with every issue, located by block, port and setting.
/// </summary>
public sealed class DataflowIssuesException : Exception
{
    public DataflowIssuesException() => Issues = [];
    public DataflowIssuesException(string message) : base(message) => Issues = [];
    public DataflowIssuesException(string message, Exception inner) : base(message, inner) => Issues = [];

    public DataflowIssuesException(string message, IReadOnlyList<ValidationIssue> issues) : base(message) => Issues = issues;

    public IReadOnlyList<ValidationIssue> Issues { get; }
}

/// <summary>An imported definition names connections the workspace does not have; nothing was imported.</summary>
public sealed class MissingConnectionsException : Exception
{
    public MissingConnectionsException() => Missing = [];
    public MissingConnectionsException(string message) : base(message) => Missing = [];
    public MissingConnectionsException(string message, Exception inner) : base(message, inner) => Missing = [];

    public MissingConnectionsException(IReadOnlyList<MissingConnection> missing) : base(Describe(missing)) => Missing = missing;

    public IReadOnlyList<MissingConnection> Missing { get; }

    private static string Describe(IReadOnlyList<MissingConnection> missing) =>
        $"The dataflow uses connections this workspace does not have: {string.Join("; ", missing.Select(m => $"'{m.Name}' (used by {string.Join(", ", m.UsedBy.Select(u => $"block '{u.NodeId}', setting '{u.Setting}'"))})"))}. "
        + "Create them (same names) in this workspace, then import again.";
}

/// <summary>A connection name a definition uses that the workspace lacks, with the settings that use it.</summary>
public sealed record MissingConnection(string Name, IReadOnlyList<ConnectionReference> UsedBy);
