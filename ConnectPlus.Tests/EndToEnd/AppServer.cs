using ConnectPlus.Tests.Harness;
using ConnectPlus.Tests.Web;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Playwright;

namespace ConnectPlus.Tests.EndToEnd;

/// <summary>
/// The app on a real Kestrel port and Debian's Chromium driven by Playwright, shared by the
/// end-to-end tests of a class. Screenshots go to artifacts/screenshots/ (kept by CI).
/// </summary>
public sealed class AppServer : IAsyncLifetime
{
    private readonly ConnectPlusWebFactory _factory = new();
    private IPlaywright? _playwright;

    public Uri BaseAddress { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        // Playwright's expectations give up after 5 s by default, short for a Blazor circuit on a busy machine;
        // they still end as soon as the page shows what they wait for.
        Assertions.SetDefaultExpectTimeout(30_000);
        _factory.UseKestrel(0);
        _factory.StartServer();
        BaseAddress = _factory.ClientOptions.BaseAddress;
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        await _factory.DisposeAsync();
    }

    /// <summary>A new page at a path of the app, waiting for the Blazor circuit to be interactive.</summary>
    public async Task<IPage> OpenAsync(string path)
    {
        var page = await Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        await page.GotoAsync(new Uri(BaseAddress, path).ToString(), new PageGotoOptions { WaitUntil = WaitUntilState.NetworkIdle });
        return page;
    }

    /// <summary>Saves a full-page screenshot under artifacts/screenshots/.</summary>
    public static async Task<string> ScreenshotAsync(IPage page, string name)
    {
        var folder = Path.Combine((TestRepository.Find() ?? Path.GetTempPath()), "artifacts", "screenshots");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        return path;
    }

    /// <summary>Debian's Chromium (test.sh installs it); CHROMIUM_PATH overrides.</summary>
    public static string ChromiumPath => Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium";
}
