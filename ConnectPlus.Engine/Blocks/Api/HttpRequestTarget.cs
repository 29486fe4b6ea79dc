using System.Buffers;
using System.Globalization;
using ConnectPlus.Engine.Connectors;

namespace ConnectPlus.Engine.Blocks.Api;

/// <summary>
/// Any REST endpoint: each request carries one item, or a JSON array of items; the answer's status
/// decides for all of them (2xx: succeeded, with the status as api_code and the answer's start as api_message).
/// </summary>
internal sealed class HttpRequestTarget(HttpMethod method, string url, bool array, int batchSize) : IApiTarget
{
    public int MaxItemsPerRequest => array ? batchSize : 1;
    public HttpMethod Method => method;
    public string Url => url;

    public void WriteBody(ApiBatch batch, IBufferWriter<byte> body)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(body);
        if (!array)
        {
            body.Write(batch.Items[0].Json);
            return;
        }
        body.Write("["u8);
        for (var i = 0; i < batch.Items.Count; i++)
        {
            if (i > 0) body.Write(","u8);
            body.Write(batch.Items[i].Json);
        }
        body.Write("]"u8);
    }

    public IReadOnlyList<ItemResult>? ReadResults(ApiResponse response, ApiBatch batch)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(batch);
        if (response.Status is < 200 or > 299) return null;
        var result = ItemResult.Success(response.Status.ToString(CultureInfo.InvariantCulture), response.Body.Length == 0 ? null : response.Excerpt(500));
        return [.. Enumerable.Repeat(result, batch.Items.Count)];
    }
}
