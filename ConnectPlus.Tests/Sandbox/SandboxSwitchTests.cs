using System.Net;

namespace ConnectPlus.Tests.Sandbox;

public sealed class SandboxSwitchTests
{
    [Fact]
    public async Task EnabledFalse_AnswersNotFound_OnEveryEmulatedAndAdminPath()
    {
        await using var factory = new DisabledSandboxFactory();
        using var api = factory.Api();

        var token = await api.PostAsync("/v3/oauth/token/generate", """{"key":"sandbox-key","secret":"sandbox-secret"}""", anonymous: true);
        var bills = await api.PostAsync("/v2/transactions/bulk", "[]");
        var state = await api.GetAsync("/_state");
        var page = await api.Http.GetStringAsync(new Uri("/sandbox", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, token.Status);
        Assert.Equal(HttpStatusCode.NotFound, bills.Status);
        Assert.Equal(HttpStatusCode.NotFound, state.Status);
        Assert.Contains("The sandbox is off.", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Page_ListsTheRequestsReceived_WhenRendered()
    {
        await using var factory = new SandboxFactory();
        using var api = factory.Api();
        await api.AddCustomerAsync("919400000000");

        var page = await api.Http.GetStringAsync(new Uri("/sandbox", UriKind.Relative));

        Assert.Contains("Capillary API sandbox", page, StringComparison.Ordinal);
        Assert.Contains("/v1.1/customer/add", page, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidSettings_StopTheAppFromStarting_NamingTheSetting()
    {
        using var factory = new BrokenSandboxFactory();

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains("Sandbox:MaxTransactionsPerRequest must be between 1 and 1000.", error.ToString(), StringComparison.Ordinal);
    }

    private sealed class DisabledSandboxFactory : SandboxFactory
    {
        protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?> { ["Sandbox:Enabled"] = "false" };
    }

    private sealed class BrokenSandboxFactory : SandboxFactory
    {
        protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?> { ["Sandbox:MaxTransactionsPerRequest"] = "5000" };
    }
}
