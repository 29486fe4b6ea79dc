namespace ConnectPlus.Engine.Connectors;

/// <summary>'/'-separated paths on a location: relative to its root, never leaving it.</summary>
internal static class RemotePath
{
    /// <summary>
    /// <c>/in//a.csv</c> → <c>in/a.csv</c>; the root is <c>""</c>. A <c>..</c> segment is refused: a dataflow
    /// may not reach outside the folder its connection names.
    /// </summary>
    public static string Normalize(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(s => s != ".")
            .ToList();
        if (segments.Contains(".."))
            throw new ConnectionException(ConnectionFailure.InvalidSettings, $"The path '{path}' may not contain '..': paths stay inside the connection's root folder.");
        return string.Join('/', segments);
    }

    /// <summary>A root folder setting as given (absolute or relative to the login folder), without a trailing '/'.</summary>
    public static string Root(string rootFolder)
    {
        var trimmed = rootFolder.Trim();
        var normalized = Normalize(trimmed);
        return trimmed.StartsWith('/') ? "/" + normalized : normalized;
    }

    /// <summary>Joins a folder and a relative path (either may be empty).</summary>
    public static string Join(string folder, string relative) =>
        folder.Length == 0 ? relative
        : relative.Length == 0 ? folder
        : folder.EndsWith('/') ? folder + relative
        : folder + "/" + relative;

    /// <summary>The folder part of a path (<c>""</c> for a file at the root).</summary>
    public static string Folder(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash < 0 ? "" : slash == 0 ? "/" : path[..slash];
    }

    /// <summary>The name part of a path.</summary>
    public static string Name(string path) => path[(path.LastIndexOf('/') + 1)..];

    /// <summary>
    /// A hidden name beside <paramref name="path"/> to write to before the rename: <c>in/.a.csv.3f2e….part</c>.
    /// The dot hides it from most listings and from patterns like <c>*.csv</c>.
    /// </summary>
    public static string TempName(string path) => Join(Folder(path), $".{Name(path)}.{Guid.NewGuid():N}.part");

    /// <summary>Alternatives to a taken name: <c>a_1.csv</c>, <c>a_2.csv</c>…</summary>
    public static IEnumerable<string> Alternatives(string path)
    {
        var folder = Folder(path);
        var name = Name(path);
        var dot = name.LastIndexOf('.');
        var (stem, extension) = dot > 0 ? (name[..dot], name[dot..]) : (name, "");
        for (var n = 1; ; n++) yield return Join(folder, $"{stem}_{n}{extension}");
    }
}
