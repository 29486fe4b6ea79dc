namespace ConnectPlus.Engine.Blocks;

/// <summary>
/// Folder and file paths on a file location (<see cref="Connectors.IFileLocation"/>) as block settings
/// give them: '/'-separated, from the connection's root folder. A path is kept normalized: no leading
/// or trailing '/', no empty, '.' or '..' segments; the root folder itself is the empty string.
/// </summary>
internal static class LocationPath
{
    /// <summary>
    /// Normalizes a path given from the root ('\' counts as '/'; a leading '/' means the root, as
    /// does no '/'); null when '..' would climb above the root.
    /// </summary>
    public static string? Normalize(string? path)
    {
        var segments = new List<string>();
        foreach (var segment in (path ?? "").Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (segment == ".") continue;
            if (segment == "..")
            {
                if (segments.Count == 0) return null;
                segments.RemoveAt(segments.Count - 1);
                continue;
            }
            segments.Add(segment);
        }
        return string.Join('/', segments);
    }

    /// <summary>
    /// A folder setting resolved against a base folder: a path starting with '/' is taken from the root,
    /// any other inside <paramref name="baseFolder"/>; null when it climbs above the root; null input gives null.
    /// </summary>
    public static string? Resolve(string baseFolder, string? folder)
    {
        if (string.IsNullOrWhiteSpace(folder)) return null;
        var trimmed = folder.Trim();
        return trimmed.StartsWith('/') || trimmed.StartsWith('\\') ? Normalize(trimmed) : Normalize(Join(baseFolder, trimmed));
    }

    /// <summary>Joins normalized paths ("" is the root).</summary>
    public static string Join(string folder, string path) =>
        folder.Length == 0 ? path : path.Length == 0 ? folder : $"{folder}/{path}";

    /// <summary>Whether <paramref name="path"/> is strictly inside <paramref name="folder"/> (both normalized).</summary>
    public static bool IsInside(string path, string folder, StringComparison comparison) =>
        folder.Length == 0 ? path.Length > 0 : path.Length > folder.Length + 1 && path.StartsWith(folder + "/", comparison);

    /// <summary>The path relative to a folder it is inside (both normalized).</summary>
    public static string RelativeTo(string path, string folder) => folder.Length == 0 ? path : path[(folder.Length + 1)..];

    /// <summary>Whether a segment of the path starts with '.' (a hidden file, or an upload's temporary name).</summary>
    public static bool IsHidden(string path) =>
        path.StartsWith('.') || path.Contains("/.", StringComparison.Ordinal);

    /// <summary>The folder part of a normalized path ("" for a file in the root).</summary>
    public static string FolderOf(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash < 0 ? "" : path[..slash];
    }

    /// <summary>How a folder is named in messages: 'exports/in', or the root folder.</summary>
    public static string Describe(string folder) => folder.Length == 0 ? "the root folder" : $"'{folder}'";
}
