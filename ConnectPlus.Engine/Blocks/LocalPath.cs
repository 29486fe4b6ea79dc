namespace ConnectPlus.Engine.Blocks;

/// <summary>How the file system of the machine running Connect+ compares paths.</summary>
internal static class LocalPath
{
    /// <summary>Windows and macOS ignore letter case in paths; Linux does not.</summary>
    public static bool IgnoresCase => OperatingSystem.IsWindows() || OperatingSystem.IsMacOS();

    /// <summary>The comparison for local paths.</summary>
    public static StringComparison Comparison => IgnoresCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    /// <summary>The comparer for sets of local paths.</summary>
    public static StringComparer Comparer => IgnoresCase ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;

    /// <summary>Whether two full paths name the same folder (a trailing separator does not count).</summary>
    public static bool SameFolder(string a, string b) =>
        string.Equals(Path.TrimEndingDirectorySeparator(a), Path.TrimEndingDirectorySeparator(b), Comparison);
}
