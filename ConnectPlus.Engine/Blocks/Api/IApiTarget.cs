using System.Buffers;
using ConnectPlus.Engine.Connectors;

namespace ConnectPlus.Engine.Blocks.Api;

/// <summary>What an API sink sends to and how it reads the answers: the endpoint's side of <see cref="ApiDelivery"/>.</summary>
internal interface IApiTarget
{
    /// <summary>Most items one request may carry (1 for single-item endpoints).</summary>
    int MaxItemsPerRequest { get; }

    /// <summary>The request's method.</summary>
    HttpMethod Method { get; }

    /// <summary>The request's URL, relative to the connection or absolute.</summary>
    string Url { get; }

    /// <summary>Writes the request body of a batch (an array, a wrapper object, or the one item).</summary>
    void WriteBody(ApiBatch batch, IBufferWriter<byte> body);

    /// <summary>
    /// The items' results when the answer carries them (whatever the status: an API may answer 201 or
    /// 500 with per-item results); null when it does not (a gateway error, a refusal of the whole request).
    /// </summary>
    IReadOnlyList<ItemResult>? ReadResults(ApiResponse response, ApiBatch batch);
}
