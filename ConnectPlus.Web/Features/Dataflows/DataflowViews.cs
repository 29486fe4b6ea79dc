using ConnectPlus.Engine.Model;
using ConnectPlus.Engine.Validation;
using ConnectPlus.Web.Data;

namespace ConnectPlus.Web.Features.Dataflows;

/// <summary>A dataflow in a list: what it is and which version schedules run.</summary>
public sealed record DataflowSummary
{
    public required int Id { get; init; }
    public required string Name { get; init; }
    public string? Description { get; init; }
    public required IReadOnlyList<string> Tags { get; init; }
    public required bool IsActive { get; init; }

    /// <summary>The published version's number; null when none is published (the dataflow cannot run by itself).</summary>
    public int? PublishedVersion { get; init; }

    /// <summary>The newest version's number.</summary>
    public required int LatestVersion { get; init; }

    public required DateTimeOffset Created { get; init; }
    public required DateTimeOffset Updated { get; init; }

    /// <summary>Send it back with an update: the update fails (409) if someone changed the dataflow in between.</summary>
    public required Guid ConcurrencyStamp { get; init; }
}

/// <summary>A dataflow with its versions, newest first.</summary>
public sealed record DataflowDetails
{
    public required DataflowSummary Dataflow { get; init; }
    public required IReadOnlyList<DataflowVersionView> Versions { get; init; }
}

/// <summary>One version of a dataflow, without its definition (export it to get that).</summary>
public sealed record DataflowVersionView
{
    public required int Number { get; init; }
    public required DataflowVersionState State { get; init; }
    public required string Author { get; init; }
    public string? Comment { get; init; }
    public required DateTimeOffset Created { get; init; }

    /// <summary>Send it back when publishing: publishing fails (409) if the version changed in between.</summary>
    public required Guid ConcurrencyStamp { get; init; }
}

/// <summary>A saved version with what the validator found in it (a version with issues stays a draft).</summary>
public sealed record SavedDataflowVersion
{
    public required int DataflowId { get; init; }
    public required DataflowVersionView Version { get; init; }
    public required IReadOnlyList<ValidationIssue> Issues { get; init; }

    /// <summary>True when the version has no error and may be published.</summary>
    public bool CanPublish => Issues.All(i => i.Severity != IssueSeverity.Error);
}

/// <summary>A version's definition as exported: connections named, never their secrets.</summary>
public sealed record DataflowExport(int DataflowId, int Number, string FileName, string Json);

/// <summary>Filters and page of a dataflow list.</summary>
public sealed record DataflowQuery
{
    /// <summary>Most items on a page.</summary>
    public const int MaxPageSize = 200;

    /// <summary>Part of the name, ignoring case.</summary>
    public string? Name { get; init; }

    /// <summary>A tag the dataflow carries, ignoring case.</summary>
    public string? Tag { get; init; }

    /// <summary>Only active (true) or only inactive (false) dataflows.</summary>
    public bool? IsActive { get; init; }

    /// <summary>1, 2, 3…</summary>
    public int Page { get; init; } = 1;

    public int PageSize { get; init; } = 50;
}

/// <summary>One page of a list, with the number of items over all pages.</summary>
public sealed record Paged<T>(IReadOnlyList<T> Items, int Page, int PageSize, int Total);

/// <summary>A new dataflow. Without a definition its first version is an empty drawing.</summary>
public sealed record DataflowCreate
{
    public required string Name { get; init; }
    public string? Description { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = [];
    public bool IsActive { get; init; } = true;

    /// <summary>The first version's drawing (a draft, whatever its issues).</summary>
    public DataflowDefinition? Definition { get; init; }

    public string? Comment { get; init; }
}

/// <summary>
/// What a dataflow update changes: a null field stays as it is (an empty description or tag list clears it). The stamp
/// is the one read with the dataflow.
/// </summary>
public sealed record DataflowUpdate
{
    public string? Name { get; init; }
    public string? Description { get; init; }
    public IReadOnlyList<string>? Tags { get; init; }
    public bool? IsActive { get; init; }
    public required Guid ConcurrencyStamp { get; init; }
}

/// <summary>Where an imported definition goes.</summary>
public sealed record DataflowImport
{
    /// <summary>The definition JSON (the export format).</summary>
    public required string Json { get; init; }

    /// <summary>
    /// Add a version to this dataflow. When null, the dataflow named <see cref="Name"/> (or, without it, named as in
    /// the definition) gets a new version if it exists, and is created otherwise.
    /// </summary>
    public int? DataflowId { get; init; }

    /// <summary>The dataflow's name instead of the definition's.</summary>
    public string? Name { get; init; }

    public string? Comment { get; init; }

    /// <summary>Publish the imported version too (refused, and nothing imported, when it has issues).</summary>
    public bool Publish { get; init; }

    /// <summary>Where the JSON came from (an uploaded file's name), for messages.</summary>
    public string? SourceName { get; init; }
}

/// <summary>What an import did.</summary>
public sealed record DataflowImportResult
{
    /// <summary>True when the import created the dataflow; false when it added a version to an existing one.</summary>
    public required bool Created { get; init; }

    public required SavedDataflowVersion Saved { get; init; }
}
