using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using ConnectPlus.Bench.Transactions;
using ConnectPlus.Engine.Blocks.Api;
using ConnectPlus.Engine.Data;
using ConnectPlus.Tests.Bench;
using ConnectPlus.Tests.Harness;
using ConnectPlus.Web.Cli;

namespace ConnectPlus.Tests.Blocks.Api;

/// <summary>samples/transactions-to-payloads.json runs through the CLI on a generated bill file.</summary>
public sealed class TransactionsPayloadSampleTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Sample_BuildsOneItemPerGoodBill_AndPutsTheBadBillsRowsInTheErrorFile()
    {
        Directory.CreateDirectory(_folder["in"]);
        var generated = TransactionsGenerator.Generate(
            new TransactionsOptions { Bills = 300, OutputFile = _folder["in/bills.csv"], BadShare = 0.03, Seed = 5 }, CancellationToken.None);
        var bad = generated.BadBills.GetValueOrDefault(BadBillKind.BadDate) + generated.BadBills.GetValueOrDefault(BadBillKind.MissingMobile);
        Assert.True(bad > 0, "The seed should give bills the block refuses.");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        string[] args = ["run", "--flow", SamplePath(), "--set", $"source.folder={_folder["in"]}", "--set", $"destination.folder={_folder["out"]}", "--runs", _folder["runs"]];

        var code = await CliCommands.RunAsync(args, stdout, stderr);

        Assert.True(code == CliCommands.Success, stderr.ToString() + stdout);
        var preview = BenchCsv.Read(Assert.Single(Directory.GetFiles(_folder["out"])));
        Assert.Equal([PayloadRecord.Key, PayloadRecord.Payload, PayloadRecord.SourceRows], preview.Header);
        Assert.Equal(300 - bad, preview.Rows.Count);
        var first = JsonNode.Parse(preview.Rows[0][1])!;
        Assert.Equal(preview.Rows[0][0], (string?)first["billNumber"]);
        Assert.EndsWith("+05:30", (string?)first["billingDate"], StringComparison.Ordinal);
        Assert.NotEmpty(first["lineItemsV2"]!.AsArray());
        var sources = PayloadRecord.ReadSourceRows(PayloadRecord.Schema, new Record([.. preview.Rows[0]], SourceRef.None)).Rows;
        Assert.All(sources, s => Assert.Equal("bills.csv", s.Source.File));
        var errors = BenchCsv.Read(Assert.Single(Directory.GetFiles(_folder["runs"], "errors-payload.csv", SearchOption.AllDirectories)));
        Assert.Equal(bad, errors.Column("bill_number").Distinct().Count());
        Assert.All(errors.Column("error_code"), c => Assert.Contains(c, (string[])[BuildApiPayloadBlock.FieldErrorCode, BuildApiPayloadBlock.RequiredErrorCode]));
    }

    private static string SamplePath([CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "..", "samples", "transactions-to-payloads.json"));
}
