using ConnectPlus.Tests.Harness;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;

namespace ConnectPlus.Tests.Web;

/// <summary>
/// The web app for tests, with a throwaway SQLite database of its own in a temp folder (created and
/// migrated on start like the real one), so tests never touch ./data. Use it instead of a bare
/// <c>WebApplicationFactory&lt;Program&gt;</c>: one per test class (<c>IClassFixture</c>).
/// </summary>
public sealed class ConnectPlusWebFactory : WebApplicationFactory<Program>
{
    private readonly TempFolder _folder = new();

    /// <summary>The app's database file.</summary>
    public string DatabaseFile => _folder["data/connectplus.db"];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Database:Provider", "Sqlite");
        builder.UseSetting("ConnectionStrings:ConnectPlus", $"Data Source={DatabaseFile}");
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }
}
