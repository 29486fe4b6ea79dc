using System.Globalization;
using ConnectPlus.Bench.Workload;
using ConnectPlus.Tests.Sandbox;

namespace ConnectPlus.Tests.Web;

/// <summary>The sandbox as the transactions sample's tests use it: a clean start with members, and the bills it holds.</summary>
internal static class SandboxBills
{
    /// <summary>Empties the sandbox, sets its latency and registers members 0..<paramref name="members"/>−1 (the generators' mobiles).</summary>
    public static async Task PrepareAsync(SandboxApi api, int members, int latencyMs)
    {
        Assert.Equal(System.Net.HttpStatusCode.NoContent, (await api.Http.PostAsync(new Uri(SandboxApi.Base + "/_reset", UriKind.Relative), null)).StatusCode);
        Assert.Equal(200, (await api.PutAsync("/_settings", $$"""{"latencyMs":{{latencyMs}}}""")).Code);
        for (var member = 0; member < members; member++)
            await api.AddCustomerAsync(MemberIdentity.Mobile(member).ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>How many times the sandbox holds each bill number.</summary>
    public static async Task<Dictionary<string, int>> CountAsync(SandboxApi api)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var skip = 0; ; skip += 10_000)
        {
            var page = (await api.GetAsync($"/_state/bills?skip={skip}&take=10000")).Json.GetProperty("bills");
            foreach (var bill in page.EnumerateArray())
            {
                var number = bill.GetProperty("billNumber").GetString()!;
                counts[number] = counts.GetValueOrDefault(number) + 1;
            }
            if (page.GetArrayLength() < 10_000) return counts;
        }
    }
}
