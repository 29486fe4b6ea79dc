using ConnectPlus.Engine.Blocks.Transform;
using ConnectPlus.Engine.Catalog;
using ConnectPlus.Engine.Runtime;
using ConnectPlus.Engine.Validation;
using ConnectPlus.Tests.Harness;

namespace ConnectPlus.Tests.Blocks.Transform;

public sealed class MapBlockTests
{
    private static readonly string[] Members = ["id", "first name", "last name", "email", "amount"];

    private static BlockHarness Map(object columns, bool keepOtherColumns = false) =>
        BlockHarness.For("map", new { columns, keepOtherColumns })
            .WithRecords("records", Members,
                ["1", "John", "Smith", "JOHN@EXAMPLE.COM", "12.50"],
                ["2", "Ana", "Lopez", null, "3"]);

    [Fact]
    public async Task Run_RenamesReordersAndDropsColumns()
    {
        var result = await Map(new object[]
        {
            new { name = "Email", source = "email" },
            new { name = "MemberId", source = "id" },
        }).RunAsync();

        result.AssertSucceeded();
        var output = result.Records("records");
        Assert.Equal(["Email", "MemberId"], output.Schema!.Columns);
        Assert.Equal(["JOHN@EXAMPLE.COM", null], output.Column("Email"));
        Assert.Equal(["1", "2"], output.Column("MemberId"));
    }

    [Fact]
    public async Task Run_FindsSourceColumns_IgnoringCase()
    {
        var result = await Map(new object[] { new { name = "last", source = "LAST NAME" } }).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(["Smith", "Lopez"], result.Records("records").Column("last"));
    }

    [Fact]
    public async Task Run_PutsConstantsInEveryRow_IncludingEmptyText()
    {
        var result = await Map(new object[]
        {
            new { name = "id", source = "id" },
            new { name = "country", constant = "FR" },
            new { name = "note", constant = "" },
        }).RunAsync();

        result.AssertSucceeded();
        var output = result.Records("records");
        Assert.Equal(["FR", "FR"], output.Column("country"));
        Assert.Equal(["", ""], output.Column("note"));
    }

    [Fact]
    public async Task Run_ComputesFormulaColumns_ReadingColumnNamesWithSpaces()
    {
        var result = await Map(new object[]
        {
            new { name = "full name", formula = "concat([first name], ' ', upper([last name]))" },
            new { name = "email", formula = "lower([email])" },
            new { name = "points", formula = "round(toNumber([amount]) * 1.2, 0)" },
            new { name = "vip", formula = "[amount] > 10" },
        }).RunAsync();

        result.AssertSucceeded();
        var output = result.Records("records");
        Assert.Equal(["John SMITH", "Ana LOPEZ"], output.Column("full name"));
        Assert.Equal(["john@example.com", null], output.Column("email"));
        Assert.Equal(["15", "4"], output.Column("points"));
        Assert.Equal(["true", "false"], output.Column("vip"));
    }

    [Fact]
    public async Task Run_KeepsRowSources()
    {
        var result = await Map(new object[] { new { name = "id", source = "id" } }).RunAsync();

        result.AssertSucceeded();
        Assert.Equal([("input.csv", 2L), ("input.csv", 3L)], result.Records("records").Rows.Select(r => (r.Source.File!, r.Source.Line)));
    }

    [Fact]
    public async Task Run_KeepOtherColumns_AppendsUnlistedInputColumnsAfterTheListedOnes()
    {
        var result = await Map(new object[]
        {
            new { name = "mail", source = "email" },
            new { name = "amount", formula = "[amount] * 100" },
            new { name = "origin", constant = "crm" },
        }, keepOtherColumns: true).RunAsync();

        result.AssertSucceeded();
        var output = result.Records("records");
        // email was used as a source (moved), amount was replaced: neither is repeated.
        Assert.Equal(["mail", "amount", "origin", "id", "first name", "last name"], output.Schema!.Columns);
        Assert.Equal(["1250.00", "300"], output.Column("amount"));
        Assert.Equal(["John", "Ana"], output.Column("first name"));
    }

    [Fact]
    public async Task Run_KeepOtherColumnsWithNoListedColumn_PassesRowsThrough()
    {
        var result = await Map(Array.Empty<object>(), keepOtherColumns: true).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(Members, result.Records("records").Schema!.Columns);
        Assert.Equal(["12.50", "3"], result.Records("records").Column("amount"));
    }

    [Fact]
    public async Task Run_KeepOtherColumnsOff_OutputsExactlyTheList()
    {
        var result = await Map(new object[] { new { name = "id", source = "id" } }, keepOtherColumns: false).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(["id"], result.Records("records").Schema!.Columns);
    }

    [Fact]
    public async Task Run_RejectsRowWhoseFormulaFails_WithItsSourceLine_AndGoesOn()
    {
        var result = await BlockHarness.For("map", new { columns = new[] { new { name = "double", formula = "[amount] * 2" } } })
            .WithRecords("records", ["amount"], ["1"], ["abc"], ["3"])
            .RunAsync();

        Assert.Equal(RunOutcome.SucceededWithErrors, result.Run.Outcome);
        Assert.Equal(["2", "6"], result.Records("records").Column("double"));
        var rejected = Assert.Single(result.Records("rejected").Maps);
        Assert.Equal("abc", rejected["amount"]);
        Assert.Equal("block", rejected["error_block"]);
        Assert.Equal("FORMULA", rejected["error_code"]);
        Assert.Equal("Column 'double': Operator '*': 'abc' from column 'amount' is not a number.", rejected["error_message"]);
        Assert.Equal("input.csv", rejected["source_file"]);
        Assert.Equal("3", rejected["source_line"]);
        Assert.Equal(1, result.Stats.Rejected);
    }

    [Fact]
    public async Task Run_RejectsOnFirstFailingFormula_NamingItsColumn()
    {
        var result = await BlockHarness.For("map", new
        {
            columns = new[]
            {
                new { name = "born", formula = "reformatDate([dob], 'dd/MM/yyyy', 'yyyy-MM-dd')" },
                new { name = "points", formula = "toInteger([points])" },
            },
        }).WithRecords("records", ["dob", "points"], ["31/02/2024", "x"]).RunAsync();

        var rejected = Assert.Single(result.Records("rejected").Maps);
        Assert.Equal("Column 'born': reformatDate: '31/02/2024' from column 'dob' does not match the format 'dd/MM/yyyy'.", rejected["error_message"]);
        Assert.Empty(result.Records("records").Rows);
    }

    [Fact]
    public async Task Run_FailsNamingSettingColumnAndInputColumns_WhenSourceColumnIsMissing()
    {
        var result = await Map(new object[]
        {
            new { name = "id", source = "id" },
            new { name = "Mail", source = "e-mail" },
        }).RunAsync();

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Equal("block", result.Run.FailedNodeId);
        Assert.Equal(
            "Block 'block' (Map) failed: Setting 'columns': output column 'Mail' copies source column 'e-mail', which the input does not have (reading input.csv). " +
            "Input columns: id, first name, last name, email, amount. Correct the source name or remove the column.",
            result.Run.Error);
        Assert.Empty(result.Records("records").Rows);
    }

    [Fact]
    public async Task Run_FailsNamingTheFormula_WhenItReadsAMissingColumn()
    {
        var result = await Map(new object[] { new { name = "total", formula = "[amount] * [qty]" } }).RunAsync();

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains("Setting 'columns': the formula of output column 'total' ([amount] * [qty]) reads column 'qty', which the input does not have", result.Run.Error, StringComparison.Ordinal);
        Assert.Contains("Input columns: id, first name, last name, email, amount.", result.Run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_DoesNotStart_WhenAFormulaIsNotValid()
    {
        var result = await Map(new object[] { new { name = "x", formula = "upper([email]" } }).RunAsync();

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        var issue = Assert.Single(result.Run.Issues);
        Assert.Equal("columns", issue.Setting);
    }

    [Fact]
    public void Compile_ThrowsBlockExceptionNamingSettingAndFormula_WhenAFormulaIsNotValid()
    {
        var settings = new MapSettings { Columns = [new MapColumn { Name = "total", Formula = "[a] * (" }] };

        var error = Assert.Throws<BlockException>(() => MapPlan.Compile(settings));

        Assert.Equal("columns", error.Setting);
        Assert.StartsWith("Setting 'columns': Column 'total': The formula '[a] * (' is not valid:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_ThrowsBlockException_WhenAColumnHasTwoValueKinds()
    {
        var settings = new MapSettings { Columns = [new MapColumn { Name = "x", Source = "a", Constant = "b" }] };

        var error = Assert.Throws<BlockException>(() => MapPlan.Compile(settings));

        Assert.Equal("Setting 'columns': Column 'x': give only one of source, formula or constant (it has source and constant).", error.Message);
    }

    [Theory]
    [InlineData("""{ "name": "x", "source": "id", "formula": "1" }""", "Column 'x': give only one of source, formula or constant (it has source and formula).")]
    [InlineData("""{ "name": "x", "source": "id", "formula": "1", "constant": "" }""", "Column 'x': give only one of source, formula or constant (it has source and formula and constant).")]
    [InlineData("""{ "name": "x" }""", "Column 'x': give it a source column, a formula or a constant.")]
    [InlineData("""{ "name": "x", "source": " ", "formula": "" }""", "Column 'x': give it a source column, a formula or a constant.")]
    [InlineData("""{ "name": "", "source": "id" }""", "Column 1 has no name. Give every output column a name.")]
    [InlineData("""{ "name": "x", "formula": "upper([email]" }""", "Column 'x': The formula 'upper([email]' is not valid: Parenthesis not closed at character 14.")]
    [InlineData("""{ "name": "x", "formula": "lefft([email], 2)" }""", "Column 'x': The formula 'lefft([email], 2)' is not valid: there is no function 'lefft'. Did you mean 'left'?")]
    public void Validate_ReportsColumnProblems_OnTheColumnsSetting(string column, string expected)
    {
        var issues = Validate($$"""{ "columns": [ {{column}} ] }""");

        var issue = Assert.Single(issues);
        Assert.Equal("block", issue.NodeId);
        Assert.Equal("columns", issue.Setting);
        Assert.Equal(expected, issue.Message);
    }

    [Fact]
    public void Validate_ReportsDuplicateOutputNames_IgnoringCase()
    {
        var issues = Validate("""{ "columns": [ { "name": "id", "source": "id" }, { "name": "ID", "constant": "1" } ] }""");

        Assert.Equal("Two output columns are named 'id' and 'ID'. Give each output column a different name.", Assert.Single(issues).Message);
    }

    [Fact]
    public void Validate_AsksForAColumn_WhenTheListIsEmptyAndOtherColumnsAreNotKept()
    {
        var issues = Validate("""{ "columns": [] }""");

        Assert.Equal("Add at least one output column, or turn on 'Keep other columns' to pass the input through.", Assert.Single(issues).Message);
    }

    [Fact]
    public void Validate_AcceptsValidColumns()
    {
        var issues = Validate("""
            { "columns": [ { "name": "id", "source": "id" }, { "name": "c", "constant": "" }, { "name": "f", "formula": "upper([email])" } ],
              "keepOtherColumns": true }
            """);

        Assert.Empty(issues);
    }

    [Fact]
    public void Catalog_DescribesMap_WithPortsAndDocumentedSettings()
    {
        var map = BlockHarness.Catalog.Find("map")!;

        Assert.Equal(BlockCategory.Transform, map.Category);
        Assert.Equal([("records", PortKind.Records)], map.Inputs.Select(p => (p.Name, p.Kind)));
        Assert.Equal(["records", "rejected"], map.Outputs.Select(p => p.Name));
        Assert.True(map.FindOutput("rejected")!.Rejected);
        Assert.Equal(["columns", "keepOtherColumns"], map.Settings.Select(s => s.Name));
        Assert.Equal(EditorHint.ColumnMapping, map.FindSetting("columns")!.Editor);
        Assert.False(map.FindSetting("keepOtherColumns")!.Default!.GetValue<bool>());
        Assert.All(map.Settings, s => Assert.False(string.IsNullOrWhiteSpace(s.HelpText), s.Name));
        Assert.False(string.IsNullOrWhiteSpace(map.Description));
    }

    private static List<ValidationIssue> Validate(string settings)
    {
        var harness = BlockHarness.For("map", settings).WithRecords("records", ["id"], ["1"]);
        return [.. new DataflowValidator(BlockHarness.Catalog).Validate(harness.BuildDataflow()).Where(i => i.NodeId == "block")];
    }
}
