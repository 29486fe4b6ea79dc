using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectPlus.Tests.Web;

public sealed class HostConfigurationTests
{
    [Fact]
    public async Task Host_ReadsItsConfigurationFiles_WithoutWatchingThemForChanges()
    {
        await using var factory = new ConnectPlusWebFactory();
        var configuration = (IConfigurationRoot)factory.Services.GetRequiredService<IConfiguration>();

        var files = configuration.Providers.OfType<FileConfigurationProvider>().ToList();

        // appsettings.json beside the executable and the host's default ones (appsettings.json, appsettings.{environment}.json).
        Assert.True(files.Count >= 2, string.Join(", ", files.Select(f => f.Source.Path)));
        Assert.All(files, f => Assert.False(f.Source.ReloadOnChange, $"{f.Source.Path} is watched for changes"));
        // Still read: the settings file gives the engine's defaults.
        Assert.Equal("1024", configuration["Engine:BatchSize"]);
    }

    [Fact]
    public void App_CapsGenerationZerosBudget_InItsRuntimeConfiguration()
    {
        // The app's own runtimeconfig.json (copied beside the tests): what the runtime reads when the app starts.
        var path = Path.Combine(AppContext.BaseDirectory, "ConnectPlus.Web.runtimeconfig.json");
        using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
        var properties = document.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        Assert.Equal(32L << 20, properties.GetProperty("System.GC.Gen0MaxBudget").GetInt64());
        Assert.False(properties.GetProperty("System.GC.Server").GetBoolean());
    }
}
