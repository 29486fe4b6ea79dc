using ConnectPlus.Engine.Connectors;
using ConnectPlus.Engine.Data;

namespace ConnectPlus.Engine.Blocks.Sources;

/// <summary>
/// Where a file source reads: a location, the folder read on it and the folders files go to after the
/// run, as normalized paths from the location's root (see <see cref="LocationPath"/>).
/// </summary>
internal sealed class SourceFolder : IDisposable
{
    // Blocks downstream open files on their own threads (a fan-out opens several at once); a location is
    // not thread-safe unless it says so, so opens take turns. Reading the streams opened goes on in parallel.
    private readonly SemaphoreSlim _opening = new(1, 1);

    /// <summary>The location (the source owns it and disposes it after the run).</summary>
    public required IFileLocation Location { get; init; }

    /// <summary>The folder read ("" for the location's root).</summary>
    public required string Folder { get; init; }

    /// <summary>Where files go after a successful run, or null to leave them.</summary>
    public string? ProcessedFolder { get; init; }

    /// <summary>Where files go after a failed run, or null to leave them.</summary>
    public string? ErrorFolder { get; init; }

    /// <summary>
    /// For a local folder: the location's root on this machine. Messages then give full local paths, and
    /// the files sent on are local files (a destination on this machine may take them as they are).
    /// </summary>
    public string? LocalRoot { get; init; }

    /// <summary>How paths of the location compare (local paths ignore case on Windows and macOS).</summary>
    public StringComparison PathComparison { get; init; } = StringComparison.Ordinal;

    /// <summary>
    /// The folder as the processed-file ledger knows it: the location's address and the folder's path,
    /// with '/' separators (<c>file:///data/in</c>, <c>sftp://user@host:22/exports/in</c>). A local folder
    /// read by the local folder source and by a file source on a local connection is the same folder.
    /// </summary>
    public string LedgerLocation
    {
        get
        {
            var display = Location.Display;
            if (display.EndsWith('/') || display.EndsWith('\\')) display = display[..^1];
            return (Folder.Length == 0 ? display : $"{display}/{Folder}").Replace('\\', '/');
        }
    }

    /// <summary>How messages name a path of the location: a full local path, or the path and the location.</summary>
    public string Describe(string path) => LocalRoot is not null
        ? Path.Combine(LocalRoot, path.Replace('/', Path.DirectorySeparatorChar))
        : path.Length == 0 ? $"the root folder of {Location.Display}" : $"'{path}' on {Location.Display}";

    /// <summary>The file item sent on for a file of the location.</summary>
    public FileItem ItemFor(RemoteFile file, string sourcePath, IReadOnlyDictionary<string, string> attributes)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (LocalRoot is not null) return FileItem.FromLocalFile(Describe(file.Path), sourcePath).WithAttributes(attributes);
        var path = file.Path;
        return new FileItem(file.Name, ct => new ValueTask<Stream>(OpenAsync(path, ct)))
        {
            SourcePath = sourcePath,
            OriginName = file.Name,
            Size = file.Size,
            Modified = file.Modified,
            Attributes = attributes,
        };
    }

    private async Task<Stream> OpenAsync(string path, CancellationToken cancellationToken)
    {
        await _opening.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await Location.OpenReadAsync(path, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _opening.Release();
        }
    }

    /// <summary>Releases what the opens took turns with (the location is closed by its owner).</summary>
    public void Dispose() => _opening.Dispose();
}
