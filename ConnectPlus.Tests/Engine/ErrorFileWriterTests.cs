using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Runtime;
using ConnectPlus.Tests.Harness;
using CsvHelper;

namespace ConnectPlus.Tests.Engine;

/// <summary>
/// The run's one error file: when several blocks (or one block's rows of two shapes) rejected rows,
/// <c>errors.csv</c> has every one of them under the union of the files' columns.
/// </summary>
public sealed class ErrorFileWriterTests : IDisposable
{
    private static readonly string[] ErrorColumns = [.. RejectedRecord.ErrorColumns];
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Complete_JoinsEveryBlockFile_UnderTheUnionOfTheirColumns_ErrorColumnsLast()
    {
        var lines = new RecordSchema(["bill_number", "mobile", "bill_date"]);
        var answered = new RecordSchema(["bill_number", "mobile", "bill_date", "api_status", "api_code"]);
        var reshaped = new RecordSchema(["store", "bill_number"]);
        var writer = new ErrorFileWriter(_folder.Path);
        writer.Add(Rejected("payload", lines, ["B1", "", "2026-13-01"], "PAYLOAD_DATE", "not a date", "bills.csv", 2));
        writer.Add(Rejected("capillary", answered, ["B2", "9190", "2026-11-01", "failed", "8015"], "8015", "Customer not found", "bills.csv", 4));
        writer.Add(Rejected("payload", lines, ["B3", "9191", "2026-11-31"], "PAYLOAD_DATE", "not a date", "bills.csv", 6));
        writer.Add(Rejected("payload", reshaped, ["S9", "B4"], "PAYLOAD_REQUIRED", "no mobile", "more.csv", 2));
        writer.Complete();

        Assert.Equal(Path.Combine(_folder.Path, "errors.csv"), writer.RunFile);
        // The blocks' own files are still there, as they were.
        Assert.Equal(["errors-payload.csv", "errors-capillary.csv", "errors-payload-2.csv"], writer.Files.Select(Path.GetFileName));
        Assert.Equal(3, ReadCsv(writer.Files[0]).Count);

        var rows = ReadCsv(writer.RunFile!);
        Assert.Equal(["bill_number", "mobile", "bill_date", "api_status", "api_code", "store", .. ErrorColumns], rows[0]);
        // Block after block, in the order each first rejected a row; columns a block did not have are empty.
        Assert.Equal(["B1", "", "2026-13-01", "", "", "", "payload", "PAYLOAD_DATE", "not a date", "bills.csv", "2"], rows[1]);
        Assert.Equal(["B3", "9191", "2026-11-31", "", "", "", "payload", "PAYLOAD_DATE", "not a date", "bills.csv", "6"], rows[2]);
        Assert.Equal(["B2", "9190", "2026-11-01", "failed", "8015", "", "capillary", "8015", "Customer not found", "bills.csv", "4"], rows[3]);
        Assert.Equal(["B4", "", "", "", "", "S9", "payload", "PAYLOAD_REQUIRED", "no mobile", "more.csv", "2"], rows[4]);
        Assert.Equal(5, rows.Count);
        Assert.Empty(Directory.GetFiles(_folder.Path, "*.part"));
    }

    [Fact]
    public void Complete_KeepsValuesThatNeedQuotes_AndAnInputColumnNamedLikeAnErrorColumn()
    {
        var a = new RecordSchema(["item", "error_code"]);
        var b = new RecordSchema(["note"]);
        var writer = new ErrorFileWriter(_folder.Path);
        writer.Add(Rejected("first", a, ["Rice, Basmati \"5kg\"", "E-42"], "X1", "two\nlines, and \"quotes\"", "bills.csv", 3));
        writer.Add(Rejected("second", b, ["ಕನ್ನಡ ✓"], "X2", "plain", "bills.csv", 5));
        writer.Complete();

        var rows = ReadCsv(writer.RunFile!);
        // The input's own error_code column keeps its place; the rejecting block's code goes under the last one.
        Assert.Equal(["item", "error_code", "note", .. ErrorColumns], rows[0]);
        Assert.Equal(["Rice, Basmati \"5kg\"", "E-42", "", "first", "X1", "two\nlines, and \"quotes\"", "bills.csv", "3"], rows[1]);
        Assert.Equal(["", "", "ಕನ್ನಡ ✓", "second", "X2", "plain", "bills.csv", "5"], rows[2]);
        Assert.Equal(3, rows.Count);
    }

    [Fact]
    public void Complete_WithOneBlockFile_MakesItTheRunsFile_AndWritesNoOther()
    {
        var schema = new RecordSchema(["bill_number"]);
        var writer = new ErrorFileWriter(_folder.Path);
        writer.Add(Rejected("payload", schema, ["B1"], "C", "m", "bills.csv", 2));
        writer.Add(Rejected("payload", schema, ["B2"], "C", "m", "bills.csv", 3));
        writer.Complete();

        Assert.Equal(Path.Combine(_folder.Path, "errors-payload.csv"), writer.RunFile);
        Assert.Equal(["errors-payload.csv"], Directory.GetFiles(_folder.Path).Select(Path.GetFileName));
        Assert.Equal(3, ReadCsv(writer.RunFile!).Count);
    }

    [Fact]
    public void Complete_WithNothingRejected_HasNoRunFile()
    {
        var writer = new ErrorFileWriter(_folder["never-made"]);
        writer.Complete();

        Assert.Null(writer.RunFile);
        Assert.False(Directory.Exists(_folder["never-made"]));
    }

    [Fact]
    public void Complete_JoinsLargeFiles_RowForRow()
    {
        var a = new RecordSchema(["id", "a"]);
        var b = new RecordSchema(["id", "b"]);
        var writer = new ErrorFileWriter(_folder.Path);
        for (var i = 0; i < 20_000; i++)
        {
            var text = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            writer.Add(i % 3 == 0
                ? Rejected("b", b, [text, "b" + text], "CB", "m", "f.csv", i + 2)
                : Rejected("a", a, [text, "a" + text], "CA", "m", "f.csv", i + 2));
        }
        writer.Complete();

        var rows = ReadCsv(writer.RunFile!);
        Assert.Equal(20_001, rows.Count);
        // The b-block rejected first (row 0): its rows come first, in the order they came, then the a-block's.
        Assert.Equal(["id", "b", "a", .. ErrorColumns], rows[0]);
        var expected = Enumerable.Range(0, 20_000).Where(i => i % 3 == 0).Concat(Enumerable.Range(0, 20_000).Where(i => i % 3 != 0)).ToList();
        for (var r = 0; r < expected.Count; r++)
        {
            var i = expected[r].ToString(System.Globalization.CultureInfo.InvariantCulture);
            var row = rows[r + 1];
            Assert.Equal(i, row[0]);
            Assert.Equal(expected[r] % 3 == 0 ? ["b" + i, ""] : ["", "a" + i], row[1..3]);
            Assert.Equal(expected[r] % 3 == 0 ? "CB" : "CA", row[4]);
        }
    }

    private static RejectedRecord Rejected(string node, RecordSchema schema, string?[] values, string code, string message, string file, long line) =>
        new(node, schema, new Record(values, new SourceRef(file, line)), code, message);

    private static List<string[]> ReadCsv(string path)
    {
        // Read with CsvHelper's plain defaults, as a user's tool would: the header is a row like the others.
        using var csv = CsvReader.Create(File.OpenRead(path), CsvReaderOptions.Default with { HasHeader = false, DetectSeparatorHint = false }, leaveOpen: false);
        var rows = new List<string[]>();
        while (csv.Read()) rows.Add([.. Enumerable.Range(0, csv.FieldCount).Select(csv.GetString)]);
        return rows;
    }
}
