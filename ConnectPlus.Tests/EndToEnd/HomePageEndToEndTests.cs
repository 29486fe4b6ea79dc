using Microsoft.Playwright;

namespace ConnectPlus.Tests.EndToEnd;

public sealed class HomePageEndToEndTests(AppServer app) : IClassFixture<AppServer>
{
    [Fact]
    public async Task HomePage_ShowsEveryBlockOfTheCatalog_InChromium()
    {
        var page = await app.OpenAsync("/");

        var cards = page.Locator("[data-block-type]");
        await Assertions.Expect(page.GetByText("These are the blocks a dataflow is drawn from.")).ToBeVisibleAsync();
        var types = await cards.EvaluateAllAsync<string[]>("els => els.map(e => e.getAttribute('data-block-type'))");
        Assert.Equal(ConnectPlus.Engine.Catalog.BlockCatalog.Default.Blocks.Select(b => b.Type).Order(), types.Order());
        await AppServer.ScreenshotAsync(page, "home");
    }
}
