using System.Runtime.InteropServices;

namespace ConnectPlus.Bench.Measure;

/// <summary>
/// getrusage(RUSAGE_CHILDREN): the largest peak resident set of any waited-for descendant (the kernel
/// keeps it exactly, with no sampling gap) and the CPU time they used. Linux only.
/// </summary>
internal static class ResourceUsage
{
    private const int Children = -1;

    /// <summary>The counters, or null where getrusage is not available.</summary>
    public static (long MaxRssBytes, TimeSpan Cpu)? OfChildren()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        if (GetResourceUsage(Children, out var usage) != 0)
        {
            throw new InvalidOperationException($"getrusage failed (errno {Marshal.GetLastPInvokeError()}).");
        }

        var cpuMicros = ((usage.UserSeconds + usage.SystemSeconds) * 1_000_000) + usage.UserMicros + usage.SystemMicros;
        // ru_maxrss is in kilobytes on Linux.
        return (usage.MaxRssKilobytes * 1024, TimeSpan.FromMicroseconds(cpuMicros));
    }

    [DllImport("libc", EntryPoint = "getrusage", SetLastError = true)]
    private static extern int GetResourceUsage(int who, out RUsage usage);

    /// <summary>struct rusage on 64-bit Linux: two timevals, then fourteen longs.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct RUsage
    {
        public long UserSeconds;
        public long UserMicros;
        public long SystemSeconds;
        public long SystemMicros;
        public long MaxRssKilobytes;
        public Rest Others;
    }

    [System.Runtime.CompilerServices.InlineArray(13)]
    private struct Rest
    {
        private long _first;
    }
}
