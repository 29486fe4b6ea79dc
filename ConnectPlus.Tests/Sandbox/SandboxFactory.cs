using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ConnectPlus.Web.Sandbox;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace ConnectPlus.Tests.Sandbox;

/// <summary>
/// The app in memory with a fake clock (the sandbox reads time only from the injected TimeProvider)
/// and optional extra settings. Tests of a class share one; <see cref="Reset"/> gives each a clean sandbox.
/// </summary>
public class SandboxFactory : WebApplicationFactory<Program>
{
    public static readonly DateTimeOffset Start = new(2025, 6, 1, 10, 0, 0, TimeSpan.Zero);

    public FakeTimeProvider Time { get; } = new(Start);

    /// <summary>Settings over appsettings.json, e.g. ["Sandbox:Enabled"] = "false".</summary>
    protected virtual IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.ConfigureAppConfiguration((_, configuration) => configuration.AddInMemoryCollection(Settings));
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Time));
    }

    public SandboxApi Api() => new(CreateClient());

    /// <summary>Empties the sandbox and puts the fault settings back to appsettings.json's.</summary>
    public void Reset()
    {
        Services.GetRequiredService<SandboxStore>().Clear();
        Services.GetRequiredService<SandboxRequestLog>().Clear();
        var faults = Services.GetRequiredService<SandboxFaultInjector>();
        Assert.Empty(faults.Update(faults.Configured));
    }

    public SandboxFaultSettings Faults
    {
        get => Services.GetRequiredService<SandboxFaultInjector>().Settings;
        set => Assert.Empty(Services.GetRequiredService<SandboxFaultInjector>().Update(value));
    }
}

/// <summary>An answer of the sandbox: status, headers and the JSON body.</summary>
public sealed record SandboxAnswer(HttpStatusCode Status, JsonElement Json, HttpResponseHeaders Headers, string Text)
{
    public int Code => (int)Status;

    /// <summary>The i-th v2 bulk item's first error code (0 when it succeeded).</summary>
    public int V2ErrorCode(int index)
    {
        var errors = Json.GetProperty("response")[index].GetProperty("errors");
        return errors.GetArrayLength() == 0 ? 0 : errors[0].GetProperty("code").GetInt32();
    }

    /// <summary>The i-th v1.1 item's item_status of the list named (transactions/transaction…).</summary>
    public JsonElement V11Item(string list, string item, int index) =>
        Json.GetProperty("response").GetProperty(list).GetProperty(item)[index];
}

/// <summary>Calls the sandbox the way a Capillary client does.</summary>
public sealed class SandboxApi(HttpClient http) : IDisposable
{
    public const string Base = "/sandbox/capillary";
    public const string TillUser = "store.server";
    public const string TillPasswordMd5 = "8a16a6b70505eb1f1ff7cdc0cd5559a7";

    public HttpClient Http => http;

    public static AuthenticationHeaderValue Basic(string user = TillUser, string passwordHash = TillPasswordMd5) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + passwordHash)));

    /// <summary>POSTs JSON to a sandbox path with Basic till auth (default), an OAuth token, or nothing.</summary>
    public async Task<SandboxAnswer> PostAsync(string path, string json, string? token = null, AuthenticationHeaderValue? authorization = null, bool anonymous = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Base + path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (token is not null) request.Headers.Add("X-CAP-API-OAUTH-TOKEN", token);
        else if (!anonymous) request.Headers.Authorization = authorization ?? Basic();
        using var response = await http.SendAsync(request);
        return await ReadAsync(response);
    }

    public async Task<SandboxAnswer> GetAsync(string path)
    {
        using var response = await http.GetAsync(new Uri(Base + path, UriKind.Relative));
        return await ReadAsync(response);
    }

    public async Task<SandboxAnswer> PutAsync(string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await http.PutAsync(new Uri(Base + path, UriKind.Relative), content);
        return await ReadAsync(response);
    }

    public async Task<string> TokenAsync(string key = "sandbox-key", string secret = "sandbox-secret")
    {
        var answer = await PostAsync("/v3/oauth/token/generate", $$$"""{"key":"{{{key}}}","secret":"{{{secret}}}"}""", anonymous: true);
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        return answer.Json.GetProperty("data").GetProperty("accessToken").GetString()!;
    }

    /// <summary>Registers a customer through v1.1/customer/add and returns its id.</summary>
    public async Task<long> AddCustomerAsync(string mobile)
    {
        var answer = await PostAsync("/v1.1/customer/add", $$$"""{"root":{"customer":[{"mobile":"{{{mobile}}}","firstname":"Tom"}]}}""");
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        return answer.V11Item("customers", "customer", 0).GetProperty("user_id").GetInt64();
    }

    public Task<SandboxAnswer> PostBillsAsync(params string[] transactions) =>
        PostAsync("/v2/transactions/bulk", "[" + string.Join(",", transactions) + "]");

    /// <summary>A valid v2 transaction; pass fields to override as "name":value JSON fragments.</summary>
    public static string Bill(string billNumber, string mobile, decimal amount = 6000m, string type = "REGULAR", string source = "INSTORE", string billingDate = "2025-04-11T11:00:00+05:30") =>
        $$$"""
        {"identifierType":"mobile","identifierValue":"{{{mobile}}}","source":"{{{source}}}","type":"{{{type}}}",
         "billNumber":"{{{billNumber}}}","billingDate":"{{{billingDate}}}","billAmount":"{{{amount.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}",
         "grossAmount":"7000","discount":"1000","currencyCode":"INR","note":"",
         "paymentModes":[{"mode":"CardPayment","value":"6000.0"}],"extendedFields":{},"customFields":{},
         "lineItemsV2":[{"itemCode":"sku1","description":"","qty":4,"rate":500.0,"value":2000.0,"discount":0,"amount":2000.0,"extendedFields":{},"customFields":{}}]}
        """;

    public async Task<JsonElement> BillsAsync(string billNumber) => (await GetAsync("/_state/bills?billNumber=" + Uri.EscapeDataString(billNumber))).Json;

    public async Task<JsonElement> StateAsync() => (await GetAsync("/_state")).Json;

    private static async Task<SandboxAnswer> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        var json = default(JsonElement);
        if (text.Length > 0 && response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.Ordinal) == true)
        {
            using var document = JsonDocument.Parse(text);
            json = document.RootElement.Clone();
        }
        return new SandboxAnswer(response.StatusCode, json, response.Headers, text);
    }

    public void Dispose() => http.Dispose();
}
