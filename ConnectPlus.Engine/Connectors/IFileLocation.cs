namespace ConnectPlus.Engine.Connectors;

/// <summary>A file on a location, as listed or stat'ed.</summary>
/// <param name="Path">Path on the location, '/'-separated, relative to the location's root (e.g. <c>in/members.csv</c>).</param>
/// <param name="Size">Size in bytes.</param>
/// <param name="Modified">Last modified time (UTC).</param>
public sealed record RemoteFile(string Path, long Size, DateTimeOffset Modified)
{
    /// <summary>The file name without folders.</summary>
    public string Name => Path[(Path.LastIndexOf('/') + 1)..];

    /// <summary>
    /// A checksum of the content when the location reports one with the listing, at no extra cost: on S3 the
    /// object's ETag as <c>etag:&lt;value&gt;</c> (the MD5 of a single-part upload; for a multipart upload an MD5 of
    /// the parts' MD5s with <c>-N</c>). Null elsewhere: SFTP, FTP and local folders would have to read the whole
    /// file to give one.
    /// </summary>
    public string? Checksum { get; init; }
}

/// <summary>What to do when the target of a write already exists.</summary>
public enum ConflictMode
{
    /// <summary>Replace the existing file.</summary>
    Replace,
    /// <summary>Write under a new name (<c>name_1.csv</c>, <c>name_2.csv</c>…).</summary>
    Rename,
    /// <summary>Leave the existing file and do not write.</summary>
    Skip,
    /// <summary>Stop with an error.</summary>
    Fail,
}

/// <summary>
/// A place files live: a local folder, an SFTP or FTP server, an S3 bucket. Paths are '/'-separated
/// and relative to the location's root folder. Every operation throws <see cref="ConnectionException"/>
/// with a precise <see cref="ConnectionFailure"/> when it fails. Implementations are not thread-safe
/// unless they say so; open one per block.
/// </summary>
public interface IFileLocation : IAsyncDisposable
{
    /// <summary>Where this is, for messages, without secrets: <c>sftp://user@host:22/exports</c>.</summary>
    string Display { get; }

    /// <summary>Connects and checks the root folder is there and listable; throws with the reason when not.</summary>
    Task TestAsync(CancellationToken cancellationToken);

    /// <summary>Files in a folder (and its subfolders when <paramref name="recursive"/>), sorted by path; folders are not listed.</summary>
    IAsyncEnumerable<RemoteFile> ListAsync(string folder, bool recursive, CancellationToken cancellationToken);

    /// <summary>The file at a path, or null when there is none.</summary>
    Task<RemoteFile?> StatAsync(string path, CancellationToken cancellationToken);

    /// <summary>Opens a file for streaming read (never buffered whole). The caller disposes it.</summary>
    Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken);

    /// <summary>
    /// Writes a file atomically: the content goes to a temporary name in the target folder, which is
    /// renamed to <paramref name="path"/> once complete (a consumer never sees half a file; a failed
    /// write leaves no file). Creates missing folders. Returns the path written, or null when skipped.
    /// </summary>
    Task<string?> WriteAsync(string path, Stream content, ConflictMode onConflict, CancellationToken cancellationToken);

    /// <summary>Moves (renames) a file, creating the target folder; replaces nothing: an existing target is an error.</summary>
    Task MoveAsync(string fromPath, string toPath, CancellationToken cancellationToken);

    /// <summary>Deletes a file; a missing file is not an error.</summary>
    Task DeleteAsync(string path, CancellationToken cancellationToken);
}
