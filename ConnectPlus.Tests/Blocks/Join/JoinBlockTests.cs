using System.Text.Json.Nodes;
using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Model;
using ConnectPlus.Engine.Runtime;
using ConnectPlus.Engine.Validation;
using ConnectPlus.Tests.Harness;

namespace ConnectPlus.Tests.Blocks.Join;

public sealed class JoinBlockTests
{
    private static readonly string[] MemberColumns = ["member_id", "name"];
    private static readonly string?[][] Members = [["1", "Ann"], ["2", "Bob"], ["3", "Cy"]];
    private static readonly string[] SlabColumns = ["member_id", "slab"];
    private static readonly string?[][] Slabs = [["1", "Gold"], ["3", "Silver"], ["4", "Bronze"]];

    [Fact]
    public async Task Run_InnerJoin_KeepsOnlyRowsWithAKeyOnBothSides()
    {
        var result = await TwoInputs(new { inputs = Keys("member_id", "member_id"), joinTypes = Of("inner") }).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(["member_id", "name", "slab"], result.Records("records").Schema!.Columns);
        Assert.Equal(["1|Ann|Gold", "3|Cy|Silver"], Lines(result));
    }

    [Fact]
    public async Task Run_LeftOuterJoin_IsTheDefault_AndKeepsEveryInput1RowInOrder()
    {
        var result = await TwoInputs(new { inputs = Keys("member_id", "member_id") }).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(["1|Ann|Gold", "2|Bob|∅", "3|Cy|Silver"], Lines(result));
    }

    [Fact]
    public async Task Run_RightOuterJoin_KeepsEveryInput2Row_WithItsKeyInInput1sKeyColumn()
    {
        var result = await TwoInputs(new { inputs = Keys("member_id", "member_id"), joinTypes = Of("rightOuter") }).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(["1|Ann|Gold", "3|Cy|Silver", "4|∅|Bronze"], Lines(result));
    }

    [Fact]
    public async Task Run_FullOuterJoin_KeepsEveryRowOfBothSides()
    {
        var result = await TwoInputs(new { inputs = Keys("member_id", "member_id"), joinTypes = Of("fullOuter") }).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(["1|Ann|Gold", "2|Bob|∅", "3|Cy|Silver", "4|∅|Bronze"], Lines(result));
        Assert.Equal(4, result.Stats.RowsOut);
        Assert.Equal(6, result.Stats.RowsIn);
    }

    [Fact]
    public async Task Run_DuplicateKeys_GiveEveryCombination_InInputOrder()
    {
        var result = await BlockHarness.For("join", new { inputs = Keys("id", "id"), joinTypes = Of("inner") })
            .WithRecords("input1", ["id", "a"], ["k", "a1"], ["x", "ax"], ["k", "a2"])
            .WithRecords("input2", ["id", "b"], ["k", "b1"], ["k", "b2"], ["k", "b3"])
            .RunAsync();

        result.AssertSucceeded();
        Assert.Equal(["k|a1|b1", "k|a1|b2", "k|a1|b3", "k|a2|b1", "k|a2|b2", "k|a2|b3"], Lines(result));
    }

    [Fact]
    public async Task Run_ThreeInputs_JoinsTheThirdToTheResultOfTheFirstTwo()
    {
        var result = await BlockHarness.For("join", new { inputs = Keys("member_id", "member_id", "id"), joinTypes = Of("leftOuter", "inner") })
            .WithRecords("input1", MemberColumns, Members)
            .WithRecords("input2", SlabColumns, Slabs)
            .WithRecords("input3", ["id", "points"], ["1", "100"], ["2", "200"], ["5", "500"])
            .RunAsync();

        result.AssertSucceeded();
        Assert.Equal(["member_id", "name", "slab", "points"], result.Records("records").Schema!.Columns);
        Assert.Equal(["1|Ann|Gold|100", "2|Bob|∅|200"], Lines(result));
    }

    [Fact]
    public async Task Run_FourInputs_CarryRightOuterRowsIntoTheLaterJoins()
    {
        var result = await FourInputs(new
        {
            inputs = Keys("member_id", "member_id", "member_id", "member_id"),
            joinTypes = Of("inner", "rightOuter", "leftOuter"),
        }).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(["member_id", "name", "slab", "points", "email"], result.Records("records").Schema!.Columns);
        Assert.Equal(["1|Ann|Gold|100|a@x", "2|∅|∅|200|∅", "5|∅|∅|500|e@x", "5|∅|∅|500|e2@x"], Lines(result));
    }

    [Fact]
    public async Task Run_FourInputs_FullOuterEverywhere_KeepsEveryRowOfEveryInput()
    {
        var result = await FourInputs(new
        {
            inputs = Keys("member_id", "member_id", "member_id", "member_id"),
            joinTypes = Of("fullOuter", "fullOuter", "fullOuter"),
        }).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(
            ["1|Ann|Gold|100|a@x", "2|Bob|∅|200|∅", "3|Cy|Silver|∅|∅", "4|∅|Bronze|∅|∅", "5|∅|∅|500|e@x", "5|∅|∅|500|e2@x", "6|∅|∅|∅|f@x"],
            Lines(result));
    }

    [Fact]
    public async Task Run_CompositeKeys_MatchOnEveryKeyColumn()
    {
        var result = await BlockHarness.For("join", new
        {
            inputs = new[] { new { keyColumns = Of("brand", "mobile") }, new { keyColumns = Of("b", "m") } },
            joinTypes = Of("inner"),
        })
            .WithRecords("input1", ["brand", "mobile", "name"], ["A", "1", "Ann"], ["A", "2", "Bob"], ["B", "1", "Cy"], ["ab", "c", "Dee"])
            .WithRecords("input2", ["b", "m", "tier"], ["A", "1", "Gold"], ["B", "2", "Silver"], ["B", "1", "Bronze"], ["a", "bc", "Never"])
            .RunAsync();

        result.AssertSucceeded();
        Assert.Equal(["brand", "mobile", "name", "tier"], result.Records("records").Schema!.Columns);
        Assert.Equal(["A|1|Ann|Gold", "B|1|Cy|Bronze"], Lines(result));
    }

    [Theory]
    [InlineData(false, new[] { "1|Ann|∅", " 2\t|Bob|∅" })]
    [InlineData(true, new[] { "1|Ann|Gold", " 2\t|Bob|Silver" })]
    public async Task Run_TrimKeys_DecidesWhetherSpacesAroundKeysMatter(bool trim, string[] expected)
    {
        var result = await BlockHarness.For("join", new { inputs = Keys("member_id", "member_id"), trimKeys = trim })
            .WithRecords("input1", MemberColumns, ["1", "Ann"], [" 2\t", "Bob"])
            .WithRecords("input2", SlabColumns, ["  1 ", "Gold"], ["2", "Silver"])
            .RunAsync();

        result.AssertSucceeded();
        Assert.Equal(expected, Lines(result));
    }

    [Theory]
    [InlineData(false, new[] { "ab1|Ann|∅", "ÉTÉ|Bob|∅" })]
    [InlineData(true, new[] { "ab1|Ann|Gold", "ÉTÉ|Bob|Silver" })]
    public async Task Run_IgnoreCase_DecidesWhetherCaseMatters(bool ignoreCase, string[] expected)
    {
        var result = await BlockHarness.For("join", new { inputs = Keys("member_id", "member_id"), ignoreCase })
            .WithRecords("input1", MemberColumns, ["ab1", "Ann"], ["ÉTÉ", "Bob"])
            .WithRecords("input2", SlabColumns, ["AB1", "Gold"], ["été", "Silver"])
            .RunAsync();

        result.AssertSucceeded();
        Assert.Equal(expected, Lines(result));
    }

    [Fact]
    public async Task Run_TrimKeysAndIgnoreCase_KeepTheValuesAsTheyCame()
    {
        var result = await BlockHarness.For("join", new { inputs = Keys("member_id", "member_id"), trimKeys = true, ignoreCase = true, keepJoinedKeys = true })
            .WithRecords("input1", MemberColumns, ["ab", "Ann"])
            .WithRecords("input2", SlabColumns, [" AB ", "Gold"])
            .RunAsync();

        result.AssertSucceeded();
        Assert.Equal(["in1_member_id", "name", "in2_member_id", "slab"], result.Records("records").Schema!.Columns);
        Assert.Equal(["ab|Ann| AB |Gold"], Lines(result));
    }

    [Fact]
    public async Task Run_EmptyKeysNoMatch_MatchNothingButOuterJoinsKeepThem()
    {
        var result = await BlockHarness.For("join", new { inputs = Keys("member_id", "member_id"), joinTypes = Of("fullOuter"), trimKeys = true })
            .WithRecords("input1", MemberColumns, ["", "Ann"], [null, "Bob"], ["1", "Cy"], ["  ", "Dee"])
            .WithRecords("input2", SlabColumns, ["", "Gold"], ["1", "Silver"])
            .RunAsync();

        result.AssertSucceeded();
        Assert.Equal(["|Ann|∅", "∅|Bob|∅", "1|Cy|Silver", "  |Dee|∅", "|∅|Gold"], Lines(result));
        Assert.Equal(0, result.Stats.Rejected);
    }

    [Fact]
    public async Task Run_EmptyKeysMatch_MatchEachOther()
    {
        var result = await BlockHarness.For("join", new { inputs = Keys("member_id", "member_id"), joinTypes = Of("inner"), emptyKeys = "match" })
            .WithRecords("input1", MemberColumns, ["", "Ann"], [null, "Bob"], ["1", "Cy"])
            .WithRecords("input2", SlabColumns, ["", "Gold"])
            .RunAsync();

        result.AssertSucceeded();
        Assert.Equal(["|Ann|Gold", "∅|Bob|Gold"], Lines(result));
    }

    [Fact]
    public async Task Run_EmptyKeysReject_RejectsTheRowsOfEveryInput_AndGoesOn()
    {
        var result = await BlockHarness.For("join", new
        {
            inputs = new[] { new { keyColumns = Of("brand", "member_id") }, new { keyColumns = Of("brand", "member_id") } },
            emptyKeys = "reject",
            trimKeys = true,
        })
            .WithRecords("input1", ["brand", "member_id", "name"], ["A", "1", "Ann"], ["A", " ", "Bob"], ["", "3", "Cy"])
            .WithRecords("input2", ["brand", "member_id", "slab"], ["A", "1", "Gold"], ["A", null, "Silver"])
            .RunAsync();

        Assert.Equal(RunOutcome.SucceededWithErrors, result.Run.Outcome);
        Assert.Equal(["A|1|Ann|Gold"], Lines(result));
        var rejected = result.Records("rejected").Maps;
        Assert.Equal(3, rejected.Count);
        Assert.All(rejected, r => Assert.Equal("JOIN_EMPTY_KEY", r["error_code"]));
        Assert.Equal(["Bob", "Cy"], rejected.Where(r => r.ContainsKey("name")).Select(r => r["name"]).Order());
        var slabReject = Assert.Single(rejected, r => r.ContainsKey("slab"));
        Assert.Equal("Silver", slabReject["slab"]);
        Assert.Contains("input2", slabReject["error_message"], StringComparison.Ordinal);
        Assert.Equal(3, result.Stats.Rejected);
    }

    [Fact]
    public async Task Run_ClashingColumnNames_GetTheirInputsPrefix()
    {
        var result = await BlockHarness.For("join", new { inputs = Keys("id", "id", "id") })
            .WithRecords("input1", ["id", "name", "city"], ["1", "Ann", "Pune"])
            .WithRecords("input2", ["id", "Name", "score"], ["1", "Anna", "7"])
            .WithRecords("input3", ["id", "score", "in1_name"], ["1", "9", "x"])
            .RunAsync();

        result.AssertSucceeded();
        Assert.Equal(["id", "in1_name", "city", "in2_Name", "in2_score", "in3_score", "in1_name_2"], result.Records("records").Schema!.Columns);
        Assert.Equal(["1|Ann|Pune|Anna|7|9|x"], Lines(result));
    }

    [Fact]
    public async Task Run_CustomPrefixes_ReplaceTheDefaults_AndAnEmptyPrefixKeepsTheName()
    {
        var result = await BlockHarness.For("join", new
        {
            inputs = new object[] { new { keyColumns = Of("id"), prefix = "" }, new { keyColumns = Of("id"), prefix = "slab_" } },
            keepJoinedKeys = true,
        })
            .WithRecords("input1", ["id", "name"], ["1", "Ann"])
            .WithRecords("input2", ["id", "name"], ["1", "Gold"])
            .RunAsync();

        result.AssertSucceeded();
        Assert.Equal(["id", "name", "slab_id", "slab_name"], result.Records("records").Schema!.Columns);
    }

    [Fact]
    public async Task Run_KeepsTheSourceOfTheInput1Row_OrOfTheFirstInputThatSuppliedTheRow()
    {
        var members = new RecordSchema(MemberColumns);
        var slabs = new RecordSchema(SlabColumns);
        var result = await BlockHarness.For("join", new { inputs = Keys("member_id", "member_id"), joinTypes = Of("fullOuter") })
            .WithRecords("input1", members, [new Record(["1", "Ann"], new SourceRef("members.csv", 2))])
            .WithRecords("input2", slabs, [new Record(["1", "Gold"], new SourceRef("slabs.csv", 5)), new Record(["9", "Silver"], new SourceRef("slabs.csv", 6))])
            .RunAsync();

        result.AssertSucceeded();
        Assert.Equal([new SourceRef("members.csv", 2), new SourceRef("slabs.csv", 6)], result.Records("records").Rows.Select(r => r.Source));
    }

    [Theory]
    [MemberData(nameof(BuildSideCases))]
    public async Task Run_BuildSideLeft_GivesTheSameRowsAsBuildSideRight(string[] joinTypes, string[] buildSides)
    {
        var settings = new { inputs = Keys("member_id", "member_id", "member_id", "member_id"), joinTypes, trimKeys = true };
        var right = await FourInputs(settings, duplicates: true).RunAsync();
        var left = await FourInputs(new { settings.inputs, settings.joinTypes, settings.trimKeys, buildSides }, duplicates: true).RunAsync();

        right.AssertSucceeded();
        left.AssertSucceeded();
        Assert.Equal(right.Records("records").Schema!.Columns, left.Records("records").Schema!.Columns);
        Assert.NotEmpty(LinesWithSource(right));
        Assert.Equal(LinesWithSource(right).Order(StringComparer.Ordinal), LinesWithSource(left).Order(StringComparer.Ordinal));
    }

    public static TheoryData<string[], string[]> BuildSideCases()
    {
        var data = new TheoryData<string[], string[]>();
        string[][] types =
        [
            ["inner", "inner", "inner"], ["leftOuter", "leftOuter", "leftOuter"], ["rightOuter", "rightOuter", "rightOuter"],
            ["fullOuter", "fullOuter", "fullOuter"], ["inner", "rightOuter", "leftOuter"], ["rightOuter", "fullOuter", "inner"],
            ["fullOuter", "inner", "rightOuter"],
        ];
        string[][] sides =
        [
            ["left", "right", "right"], ["right", "left", "right"], ["right", "right", "left"], ["left", "left", "left"], ["left", "right", "left"],
        ];
        foreach (var t in types)
        {
            foreach (var s in sides) data.Add(t, s);
        }
        return data;
    }

    [Theory]
    [InlineData("inner")]
    [InlineData("leftOuter")]
    [InlineData("rightOuter")]
    [InlineData("fullOuter")]
    public async Task Run_TwoInputsBuiltOnTheLeft_GiveTheSameRowsAsBuiltOnTheRight(string joinType)
    {
        var right = await TwoInputs(new { inputs = Keys("member_id", "member_id"), joinTypes = Of(joinType) }).RunAsync();
        var left = await TwoInputs(new { inputs = Keys("member_id", "member_id"), joinTypes = Of(joinType), buildSides = Of("left") }).RunAsync();

        Assert.Equal(Lines(right).Order(StringComparer.Ordinal), Lines(left).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Run_Fails_WhenAKeyColumnIsNotInTheInput_NamingTheColumnsThereAre()
    {
        var result = await TwoInputs(new { inputs = Keys("member_id", "memberId") }).RunAsync();

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Equal("block", result.Run.FailedNodeId);
        Assert.Contains("Key column 'memberId' of input2", result.Run.Error, StringComparison.Ordinal);
        Assert.Contains("member_id, slab", result.Run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_Fails_WhenTheStreamedInputLacksItsKeyColumn()
    {
        var result = await TwoInputs(new { inputs = Keys("id", "member_id") }).RunAsync();

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains("Key column 'id' of input1 is not among its columns: member_id, name", result.Run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_FindsKeyColumns_IgnoringCase()
    {
        var result = await TwoInputs(new { inputs = Keys("MEMBER_ID", "Member_Id"), joinTypes = Of("inner") }).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(["1|Ann|Gold", "3|Cy|Silver"], Lines(result));
    }

    [Fact]
    public async Task Run_Fails_WhenInputsHasMoreEntriesThanConnectedInputs()
    {
        var result = await TwoInputs(new { inputs = Keys("member_id", "member_id", "member_id") }).RunAsync();

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains("2 inputs are connected (input1 to input2) but Inputs has 3 entries", result.Run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_Fails_WhenInput4IsConnectedWithoutInput3()
    {
        var result = await BlockHarness.For("join", new { inputs = Keys("member_id", "member_id", "member_id", "member_id") })
            .WithRecords("input1", MemberColumns, Members)
            .WithRecords("input2", SlabColumns, Slabs)
            .WithRecords("input4", SlabColumns, Slabs)
            .RunAsync();

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains("input4 is connected but input3 is not", result.Run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_EmptyHeldInput_StillGivesEveryInput1Row()
    {
        var result = await BlockHarness.For("join", new { inputs = Keys("member_id", "member_id") })
            .WithRecords("input1", MemberColumns, Members)
            .WithRecords("input2", SlabColumns)
            .RunAsync();

        result.AssertSucceeded();
        Assert.Equal(["member_id", "name"], result.Records("records").Schema!.Columns);
        Assert.Equal(["1|Ann", "2|Bob", "3|Cy"], Lines(result));
    }

    [Fact]
    public async Task Run_EmptyStreamedInput_WithRightOuter_GivesEveryInput2Row()
    {
        var result = await BlockHarness.For("join", new { inputs = Keys("member_id", "member_id"), joinTypes = Of("rightOuter") })
            .WithRecords("input1", MemberColumns)
            .WithRecords("input2", SlabColumns, Slabs)
            .RunAsync();

        result.AssertSucceeded();
        Assert.Equal(["member_id", "slab"], result.Records("records").Schema!.Columns);
        Assert.Equal(["1|Gold", "3|Silver", "4|Bronze"], Lines(result));
    }

    [Fact]
    public async Task Run_BatchesWithOtherColumns_AreMatchedByName()
    {
        var harness = BlockHarness.For("join", new { inputs = Keys("member_id", "member_id"), joinTypes = Of("inner") })
            .WithRecords("input1", MemberColumns)
            .WithRecords("input2", SlabColumns);
        var inputs = new Dictionary<string, List<RecordBatch>>
        {
            ["input1"] = [Batch(MemberColumns, Members)],
            ["input2"] = [Batch(SlabColumns, ["1", "Gold"]), Batch(["slab", "extra", "member_id"], ["Silver", "x", "3"])],
        };

        var (run, data, log) = await RunDataflowAsync(harness, harness.BuildDataflow(), inputs);

        Assert.True(run.IsSuccess, run.Error);
        Assert.Equal(["1|Ann|Gold", "3|Cy|Silver"], Lines(data.RecordOutputs["records"]));
        Assert.Contains(log.Log, l => l.Level == RunLogLevel.Warning && l.Message.Contains("extra are left out", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_LargeInputs_SpanManyBatches_AndEveryOutputBatchKeepsTheBatchSize()
    {
        const int members = 20_000;
        const int batchSize = 128;
        var changes = Enumerable.Range(0, 15_000).SelectMany(i => i % 3 == 0 ? new[] { i, i } : [i]).ToList();
        var result = await BlockHarness.For("join", new { inputs = Keys("member_id", "member_id", "member_id"), joinTypes = Of("leftOuter", "fullOuter") })
            .WithBatchSize(batchSize)
            .WithRecords("input1", new RecordSchema(MemberColumns), Enumerable.Range(0, members).Select(i => new Record([$"M{i}", $"name {i}"], new SourceRef("m.csv", i + 2))))
            .WithRecords("input2", new RecordSchema(["member_id", "slab", "changed"]), changes.Select((m, i) => new Record([$"M{m}", $"slab {i}", "2024-01-01"], new SourceRef("s.csv", i + 2))))
            .WithRecords("input3", new RecordSchema(["member_id", "city"]), Enumerable.Range(10_000, 15_000).Select(i => new Record([$"M{i}", $"city {i}"], new SourceRef("p.csv", i + 2))))
            .RunAsync();

        result.AssertSucceeded();
        var records = result.Records("records");
        var expected = members + 5_000 + 5_000; // every member, a second row per duplicated change, profiles without a member
        Assert.Equal(expected, records.Rows.Count);
        Assert.True(records.Batches.Count >= expected / batchSize);
        Assert.All(records.Batches, b => Assert.InRange(b.Count, 1, batchSize));
        var byId = records.Maps.ToLookup(m => m["member_id"]);
        Assert.Equal(["slab 0", "slab 1"], byId["M0"].Select(m => m["slab"]));
        Assert.Equal(["slab 16002 in city 12001"], byId["M12001"].Select(m => $"{m["slab"]} in {m["city"]}"));
        Assert.Equal(["name 19999 ∅ city 19999"], byId["M19999"].Select(m => $"{m["name"]} {m["slab"] ?? "∅"} {m["city"]}"));
        Assert.Equal("city 24999", Assert.Single(byId["M24999"])["city"]);
        Assert.Null(Assert.Single(byId["M24999"])["name"]);
    }

    [Theory]
    [InlineData("input2")]
    [InlineData("input1")]
    public async Task Run_EndsWithoutHanging_WhenAnUpstreamBlockFails(string failingPort)
    {
        var fedPort = failingPort == "input1" ? "input2" : "input1";
        var harness = BlockHarness.For("join", new { inputs = Keys("id", "id") }).WithRecords(fedPort, ["id", "value"]);
        var built = harness.BuildDataflow();
        var dataflow = built with
        {
            Nodes = [.. built.Nodes, new NodeDefinition { Id = "fail", Type = "test-join-failing-records", Settings = new JsonObject { ["batchesBeforeFailure"] = 3 } }],
            Edges = [.. built.Edges, EdgeDefinition.Link("fail", "records", "block", failingPort)],
        };

        var (run, _, _) = await RunDataflowAsync(harness, dataflow, new() { [fedPort] = IdBatches(5_000, 16) });

        Assert.Equal(RunOutcome.Failed, run.Outcome);
        Assert.Equal("fail", run.FailedNodeId);
        Assert.Contains("failed on purpose", run.Error, StringComparison.Ordinal);
        Assert.Equal(BlockState.Cancelled, run.Blocks.Single(b => b.NodeId == "block").State);
    }

    [Fact]
    public async Task Run_DoesNotDeadlock_WhenOneBlockFeedsBothInputs()
    {
        var harness = BlockHarness.For("join", new { inputs = Keys("id", "id"), joinTypes = Of("inner") }).WithRecords("input1", ["id", "value"]);
        var built = harness.BuildDataflow();
        var dataflow = built with { Edges = [.. built.Edges, EdgeDefinition.Link("feed-input1", "records", "block", "input2")] };
        var batches = IdBatches(6_000, 50, distinctIds: 3_000);

        var (run, data, log) = await RunDataflowAsync(harness, dataflow, new() { ["input1"] = batches });

        Assert.True(run.IsSuccess, run.Error);
        var records = data.RecordOutputs["records"];
        Assert.Equal(12_000, records.Rows.Count); // each id is on two rows of each side: 2 × 2 combinations
        Assert.Equal(["id", "in1_value", "in2_value"], records.Schema!.Columns);
        Assert.Equal(["v3007+v3007", "v3007+v7", "v7+v3007", "v7+v7"],
            records.Maps.Where(m => m["id"] == "7").Select(m => $"{m["in1_value"]}+{m["in2_value"]}").Order(StringComparer.Ordinal));
        Assert.All(records.Rows, r => Assert.Equal("ids.csv", r.Source.File));
        Assert.Contains(log.Log, l => l.Message.Contains("read ahead into a spill file", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_ReportsEachSettingProblem_OnItsSetting()
    {
        var issues = Validate(new
        {
            inputs = new object[] { new { keyColumns = Of("a", "b") }, new { keyColumns = Array.Empty<string>() }, new { keyColumns = Of("a") }, new { keyColumns = Of("a", " ") } },
            joinTypes = Of("inner"),
            buildSides = Of("left", "right"),
        });

        Assert.Contains(issues, i => i.Setting == "inputs" && i.Message.Contains("Give at least one key column for input2", StringComparison.Ordinal));
        Assert.Contains(issues, i => i.Setting == "inputs" && i.Message.Contains("Input3 has 1 key columns but the first input with keys has 2", StringComparison.Ordinal));
        Assert.Contains(issues, i => i.Setting == "inputs" && i.Message.Contains("Input4 has a blank key column name", StringComparison.Ordinal));
        Assert.Contains(issues, i => i.Setting == "joinTypes" && i.Message.Contains("one join type per joined input (3 for 4 inputs)", StringComparison.Ordinal));
        Assert.Contains(issues, i => i.Setting == "buildSides" && i.Message.Contains("one build side per joined input (3 for 4 inputs)", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_AsksForTwoToFourInputs()
    {
        var issues = Validate(new { inputs = Keys("id") });

        var issue = Assert.Single(issues, i => i.NodeId == "block");
        Assert.Equal("inputs", issue.Setting);
        Assert.Contains("two to four", issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_RefusesAnUnknownJoinType()
    {
        var issues = Validate(new { inputs = Keys("id", "id"), joinTypes = Of("outer") });

        var issue = Assert.Single(issues, i => i.NodeId == "block");
        Assert.Equal("joinTypes", issue.Setting);
    }

    [Fact]
    public void Validate_TreatsNullListsAsMissing()
    {
        var issues = Validate("""{ "inputs": [{ "keyColumns": ["id"] }, { "keyColumns": ["id"] }], "joinTypes": null, "buildSides": null }""");

        Assert.Contains(issues, i => i.Setting == "joinTypes");
        Assert.Contains(issues, i => i.Setting == "buildSides");
        Assert.Contains(Validate("""{ "inputs": null }"""), i => i.Setting == "inputs" && i.Message.Contains("two to four", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_AcceptsGoodSettings()
    {
        var issues = Validate(new { inputs = Keys("id", "id", "id"), joinTypes = Of("inner", "fullOuter"), buildSides = Of("right", "left") });

        Assert.DoesNotContain(issues, i => i.NodeId == "block");
    }

    private static IReadOnlyList<ValidationIssue> Validate(object settings) =>
        new DataflowValidator(BlockHarness.Catalog).Validate(BlockHarness.For("join", settings)
            .WithRecords("input1", MemberColumns, Members)
            .WithRecords("input2", SlabColumns, Slabs)
            .BuildDataflow());

    /// <summary>A list of texts for settings (a helper, so test data is not a constant array argument).</summary>
    private static string[] Of(params string[] values) => values;

    private static object[] Keys(params string[] keyColumnPerInput) =>
        [.. keyColumnPerInput.Select(k => new { keyColumns = new[] { k } })];

    private static BlockHarness TwoInputs(object settings) =>
        BlockHarness.For("join", settings)
            .WithRecords("input1", MemberColumns, Members)
            .WithRecords("input2", SlabColumns, Slabs);

    private static BlockHarness FourInputs(object settings, bool duplicates = false)
    {
        string?[][] members = duplicates ? [.. Members, ["3", "Cy again"], [" ", "Blank"], ["7", "Zed"]] : Members;
        string?[][] slabs = duplicates ? [.. Slabs, ["4", "Bronze 2"], ["", "Blank slab"], ["7 ", "Seven"]] : Slabs;
        return BlockHarness.For("join", settings)
            .WithRecords("input1", MemberColumns, members)
            .WithRecords("input2", SlabColumns, slabs)
            .WithRecords("input3", ["member_id", "points"], ["1", "100"], ["2", "200"], ["5", "500"])
            .WithRecords("input4", ["member_id", "email"], ["1", "a@x"], ["5", "e@x"], ["5", "e2@x"], ["6", "f@x"]);
    }

    private static List<string> Lines(HarnessResult result) => Lines(result.Records("records"));

    private static List<string> Lines(CollectedRecords records) =>
        [.. records.Rows.Select(r => string.Join("|", r.Values.Select(v => v ?? "∅")))];

    private static List<string> LinesWithSource(HarnessResult result) =>
        [.. result.Records("records").Rows.Select(r => string.Join("|", r.Values.Select(v => v ?? "∅")) + " @ " + r.Source)];

    private static RecordBatch Batch(string[] columns, params string?[][] rows) =>
        new(new RecordSchema(columns), [.. rows.Select((r, i) => new Record(r, new SourceRef("input.csv", i + 2)))]);

    private static List<RecordBatch> IdBatches(int rows, int batchSize, int? distinctIds = null) =>
        [.. Enumerable.Range(0, rows).Chunk(batchSize).Select(chunk => new RecordBatch(new RecordSchema(["id", "value"]),
            [.. chunk.Select(i => new Record([$"{i % (distinctIds ?? rows)}", $"v{i}"], new SourceRef("ids.csv", i + 2)))]))];

    /// <summary>
    /// Runs a dataflow made from a harness's (with other blocks or links added), feeding the given batches
    /// to its feed nodes, and fails the test when the run does not end within 30 seconds (a deadlock).
    /// </summary>
    private static async Task<(RunResult Run, HarnessData Data, RecordingObserver Log)> RunDataflowAsync(
        BlockHarness harness, DataflowDefinition dataflow, Dictionary<string, List<RecordBatch>> inputs)
    {
        var data = new HarnessData(Path.Combine(harness.Folder, "collected"));
        foreach (var (port, batches) in inputs) data.RecordInputs[port] = batches;
        var log = new RecordingObserver();
        var options = new RunOptions
        {
            WorkRoot = Path.Combine(harness.Folder, "work"),
            OutputFolder = Path.Combine(harness.Folder, "runs"),
            BatchSize = 16,
            Services = data,
        };
        var run = new DataflowRunner(BlockHarness.Catalog).RunAsync(dataflow, options, log);
        var finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(30)));
        Assert.True(finished == run, "The run did not end within 30 seconds (deadlock?).");
        return (await run, data, log);
    }
}
