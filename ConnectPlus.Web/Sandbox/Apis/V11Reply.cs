namespace ConnectPlus.Web.Sandbox.Apis;

/// <summary>One v1.1 item's answer and its outcome for the request log.</summary>
internal sealed record V11ItemResult(object Item, SandboxItemOutcome Outcome);

/// <summary>
/// The v1.1 answer: <c>{"response":{"status":{success,code,message},"&lt;list&gt;":{"&lt;item&gt;":[…]}}}</c>.
/// HTTP status and <c>status.code</c> agree: 200 all items succeeded, 201 some failed, 500 all failed.
/// </summary>
internal static class V11Reply
{
    public static SandboxReply From(string listName, string itemName, IReadOnlyList<V11ItemResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var succeeded = results.Count(r => r.Outcome.Success);
        var (status, message) = succeeded == results.Count ? (200, "Success")
            : succeeded == 0 ? (500, "All requests have failed due to errors")
            : (201, "Some requests have failed due to errors");
        var response = new Dictionary<string, object>
        {
            ["status"] = SandboxReplies.V11Status(status == 200, status, message),
            [listName] = new Dictionary<string, object> { [itemName] = results.Select(r => r.Item).ToList() },
        };
        return new SandboxReply(status, new { response }, [.. results.Select(r => r.Outcome)]);
    }

    public static object ItemStatus(SandboxCode code, bool success) => SandboxReplies.V11Status(success, code.Code, code.Message);

    public static SandboxItemOutcome Outcome(int index, string? key, SandboxCode code, bool success) =>
        new(index, key, code.Code, code.Message, success);

    /// <summary><c>root.&lt;name&gt;</c> as a list (one object stands for a one-element list), or null when absent.</summary>
    public static IReadOnlyList<System.Text.Json.JsonElement>? Items(SandboxCall call, string name)
    {
        ArgumentNullException.ThrowIfNull(call);
        var items = call.Body.Child("root")?.Child(name).Many();
        return items is { Count: > 0 } ? items : null;
    }
}
