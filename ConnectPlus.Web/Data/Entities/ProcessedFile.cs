namespace ConnectPlus.Web.Data;

/// <summary>Where a file stands in the processed-file ledger (the engine's <c>ProcessedFileOutcome</c>).</summary>
public enum ProcessedFileOutcome
{
    /// <summary>A run has taken the file and not yet recorded how it ended.</summary>
    Processing,
    /// <summary>Read by a run that ended well: never read again.</summary>
    Succeeded,
    /// <summary>The run failed or was cancelled: the file may be read again.</summary>
    Failed,
}

/// <summary>
/// A line of the processed-file ledger: one version of one source file (location, path, size, modified
/// time), the run that took it and how that went. A later line for the same file supersedes earlier ones.
/// No foreign key to <see cref="Run"/>: the ledger must outlive run history cleanup, so it names the run
/// by its <see cref="Run.Key"/>. Note that PostgreSQL keeps times to the microsecond: compare
/// <see cref="Modified"/> in SQL (parameters are rounded the same way), not against a finer .NET value.
/// </summary>
public sealed class ProcessedFile
{
    public long Id { get; set; }

    /// <summary>The folder read, named without secrets, e.g. <c>sftp://user@host:22/exports/in</c>.</summary>
    public required string Location { get; set; }

    /// <summary>The file's path inside <see cref="Location"/>, '/'-separated.</summary>
    public required string Path { get; set; }

    public long Size { get; set; }

    public DateTimeOffset Modified { get; set; }

    /// <summary>A checksum of the content when the location reports one cheaply (e.g. an S3 ETag).</summary>
    public string? Checksum { get; set; }

    /// <summary>The run's <see cref="Run.Key"/>.</summary>
    public required string RunKey { get; set; }

    public ProcessedFileOutcome Outcome { get; set; }

    public DateTimeOffset Recorded { get; set; }
}
