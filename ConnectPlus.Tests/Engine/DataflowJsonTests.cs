using System.Text.Json.Nodes;
using ConnectPlus.Engine.Model;

namespace ConnectPlus.Tests.Engine;

public sealed class DataflowJsonTests
{
    private static DataflowDefinition Sample() => new()
    {
        Name = "Export join",
        Description = "Members with their slab changes",
        Options = new DataflowOptions { MaxErrors = 100 },
        Nodes =
        [
            new NodeDefinition { Id = "read", Type = "read-csv", Version = 1, Label = "Members", Position = new CanvasPosition(120, 40.5),
                Settings = new JsonObject { ["delimiter"] = ";", ["manualHeaders"] = new JsonArray("a", "b") } },
            new NodeDefinition { Id = "write", Type = "write-csv", Settings = [] },
        ],
        Edges = [EdgeDefinition.Link("read", "records", "write", "records")],
    };

    [Fact]
    public void Serialize_ThenDeserialize_GivesTheSameDataflow()
    {
        var json = DataflowJson.Serialize(Sample());
        var back = DataflowJson.Deserialize(json);

        Assert.Equal(json, DataflowJson.Serialize(back));
        Assert.Equal("Members", back.Nodes[0].Label);
        Assert.Equal(new CanvasPosition(120, 40.5), back.Nodes[0].Position);
        Assert.Equal(new PortRef("write", "records"), back.Edges[0].Target);
    }

    [Fact]
    public void Serialize_WritesTheStableFormat()
    {
        var json = JsonNode.Parse(DataflowJson.Serialize(Sample()))!;

        Assert.Equal(1, json["formatVersion"]!.GetValue<int>());
        Assert.Equal("read-csv", json["nodes"]![0]!["type"]!.GetValue<string>());
        Assert.Equal(";", json["nodes"]![0]!["settings"]!["delimiter"]!.GetValue<string>());
        Assert.Equal(120, json["nodes"]![0]!["position"]!["x"]!.GetValue<double>());
        Assert.Equal("read:records", json["edges"]![0]!["from"]!.GetValue<string>());
        Assert.Equal("write:records", json["edges"]![0]!["to"]!.GetValue<string>());
    }

    [Fact]
    public void Deserialize_Refuses_ANewerFormatVersion()
    {
        var ex = Assert.Throws<DataflowFormatException>(() => DataflowJson.Deserialize("""{"formatVersion": 2, "nodes": [], "edges": []}""", "flow.json"));
        Assert.Equal("The dataflow file 'flow.json' has formatVersion 2; this Connect+ reads versions 1 to 1.", ex.Message);
    }

    [Fact]
    public void Deserialize_Refuses_AFileWithoutFormatVersion()
    {
        var ex = Assert.Throws<DataflowFormatException>(() => DataflowJson.Deserialize("""{"nodes": []}"""));
        Assert.Contains("formatVersion 0", ex.Message);
    }

    [Fact]
    public void Deserialize_ExplainsBrokenJson()
    {
        var ex = Assert.Throws<DataflowFormatException>(() => DataflowJson.Deserialize("{ nodes: ", "x.json"));
        Assert.StartsWith("The dataflow file 'x.json' is not valid JSON", ex.Message);
    }

    [Fact]
    public void Deserialize_NamesThePath_WhenAFieldHasTheWrongShape()
    {
        var ex = Assert.Throws<DataflowFormatException>(() => DataflowJson.Deserialize("""{"formatVersion": 1, "nodes": [{"id": "a", "type": "t", "version": "one"}]}"""));
        Assert.Contains("$.nodes[0].version", ex.Message);
    }

    [Fact]
    public void Deserialize_AcceptsCommentsAndTrailingCommas()
    {
        var flow = DataflowJson.Deserialize("""
            {
              // hand-edited
              "formatVersion": 1,
              "name": "x",
              "nodes": [],
            }
            """);
        Assert.Equal("x", flow.Name);
    }
}
