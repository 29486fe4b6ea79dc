using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Expressions;
using ConnectPlus.Engine.Model;
using ConnectPlus.Engine.Runtime;
using ConnectPlus.Tests.Harness;
using Xunit.Abstractions;

namespace ConnectPlus.Tests.Blocks.Transform;

/// <summary>
/// Throughput of Map over a million rows, with three formulas and with plain copies (the baseline).
/// The numbers are printed (run with --logger "console;verbosity=detailed"), not asserted: timing
/// depends on the machine. Run in Release for real numbers; exclude with --filter "Category!=Benchmark".
/// </summary>
[Trait("Category", "Benchmark")]
public sealed class MapThroughputTests(ITestOutputHelper output)
{
    private const int RowCount = 1_000_000;

    private static readonly string[] Formulas =
    [
        "concat([first name], ' ', upper([last name]))",
        "round(toNumber([amount]) * 1.2, 2)",
        "reformatDate([birth date], 'dd/MM/yyyy', 'yyyy-MM-dd')",
    ];

    private static readonly RecordSchema Schema = new(["id", "first name", "last name", "amount", "birth date"]);

    [Theory]
    [InlineData(3)]
    [InlineData(0)]
    public async Task Map_MapsAMillionRows(int formulas)
    {
        var data = new HarnessData(Path.Combine(Path.GetTempPath(), "connectplus-tests", "unused"));
        data.RecordInputs["records"] = [.. Rows().Chunk(1024).Select(chunk => new RecordBatch(Schema, chunk))];
        using var folder = new TempFolder();
        var dataflow = new DataflowDefinition
        {
            Name = "map throughput",
            Nodes =
            [
                new NodeDefinition { Id = "feed", Type = "test-feed-records", Settings = new JsonObject { ["key"] = "records" } },
                new NodeDefinition { Id = "map", Type = "map", Settings = MapSettings(formulas) },
            ],
            Edges = [EdgeDefinition.Link("feed", "records", "map", "records")],
        };
        var options = new RunOptions { WorkRoot = folder["work"], OutputFolder = folder["runs"], Services = data };

        var run = await new DataflowRunner(BlockHarness.Catalog).RunAsync(dataflow, options);

        Assert.True(run.IsSuccess, run.Error);
        var map = run.Blocks.Single(b => b.NodeId == "map");
        Assert.Equal(RowCount, map.RowsOut);
        Assert.Equal(0, map.Rejected);
        output.WriteLine($"Map, {MapSettings(formulas)["columns"]!.AsArray().Count} columns of which {formulas} formulas, {RowCount:N0} rows: {map.Duration.TotalSeconds:0.00} s, {RowCount / map.Duration.TotalSeconds:N0} rows/s (whole run {run.Duration.TotalSeconds:0.00} s).");
    }

    [Fact]
    public void BoundFormula_EvaluatesAMillionRowsPerFormula()
    {
        var rows = Rows().ToArray();
        foreach (var text in Formulas)
        {
            var formula = Formula.Parse(text).Bind(Schema);
            object? last = null;
            var clock = Stopwatch.StartNew();
            foreach (var row in rows) last = formula.Evaluate(row);
            clock.Stop();

            Assert.NotNull(last);
            output.WriteLine($"{text}: {RowCount / clock.Elapsed.TotalSeconds:N0} evaluations/s");
        }
    }

    /// <summary>An id column copied, then either the three formulas or (baseline) three copied columns.</summary>
    private static JsonObject MapSettings(int formulas) => new()
    {
        ["columns"] = formulas == 0
            ? new JsonArray(
                new JsonObject { ["name"] = "id", ["source"] = "id" },
                new JsonObject { ["name"] = "first", ["source"] = "first name" },
                new JsonObject { ["name"] = "last", ["source"] = "last name" },
                new JsonObject { ["name"] = "born", ["source"] = "birth date" })
            : new JsonArray(
                new JsonObject { ["name"] = "id", ["source"] = "id" },
                new JsonObject { ["name"] = "full name", ["formula"] = Formulas[0] },
                new JsonObject { ["name"] = "points", ["formula"] = Formulas[1] },
                new JsonObject { ["name"] = "born", ["formula"] = Formulas[2] }),
    };

    private static IEnumerable<Record> Rows()
    {
        string[] first = ["John", "Ana", "Wei", "Fatima", "Olga", "Kofi", "Maria", "Ravi"];
        string[] last = ["Smith", "Lopez", "Chen", "Haddad", "Ivanova", "Mensah", "Rossi", "Patel", "Dupont"];
        var invariant = CultureInfo.InvariantCulture;
        for (var i = 0; i < RowCount; i++)
        {
            var birth = new DateTime(1950, 1, 1).AddDays(i % 20000);
            yield return new Record(
                [
                    i.ToString(invariant),
                    first[i % first.Length],
                    last[i % last.Length],
                    (i % 100000 / 100m).ToString(invariant),
                    birth.ToString("dd/MM/yyyy", invariant),
                ],
                new SourceRef("members.csv", i + 2));
        }
    }
}
