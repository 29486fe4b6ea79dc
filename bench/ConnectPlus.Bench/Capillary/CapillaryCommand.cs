using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ConnectPlus.Bench.Cli;
using ConnectPlus.Bench.Workload;
using CsvHelper;

namespace ConnectPlus.Bench.Capillary;

/// <summary>
/// Verbs around the Capillary sink benchmark (bench/capillary-sink.sh), talking to a Capillary API
/// (the app's sandbox) with nothing but HttpClient: <c>capillary-members</c> registers the members a
/// transactions file names; <c>capillary-post</c> is the plain loop the sink is compared with.
/// </summary>
internal static class CapillaryCommand
{
    public const string MembersUsage = "capillary-members --url BASE --members N [--parallel 4]";
    public const string PostUsage = "capillary-post --url BASE --payloads FILE [--batch 100] [--parallel 4] [--key sandbox-key] [--secret sandbox-secret] [--report FILE]";

    /// <summary>Registers members 0..N-1 (their mobiles, as <see cref="MemberIdentity"/> gives them) with v1.1/customer/add, 100 per request.</summary>
    public static async Task<int> MembersAsync(IReadOnlyList<string> args, TextWriter output, CancellationToken ct)
    {
        var arguments = Arguments.Parse(args, "url", "members", "parallel");
        var url = arguments.Text("url").TrimEnd('/');
        var members = arguments.Number("members", fallback: null, min: 1, max: MemberIdentity.MaxMembers);
        var parallel = (int)arguments.Number("parallel", fallback: 4, min: 1, max: 64);
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        var till = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("store.server:" + Md5Hex("server123")));
        var batches = Enumerable.Range(0, (int)((members + 99) / 100));
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = ct }, async (batch, token) =>
        {
            var customers = new StringBuilder("{\"root\":{\"customer\":[");
            for (long m = batch * 100L; m < Math.Min(members, (batch + 1) * 100L); m++)
            {
                if (m > batch * 100L) customers.Append(',');
                customers.Append(CultureInfo.InvariantCulture, $"{{\"mobile\":\"{MemberIdentity.Mobile(m)}\",\"firstname\":\"Member\",\"lastname\":\"{m}\"}}");
            }
            customers.Append("]}}");
            using var request = new HttpRequestMessage(HttpMethod.Post, url + "/v1.1/customer/add?format=json") { Content = new StringContent(customers.ToString(), Encoding.UTF8, "application/json") };
            request.Headers.TryAddWithoutValidation("Authorization", till);
            using var response = await http.SendAsync(request, token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                throw new InvalidOperationException($"customer/add answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(token).ConfigureAwait(false)}");
        }).ConfigureAwait(false);
        output.WriteLine($"capillary-members: {Report.Count(members)} members registered in {Report.Seconds(clock.Elapsed)}");
        return 0;
    }

    /// <summary>
    /// The plain loop: reads the items of a CSV's <c>payload</c> column, builds every v2 bulk body of
    /// <c>--batch</c> items first, then times posting them with <c>--parallel</c> requests in flight.
    /// </summary>
    public static async Task<int> PostAsync(IReadOnlyList<string> args, TextWriter output, CancellationToken ct)
    {
        var arguments = Arguments.Parse(args, "url", "payloads", "batch", "parallel", "key", "secret", "report");
        var url = arguments.Text("url").TrimEnd('/');
        var batch = (int)arguments.Number("batch", fallback: 100, min: 1, max: 1000);
        var parallel = (int)arguments.Number("parallel", fallback: 4, min: 1, max: 64);
        var bodies = ReadBodies(arguments.Text("payloads"), batch, out var items);
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        var token = await TokenAsync(http, url, arguments.OptionalText("key") ?? "sandbox-key", arguments.OptionalText("secret") ?? "sandbox-secret", ct).ConfigureAwait(false);

        long ok = 0, partial = 0, other = 0;
        var cpu = Environment.CpuUsage.TotalTime;
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(bodies, new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = ct }, async (body, cancel) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url + "/v2/transactions/bulk") { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.TryAddWithoutValidation("X-CAP-API-OAUTH-TOKEN", token);
            using var response = await http.SendAsync(request, cancel).ConfigureAwait(false);
            await response.Content.ReadAsByteArrayAsync(cancel).ConfigureAwait(false);
            switch ((int)response.StatusCode)
            {
                case 200: Interlocked.Increment(ref ok); break;
                case 201: Interlocked.Increment(ref partial); break;
                default: Interlocked.Increment(ref other); break;
            }
        }).ConfigureAwait(false);
        var elapsed = clock.Elapsed;
        cpu = Environment.CpuUsage.TotalTime - cpu;

        var rate = items / Math.Max(elapsed.TotalSeconds, 1e-9);
        output.WriteLine($"capillary-post: {Report.Count(items)} bills in {Report.Count(bodies.Count)} requests of {batch}, {parallel} in flight: " +
            $"{Report.Seconds(elapsed)}, {Report.Rate(rate)} bills/s, client CPU {Report.Seconds(cpu)} (HTTP 200: {ok}, 201: {partial}, other: {other})");
        if (arguments.OptionalText("report") is { } report)
        {
            Report.WriteKeyValues(report,
            [
                ("bills", items),
                ("seconds", elapsed.TotalSeconds.ToString("F3", CultureInfo.InvariantCulture)),
                ("bills_per_second", rate.ToString("F0", CultureInfo.InvariantCulture)),
                ("cpu_seconds", cpu.TotalSeconds.ToString("F3", CultureInfo.InvariantCulture)),
                ("other_statuses", other),
            ]);
        }
        return other == 0 ? 0 : 1;
    }

    private static List<byte[]> ReadBodies(string path, int batch, out long items)
    {
        using var stream = File.OpenRead(path);
        using var csv = CsvReader.Create(stream, CsvReaderOptions.Default with { Separator = ',' }, leaveOpen: true);
        var bodies = new List<byte[]>();
        var body = new StringBuilder();
        var inBody = 0;
        items = 0;
        int column = -1;
        while (csv.Read())
        {
            if (column < 0)
            {
                column = csv.Headers.ToList().IndexOf("payload");
                if (column < 0) throw new UsageException($"{path} has no 'payload' column.");
            }
            body.Append(inBody == 0 ? '[' : ',').Append(csv.GetString(column));
            items++;
            if (++inBody < batch) continue;
            bodies.Add(Encoding.UTF8.GetBytes(body.Append(']').ToString()));
            body.Clear();
            inBody = 0;
        }
        if (inBody > 0) bodies.Add(Encoding.UTF8.GetBytes(body.Append(']').ToString()));
        return bodies;
    }

    private static async Task<string> TokenAsync(HttpClient http, string url, string key, string secret, CancellationToken ct)
    {
        var json = JsonSerializer.Serialize(new Dictionary<string, string> { ["key"] = key, ["secret"] = secret });
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(new Uri(url + "/v3/oauth/token/generate"), content, ct).ConfigureAwait(false);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false));
        return document.RootElement.GetProperty("data").GetProperty("accessToken").GetString()
            ?? throw new InvalidOperationException("The token service gave no token.");
    }

    private static string Md5Hex(string text)
    {
#pragma warning disable CA5351 // Capillary's till sign-in is defined as md5hex(password).
        return Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text)));
#pragma warning restore CA5351
    }
}
