using System.Runtime.CompilerServices;
using ConnectPlus.Engine.Catalog;
using ConnectPlus.Tests.Harness;

namespace ConnectPlus.Tests.Catalog;

public sealed class BlockCatalogTests
{
    /// <summary>
    /// The whole palette as JSON, compared with the committed snapshot so that any change to a block's
    /// ports, settings, defaults or help text is a reviewed diff. Regenerate with UPDATE_SNAPSHOTS=1.
    /// </summary>
    [Fact]
    public void Catalog_MatchesTheReviewedSnapshot()
    {
        var actual = BlockCatalog.Default.ToJson().ReplaceLineEndings("\n") + "\n";
        var path = SnapshotPath();
        if (Environment.GetEnvironmentVariable("UPDATE_SNAPSHOTS") == "1") File.WriteAllText(path, actual);

        Assert.True(File.Exists(path), $"No snapshot at {path}; run the tests once with UPDATE_SNAPSHOTS=1 and review it.");
        Assert.Equal(File.ReadAllText(path).ReplaceLineEndings("\n"), actual);
    }

    [Fact]
    public void Catalog_DescribesEveryBlockAndSetting_FromTheirDocComments()
    {
        Assert.NotEmpty(BlockCatalog.Default.Blocks);
        foreach (var block in BlockCatalog.Default.Blocks)
        {
            Assert.False(string.IsNullOrWhiteSpace(block.Description), $"{block.Type} has no /// summary.");
            foreach (var setting in block.Settings)
                Assert.False(string.IsNullOrWhiteSpace(setting.HelpText), $"{block.Type}.{setting.Name} has no /// summary.");
        }
    }

    [Fact]
    public void Catalog_ReadsPortsSettingsAndRules_FromAttributes()
    {
        var rules = BlockHarness.Catalog.Find("test-rules")!;

        Assert.Equal(("files", PortKind.Files, true), (rules.Inputs[0].Name, rules.Inputs[0].Kind, rules.Inputs[0].Required));
        Assert.Equal(("records", PortKind.Records), (rules.Outputs[0].Name, rules.Outputs[0].Kind));
        var name = rules.FindSetting("name")!;
        Assert.True(name.Required);
        Assert.Equal(EditorHint.Text, name.Editor);
        var size = rules.FindSetting("size")!;
        Assert.Equal((1d, 10d), (size.Minimum!.Value, size.Maximum!.Value));
        Assert.Equal(EditorHint.Number, size.Editor);
        Assert.Equal("1", size.Default!.ToJsonString());
        Assert.Equal("Size", size.DisplayName);
    }

    [Fact]
    public void Catalog_MarksTheRejectedPort()
    {
        var generate = BlockHarness.Catalog.Find("test-generate")!;

        Assert.True(generate.FindOutput("rejected")!.Rejected);
        Assert.False(generate.FindOutput("records")!.Rejected);
    }

    [Theory]
    [InlineData("fileNamePattern", "File name pattern")]
    [InlineData("keyColumns", "Key columns")]
    [InlineData("maxCompressionRatio", "Max compression ratio")]
    [InlineData("URLTemplate", "Url template")]
    public void Words_TurnsIdentifiersIntoLabels(string identifier, string label) =>
        Assert.Equal(label, BlockCatalog.Words(identifier));

    private static string SnapshotPath([CallerFilePath] string here = "") =>
        Path.Combine(Path.GetDirectoryName(here)!, "catalog.snapshot.json");
}
