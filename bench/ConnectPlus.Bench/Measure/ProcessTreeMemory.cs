using System.Globalization;

namespace ConnectPlus.Bench.Measure;

/// <summary>
/// Samples the memory of a process and its descendants from /proc: the sum of their resident sets
/// (for a tree such as <c>dotnet run</c>, whose peak is not any one process's), and the root's own
/// high-water mark (VmHWM). Linux only; elsewhere every sample is 0.
/// </summary>
internal static class ProcessTreeMemory
{
    private static readonly long PageSize = Environment.SystemPageSize;

    /// <summary>Sum of the resident sets of <paramref name="rootPid"/> and its descendants, in bytes.</summary>
    public static long ResidentBytes(int rootPid)
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }

        var children = ChildrenByParent();
        var total = 0L;
        var pending = new Stack<int>();
        pending.Push(rootPid);
        while (pending.Count > 0)
        {
            var pid = pending.Pop();
            total += ResidentPages(pid) * PageSize;
            foreach (var child in children.GetValueOrDefault(pid, []))
            {
                pending.Push(child);
            }
        }

        return total;
    }

    /// <summary>The root process's peak resident set so far (VmHWM), in bytes; 0 once it has exited.</summary>
    public static long HighWaterMarkBytes(int pid)
    {
        var status = ReadOrNull($"/proc/{pid}/status");
        var line = status?.Split('\n').FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        if (line is null)
        {
            return 0;
        }

        var kilobytes = line["VmHWM:".Length..].Trim().Split(' ')[0];
        return long.TryParse(kilobytes, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value * 1024 : 0;
    }

    private static Dictionary<int, List<int>> ChildrenByParent()
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            var stat = ReadOrNull($"/proc/{pid}/stat");
            // pid (comm) state ppid ...: comm may hold spaces and parentheses, so look after the last ')'.
            var commEnd = stat?.LastIndexOf(')') ?? -1;
            var fields = commEnd < 0 || commEnd + 2 > stat!.Length ? null : stat[(commEnd + 2)..].Split(' ');
            if (fields is { Length: > 1 } && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parent))
            {
                if (!children.TryGetValue(parent, out var list))
                {
                    children[parent] = list = [];
                }

                list.Add(pid);
            }
        }

        return children;
    }

    private static long ResidentPages(int pid)
    {
        var statm = ReadOrNull($"/proc/{pid}/statm");
        var fields = statm?.Split(' ');
        return fields is { Length: > 1 } && long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var pages) ? pages : 0;
    }

    /// <summary>The file's text, or null when the process has gone meanwhile (an expected race when sampling).</summary>
    private static string? ReadOrNull(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
