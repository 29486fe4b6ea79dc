using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using ConnectPlus.Engine.Connectors;
using ConnectPlus.Web.Data;
using ConnectPlus.Web.Features.Connections;
using ConnectPlus.Web.Features.Workspaces;
using ConnectPlus.Web.Hosting;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectPlus.Tests.Data;

/// <summary>
/// Connections in the database: secrets encrypted at rest with Data Protection keys kept in the same
/// database, masked for display, decrypted for runs, and still readable after a restart.
/// </summary>
public sealed class ConnectionServiceTests : IAsyncLifetime
{
    private const string Password = "s3cr3t-Pa55word!";
    private readonly SqliteTestDatabase _database = new();
    private ServiceProvider _services = null!;
    private int _workspace;

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        _services = BuildServices(_database.File);
        await using var db = _database.Database.CreateDbContext();
        var workspace = new Workspace { Name = "Acme" };
        db.Workspaces.Add(workspace);
        await db.SaveChangesAsync();
        _workspace = workspace.Id;
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _database.DisposeAsync();
    }

    /// <summary>The web host's data services over a SQLite file (a new call = a restarted process).</summary>
    private static ServiceProvider BuildServices(string databaseFile)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:ConnectPlus"] = $"Data Source={databaseFile}" })
            .Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton(TestApiConnectionSettings.Catalog);
        services.AddConnectPlusData();
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }

    private ConnectionService Connections => _services.GetRequiredService<ConnectionService>();

    private static ConnectionInput Input(string name = "Brand API", string password = Password, string? apiKey = null, string url = "https://api.example.com") => new()
    {
        Name = name,
        Type = "test-api",
        Settings = new JsonObject { ["url"] = url, ["user"] = "brand", ["password"] = password, ["apiKey"] = apiKey },
    };

    private async Task<string?> RawColumnAsync(int id, string column)
    {
        await using var connection = new SqliteConnection($"Data Source={_database.File}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT \"{column}\" FROM \"Connections\" WHERE \"Id\" = $id";
        command.Parameters.AddWithValue("$id", id);
        return await command.ExecuteScalarAsync() as string;
    }

    [Fact]
    public async Task Create_StoresSecretsEncrypted_NeverInPlainText()
    {
        var view = await Connections.CreateAsync(_workspace, Input(apiKey: "key-123456"));

        var settings = await RawColumnAsync(view.Id, "Settings");
        var secrets = await RawColumnAsync(view.Id, "ProtectedSecrets");

        Assert.Equal("""{"url":"https://api.example.com","user":"brand"}""", settings);
        Assert.NotNull(secrets);
        Assert.DoesNotContain(Password, secrets);
        Assert.DoesNotContain("key-123456", secrets);
        var decrypted = _services.GetRequiredService<IDataProtectionProvider>().CreateProtector("ConnectPlus.Connections.Secrets.v1").Unprotect(secrets);
        Assert.Equal($$"""{"password":"{{Password}}","apiKey":"key-123456"}""", decrypted);
    }

    [Fact]
    public async Task Views_MaskEverySecretThatIsSet_AndShowTheOtherSettings()
    {
        var created = await Connections.CreateAsync(_workspace, Input());

        var views = new[] { created, (await Connections.GetAsync(created.Id))!, (await Connections.FindAsync(_workspace, "brand api"))!, Assert.Single(await Connections.ListAsync(_workspace)) };

        foreach (var view in views)
        {
            Assert.DoesNotContain(Password, view.Settings.ToJsonString());
            Assert.Equal(ConnectionService.SecretMask, (string?)view.Settings["password"]);
            Assert.False(view.Settings.ContainsKey("apiKey")); // not set: nothing to mask
            Assert.Equal("https://api.example.com", (string?)view.Settings["url"]);
            Assert.False(view.SecretsUnreadable);
        }
    }

    [Fact]
    public async Task Update_KeepsTheSecret_WhenTheMaskComesBack()
    {
        var view = await Connections.CreateAsync(_workspace, Input());
        var edited = view.Settings.DeepClone().AsObject();
        edited["url"] = "https://api2.example.com";

        await Connections.UpdateAsync(view.Id, new ConnectionInput { Name = view.Name, Type = view.Type, Settings = edited, ConcurrencyStamp = view.ConcurrencyStamp });

        var resolved = await Connections.ResolveAsync(_workspace, "Brand API");
        Assert.Equal(Password, (string?)resolved!.Settings["password"]);
        Assert.Equal("https://api2.example.com", (string?)resolved.Settings["url"]);
    }

    [Fact]
    public async Task Update_ReplacesTheSecret_WhenANewValueComes_AndClearsAnOptionalOne_WhenEmpty()
    {
        var view = await Connections.CreateAsync(_workspace, Input(apiKey: "old-key"));

        await Connections.UpdateAsync(view.Id, Input(password: "new-password", apiKey: ""));

        var resolved = await Connections.ResolveAsync(_workspace, "Brand API");
        Assert.Equal("new-password", (string?)resolved!.Settings["password"]);
        Assert.False(resolved.Settings.ContainsKey("apiKey"));
    }

    [Fact]
    public async Task Create_RefusesTheMask_ForASecretThatWasNeverStored()
    {
        var ex = await Assert.ThrowsAsync<ValidationException>(() => Connections.CreateAsync(_workspace, Input(password: ConnectionService.SecretMask)));

        Assert.Contains("Setting 'password' of connection 'Brand API' has no stored value to keep: type the secret.", ex.Message);
    }

    [Fact]
    public async Task Create_RefusesIncompleteSettings_UnknownTypes_AndDuplicateNames()
    {
        await Connections.CreateAsync(_workspace, Input());

        var missing = await Assert.ThrowsAsync<ValidationException>(() => Connections.CreateAsync(_workspace, Input(name: "Other", password: "")));
        var unknown = await Assert.ThrowsAsync<ValidationException>(() => Connections.CreateAsync(_workspace, Input(name: "Other") with { Type = "telnet" }));
        var duplicate = await Assert.ThrowsAsync<ConnectionConflictException>(() => Connections.CreateAsync(_workspace, Input(name: "BRAND api")));

        Assert.Contains("Connection 'Other' is not complete: password: Give the password.", missing.Message);
        Assert.Contains("'telnet' is not a connection type. Types:", unknown.Message);
        Assert.Contains("test-api", unknown.Message);
        Assert.Equal("This workspace already has a connection named 'BRAND api'; choose another name.", duplicate.Message);
    }

    [Fact]
    public async Task Update_Fails_WhenSomeoneSavedTheConnectionInBetween()
    {
        var view = await Connections.CreateAsync(_workspace, Input());
        await Connections.UpdateAsync(view.Id, Input(url: "https://first.example.com") with { ConcurrencyStamp = view.ConcurrencyStamp });

        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() =>
            Connections.UpdateAsync(view.Id, Input(url: "https://second.example.com") with { ConcurrencyStamp = view.ConcurrencyStamp }));
    }

    [Fact]
    public async Task Secrets_AreDecrypted_AfterARestart_WithTheKeysKeptInTheDatabase()
    {
        var view = await Connections.CreateAsync(_workspace, Input(apiKey: "key-1"));
        await _services.DisposeAsync();

        _services = BuildServices(_database.File);
        var resolved = await Connections.ResolveAsync(_workspace, "Brand API");

        Assert.Equal(Password, (string?)resolved!.Settings["password"]);
        Assert.Equal("key-1", (string?)resolved.Settings["apiKey"]);
        Assert.False((await Connections.GetAsync(view.Id))!.SecretsUnreadable);
        await using var db = _database.Database.CreateDbContext();
        Assert.Equal(1, await db.DataProtectionKeys.CountAsync());
    }

    [Fact]
    public async Task Secrets_AreReportedUnreadable_WhenTheKeysAreLost()
    {
        var view = await Connections.CreateAsync(_workspace, Input());
        await using (var db = _database.Database.CreateDbContext())
            await db.DataProtectionKeys.ExecuteDeleteAsync();
        await _services.DisposeAsync();
        _services = BuildServices(_database.File);

        var shown = await Connections.GetAsync(view.Id);
        var ex = await Assert.ThrowsAsync<ConnectionException>(async () => await Connections.ResolveAsync(_workspace, "Brand API"));

        Assert.True(shown!.SecretsUnreadable);
        Assert.False(shown.Settings.ContainsKey("password"));
        Assert.Contains("The secrets of connection 'Brand API' cannot be decrypted", ex.Message);
    }

    [Fact]
    public async Task ConnectionProvider_ResolvesANameOfTheScopesWorkspace_WithSecretsDecrypted()
    {
        await Connections.CreateAsync(_workspace, Input());
        await using var scope = _services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentWorkspace>().Id = _workspace;
        var provider = scope.ServiceProvider.GetRequiredService<IConnectionProvider>();

        var connection = await provider.GetAsync("brand API", CancellationToken.None);

        Assert.Equal(("Brand API", "test-api"), (connection.Name, connection.Type));
        Assert.Equal(Password, (string?)connection.Settings["password"]);
        Assert.Equal("https://api.example.com", (string?)connection.Settings["url"]);
        TestApiConnectionSettings.Catalog.Bind(connection); // complete for the engine
    }

    [Fact]
    public async Task ConnectionProvider_SaysWhichNamesExist_WhenTheNameIsUnknownInTheWorkspace()
    {
        await Connections.CreateAsync(_workspace, Input());
        int other;
        await using (var db = _database.Database.CreateDbContext())
        {
            var workspace = new Workspace { Name = "Other brand" };
            db.Workspaces.Add(workspace);
            await db.SaveChangesAsync();
            other = workspace.Id;
        }
        await using var scope = _services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentWorkspace>().Id = other;
        var provider = scope.ServiceProvider.GetRequiredService<IConnectionProvider>();

        var ex = await Assert.ThrowsAsync<ConnectionException>(async () => await provider.GetAsync("Brand API", CancellationToken.None));

        Assert.Equal(ConnectionFailure.NotFound, ex.Failure);
        Assert.Equal("There is no connection named 'Brand API' in this workspace. Known connections: none.", ex.Message);
    }

    [Fact]
    public async Task Delete_RemovesTheConnection()
    {
        var view = await Connections.CreateAsync(_workspace, Input());

        Assert.True(await Connections.DeleteAsync(view.Id));

        Assert.Null(await Connections.GetAsync(view.Id));
        Assert.False(await Connections.DeleteAsync(view.Id));
    }
}
