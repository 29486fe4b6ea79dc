using System.Globalization;

namespace ConnectPlus.Bench.Workload;

/// <summary>
/// Formats the values of a workload straight into UTF-8 bytes: millions of rows a second, where
/// DateTime.ToString with a custom pattern would be the slowest part of the generator.
/// </summary>
internal static class Utf8Format
{
    /// <summary>Writes <c>yyyy-MM-dd HH:mm:ss</c> (19 bytes) for seconds since the Unix epoch.</summary>
    public static int DateTime(Span<byte> destination, long unixSeconds)
    {
        var length = Date(destination, unixSeconds);
        var secondOfDay = (int)(unixSeconds % 86_400);
        destination[length] = (byte)' ';
        Two(destination[(length + 1)..], secondOfDay / 3600);
        destination[length + 3] = (byte)':';
        Two(destination[(length + 4)..], secondOfDay / 60 % 60);
        destination[length + 6] = (byte)':';
        Two(destination[(length + 7)..], secondOfDay % 60);
        return length + 9;
    }

    /// <summary>Writes <c>yyyy-MM-dd</c> (10 bytes) for seconds since the Unix epoch.</summary>
    public static int Date(Span<byte> destination, long unixSeconds)
    {
        var (year, month, day) = System.DateTime.UnixEpoch.AddDays(unixSeconds / 86_400);
        Two(destination, year / 100);
        Two(destination[2..], year % 100);
        destination[4] = (byte)'-';
        Two(destination[5..], month);
        destination[7] = (byte)'-';
        Two(destination[8..], day);
        return 10;
    }

    /// <summary>Writes an amount held in hundredths as <c>1234.50</c> (<c>-1234.50</c> when negative).</summary>
    public static int Amount(Span<byte> destination, long hundredths)
    {
        var length = 0;
        if (hundredths < 0)
        {
            destination[length++] = (byte)'-';
            hundredths = -hundredths;
        }

        length += Integer(destination[length..], hundredths / 100);
        destination[length] = (byte)'.';
        Two(destination[(length + 1)..], (int)(hundredths % 100));
        return length + 3;
    }

    /// <summary>Writes an integer in invariant digits.</summary>
    public static int Integer(Span<byte> destination, long value)
    {
        if (!value.TryFormat(destination, out var written, default, CultureInfo.InvariantCulture))
        {
            throw new ArgumentException("The destination is too small for the number.", nameof(destination));
        }

        return written;
    }

    /// <summary>Copies UTF-8 text and returns its length.</summary>
    public static int Text(Span<byte> destination, ReadOnlySpan<byte> text)
    {
        text.CopyTo(destination);
        return text.Length;
    }

    private static void Two(Span<byte> destination, int value)
    {
        destination[0] = (byte)('0' + (value / 10));
        destination[1] = (byte)('0' + (value % 10));
    }
}
