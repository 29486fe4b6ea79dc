using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ConnectPlus.Bench.Cli;

namespace ConnectPlus.Bench.Host;

/// <summary>
/// Verbs that drive a running Connect+ web host through its REST API (<c>/api/v1</c>, key in <c>X-Api-Key</c>), so that a
/// benchmark measures runs the way the product makes them: in a long-running host whose code is already compiled.
/// <c>host-setup</c> creates the connections of a connections file and imports and publishes a dataflow;
/// <c>host-run</c> triggers a run of it and waits for its end.
/// </summary>
internal static class HostCommand
{
    public const string SetupUsage = "host-setup --url HOST --key API_KEY --flow FILE [--connections FILE] [--set node.setting=value ...] [--name NAME]";
    public const string RunUsage = "host-run --url HOST --key API_KEY --dataflow ID [--report FILE] [--timeout 1800]";

    private static readonly JsonDocumentOptions Lenient = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>Creates (or updates) every connection of the file, imports the dataflow with the overrides and publishes it; prints its id.</summary>
    public static async Task<int> SetupAsync(IReadOnlyList<string> args, TextWriter output, CancellationToken ct)
    {
        var arguments = Arguments.Parse(args, "url", "key", "flow", "connections", "set", "name");
        using var http = Client(arguments);
        if (arguments.OptionalText("connections") is { } connectionsFile)
        {
            var file = JsonNode.Parse(await File.ReadAllTextAsync(connectionsFile, ct).ConfigureAwait(false), documentOptions: Lenient)
                ?? throw new UsageException($"{connectionsFile} is empty.");
            foreach (var connection in file["connections"]?.AsArray() ?? [])
            {
                var name = connection?["name"]?.GetValue<string>() ?? throw new UsageException($"{connectionsFile}: a connection has no name.");
                var body = new JsonObject { ["name"] = name, ["type"] = connection["type"]?.DeepClone(), ["settings"] = connection["settings"]?.DeepClone() };
                using var created = await SendAsync(http, HttpMethod.Post, "connections", body, ct).ConfigureAwait(false);
                if (created.StatusCode == HttpStatusCode.Conflict)
                {
                    using var updated = await SendAsync(http, HttpMethod.Put, "connections/" + Uri.EscapeDataString(name), body, ct).ConfigureAwait(false);
                    await EnsureAsync(updated, $"updating connection '{name}'", ct).ConfigureAwait(false);
                }
                else
                {
                    await EnsureAsync(created, $"creating connection '{name}'", ct).ConfigureAwait(false);
                }
            }
        }

        var flowFile = arguments.Text("flow");
        var flow = JsonNode.Parse(await File.ReadAllTextAsync(flowFile, ct).ConfigureAwait(false), documentOptions: Lenient)?.AsObject()
            ?? throw new UsageException($"{flowFile} is not a dataflow definition.");
        foreach (var assignment in arguments.All("set")) Override(flow, assignment);
        if (arguments.OptionalText("name") is { } newName) flow["name"] = newName;
        var query = "dataflows/import?publish=true";
        using var imported = await SendAsync(http, HttpMethod.Post, query, flow, ct).ConfigureAwait(false);
        var answer = await EnsureAsync(imported, $"importing {flowFile}", ct).ConfigureAwait(false);
        var id = answer["saved"]?["dataflowId"]?.GetValue<int>()
            ?? throw new InvalidOperationException($"The import answer names no dataflow: {answer.ToJsonString()}");
        output.WriteLine(id.ToString(CultureInfo.InvariantCulture));
        return 0;
    }

    /// <summary>Triggers a run of the dataflow's published version, waits for its end and prints its figures.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, CancellationToken ct)
    {
        var arguments = Arguments.Parse(args, "url", "key", "dataflow", "report", "timeout");
        var dataflow = arguments.Number("dataflow", fallback: null, min: 1, max: int.MaxValue);
        var timeout = TimeSpan.FromSeconds(arguments.Number("timeout", fallback: 1800, min: 1, max: 86_400));
        using var http = Client(arguments);
        using var triggered = await SendAsync(http, HttpMethod.Post, $"dataflows/{dataflow}/runs", null, ct).ConfigureAwait(false);
        var accepted = await EnsureAsync(triggered, $"triggering a run of dataflow {dataflow}", ct).ConfigureAwait(false);
        var runId = accepted["runId"]?.GetValue<long>() ?? throw new InvalidOperationException($"The trigger answer names no run: {accepted.ToJsonString()}");
        var clock = Stopwatch.StartNew();
        JsonNode details;
        while (true)
        {
            // A poll costs the host well under a millisecond; four a second keep the wait after the end short.
            await Task.Delay(250, ct).ConfigureAwait(false);
            using var polled = await SendAsync(http, HttpMethod.Get, $"runs/{runId}", null, ct).ConfigureAwait(false);
            details = await EnsureAsync(polled, $"reading run {runId}", ct).ConfigureAwait(false);
            var status = details["run"]?["status"]?.GetValue<string>();
            if (status is not ("Queued" or "Running")) break;
            if (clock.Elapsed > timeout) throw new TimeoutException($"Run {runId} did not end within {timeout.TotalSeconds:N0} s.");
        }

        var run = details["run"]!;
        var finalStatus = run["status"]!.GetValue<string>();
        var seconds = details["durationSeconds"]?.GetValue<double>() ?? 0;
        var rowsRead = run["rowsRead"]?.GetValue<long>() ?? 0;
        output.WriteLine($"host-run: run {runId} {finalStatus} in {seconds.ToString("F2", CultureInfo.InvariantCulture)} s; rows read {Report.Count(rowsRead)}, " +
            $"written {Report.Count(run["rowsWritten"]?.GetValue<long>() ?? 0)}, rejected {Report.Count(run["rowsRejected"]?.GetValue<long>() ?? 0)}");
        foreach (var block in details["blocks"]?.AsArray() ?? [])
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {block?["nodeId"],-12} {block?["blockType"],-24} in {block?["rowsIn"],10} out {block?["rowsOut"],10} rejected {block?["rejected"],8} {block?["durationMilliseconds"]} ms"));
        }
        if (details["error"]?.GetValue<string>() is { } error) output.WriteLine($"  error: {error}");
        if (arguments.OptionalText("report") is { } report)
        {
            Report.WriteKeyValues(report,
            [
                ("run", runId),
                ("status", finalStatus),
                ("seconds", seconds.ToString("F3", CultureInfo.InvariantCulture)),
                ("rows_read", rowsRead),
            ]);
        }
        return finalStatus == "Succeeded" ? 0 : 1;
    }

    private static HttpClient Client(Arguments arguments)
    {
        var http = new HttpClient { BaseAddress = new Uri(arguments.Text("url").TrimEnd('/') + "/api/v1/"), Timeout = TimeSpan.FromMinutes(5) };
        http.DefaultRequestHeaders.Add("X-Api-Key", arguments.Text("key"));
        return http;
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, JsonNode? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        return await http.SendAsync(request, ct).ConfigureAwait(false);
    }

    /// <summary>The answer's JSON when the status says success; otherwise an error with the problem the host gave.</summary>
    private static async Task<JsonNode> EnsureAsync(HttpResponseMessage response, string what, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"{what}: the host answered {(int)response.StatusCode} {response.ReasonPhrase}: {text}");
        return JsonNode.Parse(text) ?? new JsonObject();
    }

    /// <summary><c>node.setting=value</c>: a whole number or true/false becomes that JSON value, anything else a string.</summary>
    private static void Override(JsonObject flow, string assignment)
    {
        var equals = assignment.IndexOf('=', StringComparison.Ordinal);
        var dot = assignment.IndexOf('.', StringComparison.Ordinal);
        if (equals < 0 || dot < 0 || dot > equals) throw new UsageException($"--set {assignment}: write node.setting=value.");
        var (nodeId, setting, value) = (assignment[..dot], assignment[(dot + 1)..equals], assignment[(equals + 1)..]);
        var node = flow["nodes"]?.AsArray().FirstOrDefault(n => n?["id"]?.GetValue<string>() == nodeId)
            ?? throw new UsageException($"--set {assignment}: the dataflow has no node '{nodeId}'.");
        var settings = node["settings"] as JsonObject ?? (JsonObject)(node["settings"] = new JsonObject());
        settings[setting] = long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) ? JsonValue.Create(number)
            : bool.TryParse(value, out var flag) ? JsonValue.Create(flag)
            : JsonValue.Create(value);
    }
}
