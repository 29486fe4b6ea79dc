using System.Text.Json.Nodes;
using ConnectPlus.Engine.Blocks.Api;
using ConnectPlus.Engine.Data;

namespace ConnectPlus.Tests.Blocks.Api;

public sealed class PayloadRecordTests
{
    [Fact]
    public void Create_ThenReadSourceRows_GivesBackTheRowsAndTheirOrigin()
    {
        var schema = new RecordSchema(["bill", "sku", "note"]);
        Record[] rows =
        [
            new(["b-1", "sku1", "a \"quoted\", note"], new SourceRef("bills.csv", 2)),
            new(["b-1", "sku2", null], new SourceRef("bills.csv", 3)),
        ];

        var record = PayloadRecord.Create("b-1", """{"billNumber":"b-1"}""", schema, rows);
        var (back, backRows) = PayloadRecord.ReadSourceRows(PayloadRecord.Schema, record);

        Assert.Equal(("b-1", """{"billNumber":"b-1"}"""), (record.Values[0], record.Values[1]));
        Assert.Equal(new SourceRef("bills.csv", 2), record.Source);
        Assert.Equal(["bill", "sku", "note"], back.Columns);
        Assert.Equal(2, backRows.Count);
        Assert.Equal(rows[0].Values, backRows[0].Values);
        Assert.Equal(rows[1].Values, backRows[1].Values);
        Assert.Equal(new SourceRef("bills.csv", 3), backRows[1].Source);
        Assert.Equal(2, JsonNode.Parse(record.Values[2]!)!.AsArray().Count);
    }

    [Fact]
    public void ReadSourceRows_ReturnsTheRowItself_WhenItIsAReadyMadePayload()
    {
        var schema = new RecordSchema(["payload", "store"]);
        var row = new Record(["{}", "S1"], new SourceRef("ready.csv", 5));

        var (back, rows) = PayloadRecord.ReadSourceRows(schema, row);

        Assert.Same(schema, back);
        Assert.Equal(row, Assert.Single(rows));
    }
}
