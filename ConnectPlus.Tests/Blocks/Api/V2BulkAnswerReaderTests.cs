using System.Text;
using System.Text.Json;
using ConnectPlus.Engine.Blocks.Api;

namespace ConnectPlus.Tests.Blocks.Api;

/// <summary>The one-pass reading of v2 bulk answers gives what reading them as a document gives.</summary>
public sealed class V2BulkAnswerReaderTests
{
    [Theory]
    [InlineData("""{"response":[{"entityId":360744866,"result":{"id":1,"customer":{"id":9},"sideEffects":[{"type":"points","awardedPoints":480}]},"errors":[],"warnings":[]}],"totalCount":1,"failureCount":0}""", 1)]
    [InlineData("""{"response":[{"entityId":null,"result":null,"errors":[{"status":false,"code":8015,"message":"Customer not found"},{"code":"621","message":"Billing date out of range"}],"warnings":[]}]}""", 1)]
    [InlineData("""{"response":[{"entityId":"E-1","warnings":[{"code":91016,"message":"Invalid extended field"},{"code":1,"message":null}]}]}""", 1)]
    [InlineData("""{"response":[{"entityId":7,"sideEffects":{"type":"POINTS","awardedPoints":"12.5"}},{"entityId":8,"result":{"sideEffects":[]},"sideEffects":[{"type":"points","awardedPoints":3},{"type":"coupon"},{"type":"points","awardedPoints":2}]}]}""", 2)]
    [InlineData("""{"response":[{"entityId":true,"result":{"sideEffects":[{"type":"points","awardedPoints":"x"},5,{"awardedPoints":9}]},"errors":"none","warnings":{"code":1}}]}""", 1)]
    [InlineData("""{"totalCount":2,"response":[{"entityId":1},{"entityId":2}],"failureCount":0}""", 2)]
    [InlineData("""{"response":[{"entityId":1}]}""", 2)]
    [InlineData("""{"response":{"entityId":1}}""", 1)]
    [InlineData("""{"errors":[{"code":500,"message":"Internal error"}]}""", 1)]
    [InlineData("""[{"entityId":1}]""", 1)]
    [InlineData(""" {"response":[{"entityId":1,"errors":[{"code":604,"message":"Duplicate bill \"B-1\" \u00e9"}]}]} """, 1)]
    public void TryRead_GivesTheDocumentsResults(string answer, int count)
    {
        var body = Encoding.UTF8.GetBytes(answer);

        var read = V2BulkAnswerReader.TryRead(body, count, out var results);

        using var document = JsonDocument.Parse(body);
        var expected = CapillaryTarget.V2Bulk(document.RootElement, count);
        Assert.True(read);
        Assert.Equal(expected, results);
    }

    [Theory]
    [InlineData("""{"response":[{"entityId":1},"not an object"]}""")]
    [InlineData("""{"response":[{"entityId":1,"entityId":2},{"entityId":3}]}""")]
    [InlineData("""{"response":[{"entityId":1},{"entityId":3}],"response":[]}""")]
    [InlineData("""{"response":[{"result":{"sideEffects":[{"type":"points","type":"coupon","awardedPoints":1}]}},{}]}""")]
    public void TryRead_LeavesUnusualAnswersToTheDocument(string answer)
    {
        Assert.False(V2BulkAnswerReader.TryRead(Encoding.UTF8.GetBytes(answer), 2, out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("<html>Bad gateway</html>")]
    [InlineData("""{"response":[{"entityId":1}]} trailing""")]
    [InlineData("""{"response":[{"entityId":1}""")]
    public void TryRead_Throws_WhenTheAnswerIsNotJson(string answer)
    {
        Assert.ThrowsAny<JsonException>(() => V2BulkAnswerReader.TryRead(Encoding.UTF8.GetBytes(answer), 1, out _));
    }

    [Fact]
    public void ReadResults_ReadsAnUnusualAnswerAsADocument()
    {
        var target = CapillaryTarget.For(CapillaryEndpoint.V2TransactionsBulk);
        var batch = new ApiBatch("bills.csv", 0, [Item(), Item()], "d");
        var response = new ConnectPlus.Engine.Connectors.ApiResponse(201, """{"response":[{"entityId":5},"refused"]}"""u8.ToArray());

        var results = target.ReadResults(response, batch);

        Assert.NotNull(results);
        Assert.Equal(ItemResult.Success(entityId: "5"), results[0]);
        Assert.Equal(("ANSWER_UNREADABLE", ItemOutcome.Rejected), (results[1].Code, results[1].Outcome));
        Assert.Contains("\"refused\"", results[1].Message, StringComparison.Ordinal);
    }

    private static ApiItem Item() => new(ConnectPlus.Engine.Blocks.Api.PayloadRecord.Schema, new([null, "{}", null], default), "{}"u8.ToArray());
}
