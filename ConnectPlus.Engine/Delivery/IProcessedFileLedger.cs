namespace ConnectPlus.Engine.Delivery;

/// <summary>
/// The processed-file ledger: what file sources have read, by which run, and how that run ended. It
/// keeps the promise "a source file is processed once": a file recorded as
/// <see cref="ProcessedFileOutcome.Succeeded"/> is never read again, even when it could not be moved to
/// the processed folder afterwards, while a file whose run failed (or never recorded an outcome) is read
/// again. Supplied by the host through <c>RunOptions.Services</c>; without one, sources rely on moving
/// their files alone. Failures are reported as <see cref="IOException"/>.
/// </summary>
public interface IProcessedFileLedger
{
    /// <summary>The latest record of each file asked about that the ledger knows; files never recorded are absent.</summary>
    Task<IReadOnlyDictionary<ProcessedFileKey, ProcessedFileRecord>> FindAsync(IReadOnlyCollection<ProcessedFileKey> files, CancellationToken cancellationToken);

    /// <summary>Records what happened to files; durable when the task completes (a later record of a file supersedes earlier ones).</summary>
    Task RecordAsync(IReadOnlyCollection<ProcessedFileRecord> records, CancellationToken cancellationToken);
}

/// <summary>
/// Identifies one version of one file: where it is, its path there, its size and its last modified time.
/// A file changed in place (new size or time) is another version and is read again.
/// </summary>
/// <param name="Location">
/// The folder read, as its location names it without secrets, e.g. <c>sftp://user@host:22/exports/in</c> or
/// <c>file:///data/in</c>. Two blocks reading the same folder share their records.
/// </param>
/// <param name="Path">The file's path inside that folder, '/'-separated (e.g. <c>2025/members.csv</c>).</param>
/// <param name="Size">Size in bytes.</param>
/// <param name="Modified">Last modified time, compared as an instant.</param>
public sealed record ProcessedFileKey(string Location, string Path, long Size, DateTimeOffset Modified)
{
    public override string ToString() => $"{Location}/{Path} ({Size} bytes, modified {Modified.UtcDateTime:O})";
}

/// <summary>Where a file stands in the ledger.</summary>
public enum ProcessedFileOutcome
{
    /// <summary>A run has taken the file and not yet recorded how it ended (or stopped before it could).</summary>
    Processing,
    /// <summary>A run read the file and ended well (also with rejected rows): never read it again.</summary>
    Succeeded,
    /// <summary>The run failed or was cancelled: the file may be read again.</summary>
    Failed,
}

/// <summary>One line of the ledger: a file version, the run that took it and how that went.</summary>
/// <param name="File">The file version.</param>
/// <param name="Checksum">A checksum of the content when the location reports one cheaply (e.g. an S3 ETag), otherwise null.</param>
/// <param name="RunId">The run that recorded this.</param>
/// <param name="Outcome">Where the file stands.</param>
/// <param name="Recorded">When this was recorded.</param>
public sealed record ProcessedFileRecord(ProcessedFileKey File, string? Checksum, string RunId, ProcessedFileOutcome Outcome, DateTimeOffset Recorded);
