using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using ConnectPlus.Tests.Harness;
using ConnectPlus.Web.Hosting;

namespace ConnectPlus.Tests.Web;

/// <summary>The app as README's "Deploy it" publishes it, started the way a service starts it: from a working folder of its own.</summary>
public sealed partial class PublishedAppTests
{
    [Fact]
    public async Task PublishedApp_ServesItsStylesAndScripts_WhenStartedFromAnotherFolder()
    {
        using var folder = new TempFolder();
        var app = folder["app"];
        await PublishAsync(app);
        var work = Directory.CreateDirectory(folder["work"]).FullName;
        var port = FreePort();
        using var host = CliProcess.Start(["--urls", $"http://127.0.0.1:{port}"],
            new Dictionary<string, string> { ["Logging__LogLevel__Default"] = "Warning" }, work, Path.Combine(app, "ConnectPlus.Web.dll"));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };

        var page = await HomePageAsync(http, host);

        // Every style sheet and script the page names (the fingerprinted app.css, MudBlazor's, Blazor's own) comes whole.
        var assets = AssetReference().Matches(page).Select(m => m.Groups["url"].Value).Where(u => !u.StartsWith("http", StringComparison.Ordinal)).ToList();
        Assert.Contains(assets, a => a.EndsWith(".css", StringComparison.Ordinal));
        Assert.Contains(assets, a => a.Contains("blazor.web", StringComparison.Ordinal));
        foreach (var asset in assets)
        {
            using var answer = await http.GetAsync(asset);
            var body = await answer.Content.ReadAsByteArrayAsync();
            Assert.True(answer.StatusCode == HttpStatusCode.OK && body.Length > 0, $"{asset}: {(int)answer.StatusCode} with {body.Length} bytes");
        }
        var mud = await http.GetByteArrayAsync("_content/MudBlazor/MudBlazor.min.css");
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(app, "wwwroot", "_content", "MudBlazor", "MudBlazor.min.css")), mud);
        // The working folder is still where the app keeps its data.
        Assert.True(File.Exists(Path.Combine(work, "data", "connectplus.db")), host.Output);
    }

    [Fact]
    public void HostOptions_TakesTheWebRootBesideTheExecutable_OnlyWhenThereIsOne()
    {
        using var folder = new TempFolder();
        Assert.Null(ConnectPlusConfiguration.HostOptions([], folder.Path).WebRootPath);

        var webRoot = Directory.CreateDirectory(folder["wwwroot"]).FullName;
        var options = ConnectPlusConfiguration.HostOptions(["run"], folder.Path);

        Assert.Equal(webRoot, options.WebRootPath);
        Assert.Equal(["run", "--hostBuilder:reloadConfigOnChange=false"], options.Args ?? []);
    }

    /// <summary>Publishes the app already built beside the tests (same configuration, no build: seconds).</summary>
    private static async Task PublishAsync(string output)
    {
        var root = TestRepository.Root;
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = root };
        foreach (var argument in new[] { "publish", Path.Combine(root, "ConnectPlus.Web", "ConnectPlus.Web.csproj"), "--no-build", "-c", configuration, "-o", output, "-nologo", "-v", "quiet" })
            start.ArgumentList.Add(argument);
        using var publish = Process.Start(start)!;
        var stdout = publish.StandardOutput.ReadToEndAsync();
        var stderr = publish.StandardError.ReadToEndAsync();
        await publish.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        Assert.True(publish.ExitCode == 0, $"dotnet publish failed ({publish.ExitCode}): {await stdout}{await stderr}");
        Assert.True(Directory.Exists(Path.Combine(output, "wwwroot")), "the publish has no wwwroot");
    }

    private static async Task<string> HomePageAsync(HttpClient http, CliProcess host)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            Assert.False(host.Process.HasExited, $"the app stopped: {host.Output}");
            try
            {
                using var answer = await http.GetAsync("");
                if (answer.StatusCode == HttpStatusCode.OK) return await answer.Content.ReadAsStringAsync();
            }
            catch (HttpRequestException) when (clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                // Not listening yet.
            }
            if (clock.Elapsed > TimeSpan.FromSeconds(60)) Assert.Fail($"the app did not answer within 60 s: {host.Output}");
            await Task.Delay(200);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex("""<(?:link[^>]*rel="stylesheet"[^>]*href|script[^>]*src)="(?<url>[^"]+)"[^>]*>""")]
    private static partial Regex AssetReference();
}
