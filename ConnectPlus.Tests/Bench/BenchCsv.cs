using CsvHelper;

namespace ConnectPlus.Tests.Bench;

/// <summary>A generated CSV read back whole (test sizes are small): its header and rows.</summary>
internal sealed record BenchCsv(IReadOnlyList<string> Header, IReadOnlyList<string[]> Rows)
{
    private static readonly CsvReaderOptions Options = CsvReaderOptions.Default with { Separator = ',' };

    public static BenchCsv Read(string path)
    {
        using var stream = File.OpenRead(path);
        return Read(stream);
    }

    public static BenchCsv Read(Stream stream)
    {
        using var reader = CsvReader.Create(stream, Options, leaveOpen: true);
        var rows = new List<string[]>();
        while (reader.Read())
        {
            rows.Add(reader.Current.ToArray());
        }

        return new BenchCsv([.. reader.Headers], rows);
    }

    public IEnumerable<string> Column(string name)
    {
        var index = Header.ToList().IndexOf(name);
        Assert.True(index >= 0, $"No column {name} in {string.Join(",", Header)}");
        return Rows.Select(r => r[index]);
    }

    /// <summary>The rows as dictionaries by column name.</summary>
    public IEnumerable<Dictionary<string, string>> Records() =>
        Rows.Select(r => Header.Select((h, i) => (h, r[i])).ToDictionary(p => p.h, p => p.Item2));
}
