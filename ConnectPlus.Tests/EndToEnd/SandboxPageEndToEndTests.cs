using System.Net.Http.Headers;
using System.Text;
using Microsoft.Playwright;

namespace ConnectPlus.Tests.EndToEnd;

public sealed class SandboxPageEndToEndTests(AppServer app) : IClassFixture<AppServer>
{
    [Fact]
    public async Task SandboxPage_ListsTheRequestsReceived_SavesAFaultSetting_AndResets_InChromium()
    {
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes("store.server:8a16a6b70505eb1f1ff7cdc0cd5559a7")));
        await PostAsync(http, "/sandbox/capillary/v1.1/customer/add", """{"root":{"customer":[{"mobile":"919812345678","firstname":"Asha"}]}}""");
        await PostAsync(http, "/sandbox/capillary/v2/transactions/bulk", $"[{Bill("e2e-1", "6000")},{Bill("e2e-2", "-5")}]");

        var page = await app.OpenAsync("/sandbox");
        await Assertions.Expect(page.Locator("[data-interactive=true]")).ToBeVisibleAsync();

        var endpoints = page.Locator("[data-request-endpoint]");
        await Assertions.Expect(endpoints).ToHaveCountAsync(2);
        await Assertions.Expect(endpoints.First).ToHaveTextAsync("/v2/transactions/bulk");
        await Assertions.Expect(page.Locator("[data-total=bills]")).ToContainTextAsync("1");
        await Assertions.Expect(page.Locator("[data-total=points-awarded]")).ToContainTextAsync("600");

        await endpoints.First.ClickAsync();
        await Assertions.Expect(page.Locator("[data-item-code='631']")).ToBeVisibleAsync();

        var latency = page.Locator("input[data-setting=latencyMs]");
        await latency.FillAsync("25");
        await latency.PressAsync("Tab");
        await page.Locator("[data-testid=save-faults]").ClickAsync();
        await Assertions.Expect(page.GetByText("Fault settings saved")).ToBeVisibleAsync();
        var settings = await http.GetStringAsync(new Uri("/sandbox/capillary/_settings", UriKind.Relative));
        Assert.Contains("\"latencyMs\":25", settings, StringComparison.Ordinal);

        await PostAsync(http, "/sandbox/capillary/v2/customers",
            """{"profiles":[{"source":"INSTORE","identifiers":[{"type":"mobile","value":"919812345679"}]}]}""");
        await Assertions.Expect(endpoints).ToHaveCountAsync(3);
        await AppServer.ScreenshotAsync(page, "sandbox");

        await page.Locator("[data-testid=reset]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=no-requests]")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-total=bills]")).ToContainTextAsync("0");
    }

    private static string Bill(string number, string amount) => $$"""
        {"identifierType":"mobile","identifierValue":"919812345678","source":"INSTORE","type":"REGULAR",
         "billNumber":"{{number}}","billingDate":"2025-04-11T11:00:00+05:30","billAmount":"{{amount}}"}
        """;

    private static async Task PostAsync(HttpClient http, string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(new Uri(path, UriKind.Relative), content);
        Assert.True((int)response.StatusCode is 200 or 201, $"{path} answered {(int)response.StatusCode}");
    }
}
