using ConnectPlus.Engine.Model;
using ConnectPlus.Engine.Validation;
using ConnectPlus.Tests.Harness;

namespace ConnectPlus.Tests.Engine;

public sealed class DataflowValidatorTests
{
    private static IReadOnlyList<ValidationIssue> Validate(FlowBuilder flow) =>
        new DataflowValidator(BlockHarness.Catalog).Validate(flow.Build());

    private static FlowBuilder Valid() => new FlowBuilder()
        .Node("gen", "test-generate")
        .Node("sink", "test-sink")
        .Link("gen:records", "sink:records");

    [Fact]
    public void Validate_FindsNothing_WhenTheDataflowIsSound() => Assert.Empty(Validate(Valid()));

    [Fact]
    public void Validate_NamesTheBlock_WhenTheTypeIsUnknown()
    {
        var issue = Assert.Single(Validate(Valid().Node("x", "no-such-block")));
        Assert.Equal(("x", "Unknown block type 'no-such-block'."), (issue.NodeId, issue.Message));
    }

    [Fact]
    public void Validate_NamesTheVersion_WhenTheBlockVersionIsNotAvailable()
    {
        var flow = Valid().Build();
        flow.Nodes[0] = flow.Nodes[0] with { Version = 7 };

        var issue = Assert.Single(new DataflowValidator(BlockHarness.Catalog).Validate(flow));
        Assert.Equal("gen", issue.NodeId);
        Assert.Contains("version 7 is not available", issue.Message);
    }

    [Fact]
    public void Validate_ReportsRequiredRangeAndCrossFieldRules_WithTheSettingName()
    {
        var issues = Validate(Valid()
            .Node("feed", "test-feed-files", new { key = "k" })
            .Node("r", "test-rules", new { size = 11, min = 5, max = 1 })
            .Link("feed:files", "r:files"));

        Assert.Contains(issues, i => i is { NodeId: "r", Setting: "name", Message: "Give a name." });
        Assert.Contains(issues, i => i is { NodeId: "r", Setting: "size" } && i.Message.Contains("between 1 and 10", StringComparison.Ordinal));
        // Cross-field rules run once the single-field rules pass.
        var crossField = Validate(Valid()
            .Node("feed", "test-feed-files", new { key = "k" })
            .Node("r", "test-rules", new { name = "n", min = 5, max = 1 })
            .Link("feed:files", "r:files"));
        Assert.Contains(crossField, i => i is { NodeId: "r", Setting: "max", Message: "Min must not exceed Max." });
    }

    [Fact]
    public void Validate_ReportsWrongTypesAndUnknownSettings_WithTheSettingName()
    {
        var wrongType = Validate(Valid().Node("g2", "test-generate", new { batches = "many" }));
        Assert.Contains(wrongType, i => i is { NodeId: "g2", Setting: "batches" } && i.Message.Contains("Expected a integer", StringComparison.Ordinal));

        var unknown = Validate(Valid().Node("g3", "test-generate", new { bathces = 2 }));
        Assert.Contains(unknown, i => i is { NodeId: "g3", Setting: "bathces" } && i.Message.Contains("not a setting of Test generate", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_ReportsUnconnectedRequiredInputs()
    {
        var issue = Assert.Single(Validate(new FlowBuilder().Node("gen", "test-generate").Node("sink", "test-sink")));
        Assert.Equal(("sink", "records"), (issue.NodeId, issue.Port));
    }

    [Fact]
    public void Validate_ReportsMismatchedPortKinds()
    {
        var issues = Validate(new FlowBuilder()
            .Node("gen", "test-generate")
            .Node("r", "test-rules", new { name = "n" })
            .Link("gen:records", "r:files"));

        Assert.Contains(issues, i => i is { NodeId: "r", Port: "files" } && i.Message.Contains("carries Records but input 'files' takes Files", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_ReportsTwoLinksIntoOneInput()
    {
        var issues = Validate(Valid().Node("gen2", "test-generate").Link("gen2:records", "sink:records"));

        var issue = Assert.Single(issues);
        Assert.Equal(("sink", "records"), (issue.NodeId, issue.Port));
        Assert.Contains("takes one link", issue.Message);
    }

    [Fact]
    public void Validate_ReportsLoops()
    {
        var issues = Validate(new FlowBuilder()
            .Node("a", "test-fail", new { afterBatches = 1 })
            .Node("b", "test-fail", new { afterBatches = 1 })
            .Link("a:records", "b:records")
            .Link("b:records", "a:records"));

        var issue = Assert.Single(issues);
        Assert.Contains("loop: a → b → a", issue.Message);
    }

    [Fact]
    public void Validate_ReportsUnknownPortsAndNodesInLinks()
    {
        var issues = Validate(Valid().Link("gen:nope", "sink:records").Link("ghost:records", "sink:records"));

        Assert.Contains(issues, i => i is { NodeId: "gen", Port: "nope" } && i.Message.Contains("Outputs: records, rejected", StringComparison.Ordinal));
        Assert.Contains(issues, i => i.NodeId is null && i.Message.Contains("'ghost'", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_ReportsDuplicateAndMalformedIds()
    {
        var issues = Validate(Valid().Node("gen", "test-generate").Node("bad id", "test-generate"));

        Assert.Contains(issues, i => i is { NodeId: "gen" } && i.Message.Contains("unique", StringComparison.Ordinal));
        Assert.Contains(issues, i => i is { NodeId: "bad id" } && i.Message.Contains("letters, digits", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_ReportsBadOptions()
    {
        var issues = Validate(Valid().Options(new DataflowOptions { MaxErrors = -1, MaxErrorRatePercent = 150 }));

        Assert.Contains(issues, i => i.Setting == "maxErrors");
        Assert.Contains(issues, i => i.Setting == "maxErrorRatePercent");
    }

    [Fact]
    public void Issue_ToString_NamesBlockPortAndSetting() =>
        Assert.Equal("Block 'read', setting 'delimiter': Give one character.",
            new ValidationIssue("read", null, "delimiter", "Give one character.").ToString());
}
