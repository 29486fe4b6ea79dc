using System.Text;
using System.Text.Json;
using ConnectPlus.Engine.Blocks.Api;
using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Expressions;
using ConnectPlus.Engine.Model;
using static ConnectPlus.Tests.Blocks.Api.PayloadTestData;

namespace ConnectPlus.Tests.Blocks.Api;

/// <summary>
/// Constant fields written as bytes made once per plan (<see cref="PayloadWritePart.ConstantProperty"/>) against the
/// general path that writes their value in every item.
/// </summary>
public sealed class PayloadConstantFastPathTests
{
    [Fact]
    public void Build_WritesConstantsAsTheGeneralPathDoes_ForEveryKindOfConstant()
    {
        PayloadMapping[] mapping =
        [
            Map("identifierType", constant: "mobile"),
            Map("identifierValue", "mobile"),
            Map("source", constant: "INSTORE"),
            Map("type", constant: "REGULAR"),
            Map("billNumber", "bill"),
            // A date constant (kept as a packed v2 date), numbers written as text, text that needs escaping, blank text.
            Map("billingDate", constant: "2025-04-11 11:00:00"),
            Map("billAmount", constant: "0100.50"),
            Map("grossAmount", constant: "250.5"),
            Map("currencyCode", constant: "IN\"R é\\"),
            Map("note", constant: "  "),
            Map("lineItemsV2[].itemCode", "sku"),
            Map("lineItemsV2[].description", constant: "line\tone <b>नमस्ते</b>"),
            Map("lineItemsV2[].qty", constant: "2"),
            Map("lineItemsV2[].rate", constant: "-0.0"),
            Map("lineItemsV2[].value", constant: "1e3"),
        ];
        var settings = JsonSerializer.Deserialize<BuildApiPayloadSettings>(
            JsonSerializer.Serialize(new { endpoint = "v2TransactionsBulk", groupBy = Of("bill"), timeZone = "Australia/Lord_Howe", mapping }, DataflowJson.Options),
            DataflowJson.Options)!;
        var fast = PayloadPlan.Compile(settings);
        var general = PayloadPlan.Compile(settings);
        Assert.Equal(12, ClearConstants(general.WriteParts));
        var schema = new RecordSchema(["bill", "mobile", "sku"]);
        var random = new Random(11);
        using var fastBuilder = new PayloadItemBuilder(fast, PayloadRowErrors.RejectItem);
        using var generalBuilder = new PayloadItemBuilder(general, PayloadRowErrors.RejectItem);
        var fastBinding = PayloadBinding.For(fast, schema, new FormulaEnvironment(), "bills.csv");
        var generalBinding = PayloadBinding.For(general, schema, new FormulaEnvironment(), "bills.csv");
        var rejects = new List<PayloadReject>();
        for (var b = 0; b < 200; b++)
        {
            var rows = new List<Record>();
            for (var l = random.Next(1, 4); l > 0; l--)
                rows.Add(new Record([$"B{b}", $"9198{b:D8}", random.Next(5) == 0 ? $"SKU-é{l}" : $"SKU{l}"], new SourceRef("bills.csv", rows.Count + 2)));

            Assert.True(fastBuilder.TryBuild(fastBinding, rows, $"B{b}", rejects, withText: false, out var fastItem));
            Assert.True(generalBuilder.TryBuild(generalBinding, rows, $"B{b}", rejects, withText: false, out var generalItem));

            Assert.Empty(rejects);
            var expected = Encoding.UTF8.GetString(((PayloadItem)generalItem.Attachment!).Json);
            Assert.Equal(expected, Encoding.UTF8.GetString(((PayloadItem)fastItem.Attachment!).Json));
            Assert.Contains("\"billingDate\":\"2025-04-11T11:00:00+10:30\"", expected, StringComparison.Ordinal);
        }
    }

    /// <summary>Takes the constants' bytes off the parts (so that the builder writes their values); gives how many there were.</summary>
    private static int ClearConstants(PayloadWritePart[] parts)
    {
        var cleared = 0;
        foreach (var part in parts)
        {
            if (part.ConstantProperty is not null) cleared++;
            part.ConstantProperty = null;
            cleared += ClearConstants(part.Children);
        }
        return cleared;
    }
}
