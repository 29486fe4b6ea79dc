namespace ConnectPlus.Web.Data;

/// <summary>Where a dataflow version stands. At most one version of a dataflow is published.</summary>
public enum DataflowVersionState
{
    /// <summary>Being edited; never run by a schedule.</summary>
    Draft,
    /// <summary>The version schedules run.</summary>
    Published,
    /// <summary>Kept for history (and for the runs that used it); read-only.</summary>
    Archived,
}

/// <summary>One saved drawing of a dataflow: the definition JSON (the import/export format) with who saved it and why.</summary>
public sealed class DataflowVersion : IConcurrencyStamped
{
    public int Id { get; set; }

    public int DataflowId { get; set; }

    public Dataflow Dataflow { get; set; } = null!;

    /// <summary>1, 2, 3… within the dataflow.</summary>
    public int Number { get; set; }

    /// <summary>The <see cref="ConnectPlus.Engine.Model.DataflowDefinition"/> as JSON (DataflowJson), stored as written.</summary>
    public required string Definition { get; set; }

    public DataflowVersionState State { get; set; } = DataflowVersionState.Draft;

    /// <summary>Who saved it (user name).</summary>
    public required string Author { get; set; }

    public string? Comment { get; set; }

    public DateTimeOffset Created { get; set; }

    public Guid ConcurrencyStamp { get; set; } = Guid.NewGuid();
}
