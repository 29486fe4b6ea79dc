using ConnectPlus.Engine.Data;

namespace ConnectPlus.Engine.Blocks.Api;

/// <summary>One item to send: the input row it stands for (a payload record, or a plain row) and its JSON.</summary>
internal sealed record ApiItem(RecordSchema Schema, Record Row, byte[] Json);

/// <summary>
/// The items of one request: the <see cref="Index"/>-th batch of the items that came from
/// <see cref="Source"/>, with the fingerprint that names it in checkpoints.
/// </summary>
internal sealed class ApiBatch(string source, long index, ApiItem[] items, string digest)
{
    public string Source { get; } = source;
    public long Index { get; } = index;
    public IReadOnlyList<ApiItem> Items => items;

    /// <summary>The fingerprint recorded in checkpoints (the current form, see <see cref="ApiDelivery.BatchCutter"/>).</summary>
    public string Digest { get; } = digest;

    /// <summary>
    /// The fingerprint as versions before the XXH3 digests computed it (chained SHA-256), or null: set only
    /// for files whose checkpoints an older version wrote, so their acknowledged batches are still recognised.
    /// </summary>
    public string? LegacyDigest { get; init; }

    /// <summary>An earlier run started delivering this batch's file and did not finish it: the batch may have reached the server.</summary>
    public bool Resumed { get; init; }

    /// <summary>Whether a checkpoint's digest names this batch's items (in either form).</summary>
    public bool Matches(string digest) => digest == Digest || (LegacyDigest is not null && digest == LegacyDigest);

    /// <summary>The same batch (sharing its items), marked <see cref="Resumed"/>.</summary>
    public ApiBatch AsResumed() => new(Source, Index, items, Digest) { LegacyDigest = LegacyDigest, Resumed = true };

    /// <summary>"batch 3 of orders.csv" (1-based for people).</summary>
    public override string ToString() => $"batch {Index + 1} of {(Source.Length == 0 ? "the input" : Source)}";
}

/// <summary>What became of one item.</summary>
internal enum ItemOutcome
{
    /// <summary>The server took it.</summary>
    Succeeded,

    /// <summary>The server had it already (a duplicate answer to a batch that was sent before).</summary>
    AlreadyDelivered,

    /// <summary>The server refused it, or the request failed for good.</summary>
    Rejected,
}

/// <summary>One item's result as the API answered it (codes and messages are the server's own).</summary>
internal readonly record struct ItemResult(ItemOutcome Outcome, string? Code, string? Message, string? EntityId = null, string? Points = null)
{
    public static ItemResult Success(string? code = null, string? message = null, string? entityId = null, string? points = null) =>
        new(ItemOutcome.Succeeded, code, message, entityId, points);

    public static ItemResult Rejected(string? code, string? message) => new(ItemOutcome.Rejected, code, message);
}

/// <summary>A batch and its items' results, in the batch's order; <see cref="Acknowledged"/> when the server answered for its items.</summary>
internal sealed record BatchOutcome(ApiBatch Batch, IReadOnlyList<ItemResult> Results, bool Acknowledged, int Attempts);
