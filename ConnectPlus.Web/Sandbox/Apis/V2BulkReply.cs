namespace ConnectPlus.Web.Sandbox.Apis;

/// <summary>What became of one item of a v2 request.</summary>
internal sealed record V2ItemResult(string? Key, long? EntityId, object? Result, IReadOnlyList<SandboxCode> Errors, IReadOnlyList<SandboxCode> Warnings, SandboxCode Success)
{
    public static V2ItemResult Failed(string? key, IReadOnlyList<SandboxCode> errors) => new(key, null, null, errors, [], default);

    public bool Succeeded => Errors.Count == 0;

    public SandboxItemOutcome Outcome(int index)
    {
        var code = Succeeded ? Success : Errors[0];
        return new SandboxItemOutcome(index, Key, code.Code, code.Message, Succeeded);
    }
}

/// <summary>
/// The v2 bulk answer: <c>{"response":[{entityId,result,errors,warnings}],"totalCount","failureCount"}</c>,
/// one element per item in order; HTTP 200 when every item succeeded, 201 when one or more failed.
/// </summary>
internal static class V2BulkReply
{
    public static SandboxReply From(IReadOnlyList<V2ItemResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var failures = results.Count(r => !r.Succeeded);
        var body = new
        {
            response = results.Select(r => new
            {
                entityId = r.EntityId,
                result = r.Result,
                errors = r.Errors.Select(SandboxReplies.Error).ToList(),
                warnings = r.Warnings.Select(SandboxReplies.Error).ToList(),
            }).ToList(),
            totalCount = results.Count,
            failureCount = failures,
        };
        return new SandboxReply(failures == 0 ? 200 : 201, body, [.. results.Select((r, i) => r.Outcome(i))]);
    }

    /// <summary>Every item refused with the same code (batch limit): nothing is recorded.</summary>
    public static SandboxReply AllFailed(IReadOnlyList<string?> keys, SandboxCode code)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return From([.. keys.Select(k => V2ItemResult.Failed(k, [code]))]);
    }
}
