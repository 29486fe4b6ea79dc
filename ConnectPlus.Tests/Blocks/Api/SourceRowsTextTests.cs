using System.Text.Json;
using System.Text.Json.Nodes;
using ConnectPlus.Engine.Blocks.Api;
using ConnectPlus.Engine.Data;

namespace ConnectPlus.Tests.Blocks.Api;

/// <summary>The source rows text an item carries from the Build API payload block to an API sink.</summary>
public sealed class SourceRowsTextTests
{
    private static readonly RecordSchema Schema = new(["bill", "note", "qty"]);

    public static TheoryData<string?> Values => new()
    {
        "plain",
        "",
        null,
        "a \"quoted\", note",
        @"back\slash and /slash",
        "line\nbreak\r\ttab\u0001\u001f",
        "Ünïcödé café 😀 <b>&amp;</b> +05:30 '",
    };

    [Theory]
    [MemberData(nameof(Values))]
    public void Write_GivesJsonThatAnyReaderReadsBack(string? value)
    {
        Record[] rows = [new(["b-1", value, "2"], new SourceRef("bills.csv", 2)), new(["b-1", "x", null], new SourceRef(null, 0))];

        var text = SourceRowsText.Write(Schema, rows);

        var array = JsonNode.Parse(text)!.AsArray();
        Assert.Equal(2, array.Count);
        Assert.Equal(value, (string?)array[0]!["note"]);
        Assert.Equal(("bills.csv", 2L), ((string?)array[0]![PayloadRecord.SourceFileField], (long)array[0]![PayloadRecord.SourceLineField]!));
        Assert.Null(array[1]!["qty"]);
        Assert.False(array[1]!.AsObject().ContainsKey(PayloadRecord.SourceFileField));
        Assert.False(array[1]!.AsObject().ContainsKey(PayloadRecord.SourceLineField));
    }

    [Theory]
    [MemberData(nameof(Values))]
    public void TryRead_GivesBackTheRowsWritten(string? value)
    {
        Record[] rows = [new(["b-1", value, "2"], new SourceRef("bil\"ls.csv", 2)), new(["b-1", "x", null], new SourceRef(null, 0))];
        var back = new List<Record>();

        Assert.True(SourceRowsText.TryRead(SourceRowsText.Write(Schema, rows), [.. Schema.Columns], back));

        Assert.Equal(2, back.Count);
        Assert.Equal(rows[0].Values, back[0].Values);
        Assert.Equal(rows[0].Source, back[0].Source);
        Assert.Equal(rows[1].Values, back[1].Values);
        Assert.Equal(SourceRef.None, back[1].Source);
    }

    [Fact]
    public void TryRead_ReadsEscapesThatOtherWritersUse()
    {
        var text = JsonSerializer.Serialize(new[] { new Dictionary<string, object?> { ["bill"] = "<b-1>", ["note"] = "é\u2028\"", ["qty"] = null, [PayloadRecord.SourceLineField] = 7 } });
        var back = new List<Record>();

        Assert.True(SourceRowsText.TryRead(text, [.. Schema.Columns], back));

        Assert.Equal(new string?[] { "<b-1>", "é\u2028\"", null }, Assert.Single(back).Values);
        Assert.Equal(new SourceRef(null, 7), back[0].Source);
    }

    [Theory]
    [InlineData("""[{"bill":"b","qty":"1","note":"n"}]""")]
    [InlineData("""[{"bill":"b","note":"n"}]""")]
    [InlineData("""[{"bill":"b","note":"n","qty":"1","extra":"x"}]""")]
    [InlineData("""[{"bill":"b","note":"n","qty":1}]""")]
    [InlineData("""[{"bill":"b", "note":"n","qty":"1"}]""")]
    [InlineData("""[{"b\u0069ll":"b","note":"n","qty":"1"}]""")]
    [InlineData("""[{"bill":"b","note":"n","qty":"1"}""")]
    [InlineData("""[{"bill":"b","note":"n","qty":"1"}]x""")]
    [InlineData("""{"bill":"b","note":"n","qty":"1"}""")]
    [InlineData("""[{"bill":"b","note":"n\q","qty":"1"}]""")]
    public void TryRead_LeavesOtherShapesToTheGeneralReader(string text)
    {
        Assert.False(SourceRowsText.TryRead(text, [.. Schema.Columns], []));
    }

    [Fact]
    public void Write_NamesColumnsThatNeedEscaping()
    {
        var schema = new RecordSchema(["a\"b", "c\\d"]);

        var text = SourceRowsText.Write(schema, [new(["1", "2"], SourceRef.None)]);

        var row = JsonNode.Parse(text)!.AsArray()[0]!.AsObject();
        Assert.Equal(("1", "2"), ((string?)row["a\"b"], (string?)row["c\\d"]));
        var (back, rows) = PayloadRecord.ReadSourceRows(PayloadRecord.Schema, new Record(["k", "{}", text], SourceRef.None));
        Assert.Equal(["a\"b", "c\\d"], back.Columns);
        Assert.Equal(("1", "2"), (Assert.Single(rows)[0], rows[0][1]));
    }
}
