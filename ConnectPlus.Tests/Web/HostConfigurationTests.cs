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
}
