using ConnectPlus.Engine.Blocks.Transform;
using ConnectPlus.Engine.Catalog;
using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Runtime;
using ConnectPlus.Engine.Validation;
using ConnectPlus.Tests.Harness;

namespace ConnectPlus.Tests.Blocks.Transform;

public sealed class FilterBlockTests
{
    private static BlockHarness Filter(string condition, string unmatchedRows = "drop") =>
        BlockHarness.For("filter", new { condition, unmatchedRows })
            .WithRecords("records", ["id", "country", "amount"],
                ["1", "FR", "150"],
                ["2", "BE", "80"],
                ["3", "FR", "20"],
                ["4", "DE", "300"]);

    [Fact]
    public async Task Run_SendsMatchingRowsToMatched_AndDropsTheOthers_CountingThemInTheLog()
    {
        var result = await Filter("[country] in ('FR', 'DE') and [amount] > 100").RunAsync();

        result.AssertSucceeded();
        Assert.Equal(["1", "4"], result.Records("matched").Column("id"));
        Assert.Empty(result.Records("unmatched").Rows);
        Assert.Contains(result.Run.Log, e => e.NodeId == "block" && e.Level == RunLogLevel.Info && e.Message == "2 rows did not match the condition and were dropped.");
    }

    [Fact]
    public async Task Run_CountsDroppedRows_AcrossBatches()
    {
        var rows = Enumerable.Range(1, 2000).Select(i => new Record([i.ToString(System.Globalization.CultureInfo.InvariantCulture)], new SourceRef("big.csv", i + 1)));
        var result = await BlockHarness.For("filter", new { condition = "[n] > 796" })
            .WithBatchSize(100)
            .WithRecords("records", new RecordSchema(["n"]), rows)
            .RunAsync();

        result.AssertSucceeded();
        Assert.Equal(1204, result.Records("matched").Rows.Count);
        Assert.Contains(result.Run.Log, e => e.Message == "796 rows did not match the condition and were dropped.");
    }

    [Fact]
    public async Task Run_UsesThousandsSeparatorAndSingular_InTheDropMessage()
    {
        var many = await BlockHarness.For("filter", new { condition = "false" })
            .WithRecords("records", new RecordSchema(["n"]), Enumerable.Range(1, 1204).Select(i => new Record(["x"], SourceRef.None)))
            .RunAsync();
        var one = await BlockHarness.For("filter", new { condition = "[n] = 'keep'" })
            .WithRecords("records", ["n"], ["keep"], ["drop"])
            .RunAsync();

        Assert.Contains(many.Run.Log, e => e.Message == "1,204 rows did not match the condition and were dropped.");
        Assert.Contains(one.Run.Log, e => e.Message == "1 row did not match the condition and was dropped.");
    }

    [Fact]
    public async Task Run_SendsUnmatchedRowsToUnmatched_WhenAskedTo()
    {
        var result = await Filter("[country] = 'FR'", "sendToOutput").RunAsync();

        result.AssertSucceeded();
        Assert.Equal(["1", "3"], result.Records("matched").Column("id"));
        Assert.Equal(["2", "4"], result.Records("unmatched").Column("id"));
        Assert.Equal(["id", "country", "amount"], result.Records("unmatched").Schema!.Columns);
        Assert.Contains(result.Run.Log, e => e.Message == "2 rows did not match the condition and were sent to 'unmatched'.");
    }

    [Fact]
    public async Task Run_WarnsThatUnmatchedGetsNothing_WhenItIsLinkedButRowsAreDropped()
    {
        var result = await Filter("[country] = 'FR'", "drop").RunAsync();

        Assert.Contains(result.Run.Log, e => e.Level == RunLogLevel.Warning && e.Message.Contains("'unmatched' output is linked but 'Unmatched rows' is 'drop'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_KeepsRowsAndSourcesUnchanged()
    {
        var result = await Filter("[amount] >= 150").RunAsync();

        var rows = result.Records("matched").Rows;
        Assert.Equal([["1", "FR", "150"], ["4", "DE", "300"]], rows.Select(r => r.Values));
        Assert.Equal([2L, 5L], rows.Select(r => r.Source.Line));
    }

    [Fact]
    public async Task Run_AcceptsATrueFalseColumnAsTheCondition()
    {
        var result = await BlockHarness.For("filter", new { condition = "[active]" })
            .WithRecords("records", ["id", "active"], ["1", "TRUE"], ["2", "false"], ["3", "true"])
            .RunAsync();

        result.AssertSucceeded();
        Assert.Equal(["1", "3"], result.Records("matched").Column("id"));
    }

    [Fact]
    public async Task Run_RejectsRow_SayingSo_WhenTheConditionIsNotBoolean()
    {
        var result = await BlockHarness.For("filter", new { condition = "[active]" })
            .WithRecords("records", ["id", "active"], ["1", "true"], ["2", "yes"], ["3", null])
            .RunAsync();

        Assert.Equal(RunOutcome.SucceededWithErrors, result.Run.Outcome);
        Assert.Equal(["1"], result.Records("matched").Column("id"));
        var rejected = result.Records("rejected").Maps;
        Assert.Equal(["2", "3"], rejected.Select(r => r["id"]));
        Assert.All(rejected, r => Assert.Equal("FORMULA", r["error_code"]));
        Assert.Equal("The condition must give true or false, but gave 'yes' (text).", rejected[0]["error_message"]);
        Assert.Equal("The condition must give true or false, but gave (missing) (a missing value).", rejected[1]["error_message"]);
    }

    [Fact]
    public async Task Run_RejectsRowWhoseConditionFails_WithItsSourceLine_AndGoesOn()
    {
        var result = await BlockHarness.For("filter", new { condition = "toNumber([amount]) > 100" })
            .WithRecords("records", ["id", "amount"], ["1", "150"], ["2", "1,5"], ["3", "200"])
            .RunAsync();

        Assert.Equal(RunOutcome.SucceededWithErrors, result.Run.Outcome);
        Assert.Equal(["1", "3"], result.Records("matched").Column("id"));
        var rejected = Assert.Single(result.Records("rejected").Maps);
        Assert.Equal("toNumber: '1,5' from column 'amount' is not a number.", rejected["error_message"]);
        Assert.Equal("input.csv", rejected["source_file"]);
        Assert.Equal("3", rejected["source_line"]);
    }

    [Fact]
    public async Task Run_FailsNamingTheSetting_WhenTheConditionReadsAMissingColumn()
    {
        var result = await Filter("[status] = 'active'").RunAsync();

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Equal(
            "Block 'block' (Filter) failed: Setting 'condition': the condition ([status] = 'active') reads 'status', which the input does not have (reading input.csv). " +
            "Input columns: id, country, amount. Correct the column names in the condition.",
            result.Run.Error);
    }

    [Fact]
    public void CompileCondition_ThrowsBlockExceptionNamingSettingAndFormula_WhenNotValid()
    {
        var error = Assert.Throws<BlockException>(() => FilterBlock.CompileCondition(new FilterSettings { Condition = "[a] = = 1" }));

        Assert.Equal("condition", error.Setting);
        Assert.StartsWith("Setting 'condition': The formula '[a] = = 1' is not valid:", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "condition": "[amount] >" }""", "condition", "The formula '[amount] >' is not valid:")]
    [InlineData("""{ "condition": "iff([a], 1, 2)" }""", "condition", "The formula 'iff([a], 1, 2)' is not valid: there is no function 'iff'. Did you mean 'if'?")]
    [InlineData("""{ "condition": "" }""", "condition", "Give a condition, e.g. [status] = 'active'.")]
    [InlineData("""{ "condition": "true", "unmatchedRows": "keep" }""", "unmatchedRows", "The value is not valid. Expected one of: drop, sendToOutput.")]
    public void Validate_ReportsConditionProblems_AtDesignTime(string settings, string setting, string expected)
    {
        var harness = BlockHarness.For("filter", settings).WithRecords("records", ["a"], ["1"]);

        var issues = new DataflowValidator(BlockHarness.Catalog).Validate(harness.BuildDataflow());

        var issue = Assert.Single(issues, i => i.NodeId == "block");
        Assert.Equal(setting, issue.Setting);
        Assert.StartsWith(expected, issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Catalog_DescribesFilter_WithPortsAndDocumentedSettings()
    {
        var filter = BlockHarness.Catalog.Find("filter")!;

        Assert.Equal(BlockCategory.Transform, filter.Category);
        Assert.Equal(["records"], filter.Inputs.Select(p => p.Name));
        Assert.Equal(["matched", "unmatched", "rejected"], filter.Outputs.Select(p => p.Name));
        Assert.True(filter.FindOutput("rejected")!.Rejected);
        var condition = filter.FindSetting("condition")!;
        Assert.True(condition.Required);
        Assert.Equal(EditorHint.Formula, condition.Editor);
        var unmatched = filter.FindSetting("unmatchedRows")!;
        Assert.Equal(["drop", "sendToOutput"], unmatched.Options);
        Assert.Equal("drop", unmatched.Default!.GetValue<string>());
        Assert.All(filter.Settings, s => Assert.False(string.IsNullOrWhiteSpace(s.HelpText), s.Name));
    }

    [Fact]
    public void Validate_AcceptsAValidCondition()
    {
        var harness = BlockHarness.For("filter", new { condition = "[a] = 1", unmatchedRows = "sendToOutput" }).WithRecords("records", ["a"], ["1"]);

        Assert.Empty(new DataflowValidator(BlockHarness.Catalog).Validate(harness.BuildDataflow()));
    }
}
