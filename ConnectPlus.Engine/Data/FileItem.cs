namespace ConnectPlus.Engine.Data;

/// <summary>
/// A file travelling between blocks: its name, size and attributes, and a way to open its content
/// as a stream. The content is never held in memory; files made during a run live in the run's
/// work folder.
/// </summary>
public sealed class FileItem
{
    private readonly Func<CancellationToken, ValueTask<Stream>> _open;

    /// <summary>Creates a file item whose content is opened by <paramref name="open"/>.</summary>
    public FileItem(string name, Func<CancellationToken, ValueTask<Stream>> open)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(open);
        Name = name;
        _open = open;
    }

    /// <summary>File name without folders, e.g. <c>members.csv</c>.</summary>
    public string Name { get; }

    /// <summary>Where the file came from (a path on its location), for messages and lineage.</summary>
    public string? SourcePath { get; init; }

    /// <summary>Name of the original source file this one derives from (e.g. the zip an entry came from).</summary>
    public string? OriginName { get; init; }

    /// <summary>Size in bytes when known.</summary>
    public long? Size { get; init; }

    /// <summary>Last modified time when known.</summary>
    public DateTimeOffset? Modified { get; init; }

    /// <summary>Full path when the content is a local file (lets a local destination move instead of copy).</summary>
    public string? LocalPath { get; init; }

    /// <summary>Other attributes (checksum, location, entry name…).</summary>
    public IReadOnlyDictionary<string, string> Attributes { get; init; } = new Dictionary<string, string>();

    /// <summary>Opens the content for reading; the caller disposes the stream.</summary>
    public ValueTask<Stream> OpenReadAsync(CancellationToken cancellationToken = default) => _open(cancellationToken);

    /// <summary>A file item over a local file.</summary>
    public static FileItem FromLocalFile(string fullPath, string? sourcePath = null, string? originName = null)
    {
        var info = new FileInfo(fullPath);
        return new FileItem(info.Name, _ => ValueTask.FromResult<Stream>(
            new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan | FileOptions.Asynchronous)))
        {
            SourcePath = sourcePath ?? fullPath,
            OriginName = originName ?? info.Name,
            Size = info.Exists ? info.Length : null,
            Modified = info.Exists ? info.LastWriteTimeUtc : null,
            LocalPath = fullPath,
        };
    }

    /// <summary>A copy of this item with other attributes; the content and the other facts are shared.</summary>
    public FileItem WithAttributes(IReadOnlyDictionary<string, string> attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        return new FileItem(Name, _open)
        {
            SourcePath = SourcePath,
            OriginName = OriginName,
            Size = Size,
            Modified = Modified,
            LocalPath = LocalPath,
            Attributes = attributes,
        };
    }

    public override string ToString() => SourcePath ?? Name;
}
