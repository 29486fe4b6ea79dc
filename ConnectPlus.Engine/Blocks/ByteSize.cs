using System.Globalization;

namespace ConnectPlus.Engine.Blocks;

/// <summary>Sizes in messages: "1.5 MB".</summary>
internal static class ByteSize
{
    /// <summary>A size in bytes, KB, MB or GB (binary units, two decimals at most).</summary>
    public static string Format(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.##} GB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.##} MB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 10):0.##} KB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes"),
    };
}
