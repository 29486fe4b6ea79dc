using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using ConnectPlus.Engine.Catalog;
using ConnectPlus.Engine.Connectors;
using ConnectPlus.Web.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace ConnectPlus.Web.Features.Connections;

/// <summary>
/// Stores a workspace's connections. The settings a connection type marks secret (<c>[Setting(Secret = true)]</c>)
/// are encrypted with ASP.NET Data Protection before they reach the database, are masked in everything
/// this service returns for display, and are decrypted only by <see cref="ResolveAsync"/> for runs.
/// Problems a user can fix (bad name, unknown type, incomplete settings) are <see cref="ValidationException"/>s whose
/// member names say where: <c>name</c>, <c>type</c> or <c>settings.&lt;setting&gt;</c>. A name taken in the workspace is a
/// <see cref="ConnectionConflictException"/>; a save over someone else's newer save is a <see cref="DbUpdateConcurrencyException"/>.
/// </summary>
public sealed class ConnectionService(
    IDbContextFactory<ConnectPlusDbContext> databases,
    IDataProtectionProvider dataProtection,
    ConnectionCatalog catalog,
    TimeProvider time)
{
    /// <summary>What a secret that is set looks like to the browser, and what it sends back to keep the secret unchanged.</summary>
    public const string SecretMask = "••••••••";

    /// <summary>Most characters in a connection name.</summary>
    public const int MaxNameLength = 100;

    // Changing the purpose makes every stored secret unreadable: it is part of the stored format.
    private readonly IDataProtector _protector = dataProtection.CreateProtector("ConnectPlus.Connections.Secrets.v1");

    public async Task<IReadOnlyList<ConnectionView>> ListAsync(int workspaceId, CancellationToken cancellationToken = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var rows = await db.Connections.AsNoTracking().Where(c => c.WorkspaceId == workspaceId).OrderBy(c => c.NormalizedName).ToListAsync(cancellationToken);
        return [.. rows.Select(ToView)];
    }

    /// <summary>The connection with this name in the workspace (ignoring case), secrets masked; null when there is none.</summary>
    public async Task<ConnectionView?> FindAsync(int workspaceId, string name, CancellationToken cancellationToken = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var row = await FindRowAsync(db, workspaceId, name, cancellationToken);
        return row is null ? null : ToView(row);
    }

    public async Task<ConnectionView?> GetAsync(int id, CancellationToken cancellationToken = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var row = await db.Connections.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
        return row is null ? null : ToView(row);
    }

    public async Task<ConnectionView> CreateAsync(int workspaceId, ConnectionInput input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        await CheckNameAsync(db, workspaceId, input.Name, exceptId: null, cancellationToken);
        var (settings, secrets) = Split(input, storedSecrets: []);
        var now = time.GetUtcNow();
        var row = new Connection
        {
            WorkspaceId = workspaceId,
            Name = input.Name.Trim(),
            Type = input.Type,
            Description = input.Description,
            Settings = settings.ToJsonString(),
            ProtectedSecrets = Protect(secrets),
            Created = now,
            Updated = now,
        };
        db.Connections.Add(row);
        await SaveAsync(db, cancellationToken);
        return ToView(row);
    }

    public async Task<ConnectionView> UpdateAsync(int id, ConnectionInput input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var row = await db.Connections.SingleOrDefaultAsync(c => c.Id == id, cancellationToken)
            ?? throw new ConnectionNotFoundException($"Connection {id} does not exist (any more).");
        if (input.ConcurrencyStamp is { } stamp) db.Entry(row).Property(c => c.ConcurrencyStamp).OriginalValue = stamp;
        await CheckNameAsync(db, row.WorkspaceId, input.Name, exceptId: row.Id, cancellationToken);
        var stored = row.Type == input.Type ? Unprotect(row) ?? [] : [];
        var (settings, secrets) = Split(input, stored);
        row.Name = input.Name.Trim();
        row.Type = input.Type;
        row.Description = input.Description;
        row.Settings = settings.ToJsonString();
        row.ProtectedSecrets = Protect(secrets);
        row.Updated = time.GetUtcNow();
        await SaveAsync(db, cancellationToken);
        return ToView(row);
    }

    public async Task<bool> DeleteAsync(int id, CancellationToken cancellationToken = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.Connections.Where(c => c.Id == id).ExecuteDeleteAsync(cancellationToken) > 0;
    }

    /// <summary>
    /// The connection with its secrets decrypted, for a run (never for display); null when the workspace has
    /// no connection of that name. Throws <see cref="ConnectionException"/> when the secrets cannot be decrypted.
    /// </summary>
    public async Task<ConnectionDefinition?> ResolveAsync(int workspaceId, string name, CancellationToken cancellationToken = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var row = await FindRowAsync(db, workspaceId, name, cancellationToken);
        if (row is null) return null;
        var settings = ParseObject(row.Settings);
        var secrets = Unprotect(row) ?? throw new ConnectionException(ConnectionFailure.InvalidSettings,
            $"The secrets of connection '{row.Name}' cannot be decrypted with this installation's Data Protection keys (were the keys lost or the database copied from elsewhere?). Open the connection and type its secrets again.");
        foreach (var (key, value) in secrets) settings[key] = value?.DeepClone();
        return new ConnectionDefinition { Name = row.Name, Type = row.Type, Settings = settings };
    }

    /// <summary>
    /// "Test connection" for the workspace's connection of that name, with its secrets (the catalog's test: sign in to an
    /// API, or list, write, move and delete a probe file in a folder); null when there is no such connection. A failed
    /// test is a result with the reason, not an exception; the reason never holds one of the connection's secrets.
    /// </summary>
    public async Task<ConnectionTestResult?> TestAsync(int workspaceId, string name, CancellationToken cancellationToken = default)
    {
        ConnectionDefinition? connection;
        try
        {
            connection = await ResolveAsync(workspaceId, name, cancellationToken);
        }
        catch (ConnectionException ex)
        {
            return new ConnectionTestResult(false, ex.Message);
        }
        if (connection is null) return null;
        try
        {
            await catalog.TestAsync(connection, cancellationToken);
            return new ConnectionTestResult(true, $"Connection '{connection.Name}' works.");
        }
        catch (ConnectionException ex)
        {
            return new ConnectionTestResult(false, WithoutSecrets(ex.Message, connection));
        }
    }

    /// <summary>The names of the workspace's connections (for messages and pickers).</summary>
    public async Task<IReadOnlyList<string>> NamesAsync(int workspaceId, CancellationToken cancellationToken = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.Connections.Where(c => c.WorkspaceId == workspaceId).OrderBy(c => c.NormalizedName).Select(c => c.Name).ToListAsync(cancellationToken);
    }

    private static Task<Connection?> FindRowAsync(ConnectPlusDbContext db, int workspaceId, string name, CancellationToken cancellationToken)
    {
        var normalized = Names.Normalize(name);
        return db.Connections.AsNoTracking().SingleOrDefaultAsync(c => c.WorkspaceId == workspaceId && c.NormalizedName == normalized, cancellationToken);
    }

    private static async Task CheckNameAsync(ConnectPlusDbContext db, int workspaceId, string name, int? exceptId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(name)) throw Invalid("name", "Give the connection a name.");
        if (name.Trim().Length > MaxNameLength) throw Invalid("name", $"Keep the connection's name to {MaxNameLength} characters.");
        var normalized = Names.Normalize(name);
        if (await db.Connections.AnyAsync(c => c.WorkspaceId == workspaceId && c.NormalizedName == normalized && c.Id != exceptId, cancellationToken))
            throw new ConnectionConflictException($"This workspace already has a connection named '{name.Trim()}'; choose another name.");
    }

    /// <summary>Saves; a name taken by someone else at the same moment (the unique index) is a conflict too.</summary>
    private static async Task SaveAsync(ConnectPlusDbContext db, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex is not DbUpdateConcurrencyException)
        {
            throw new ConnectionConflictException("Someone else saved a connection of this name at the same moment. Read the connections again, then repeat your change.", ex);
        }
    }

    private static ValidationException Invalid(string member, string message) => new(new ValidationResult(message, [member]), null, null);

    /// <summary>
    /// Splits the input's settings into the ones stored as they are and the secret ones, resolving
    /// <see cref="SecretMask"/> to the stored secret, then checks the whole against the connection type.
    /// </summary>
    private (JsonObject Settings, JsonObject Secrets) Split(ConnectionInput input, JsonObject storedSecrets)
    {
        var types = string.Join(", ", catalog.Types.Select(t => t.Type));
        if (string.IsNullOrWhiteSpace(input.Type)) throw Invalid("type", $"Give the connection's type. Types: {types}.");
        var type = catalog.Find(input.Type) ?? throw Invalid("type", $"'{input.Type}' is not a connection type. Types: {types}.");
        var settings = new JsonObject();
        var secrets = new JsonObject();
        foreach (var (key, value) in input.Settings)
        {
            var described = type.Settings.FirstOrDefault(s => string.Equals(s.Name, key, StringComparison.OrdinalIgnoreCase));
            var name = described?.Name ?? key;
            if (described is not { Secret: true })
            {
                settings[name] = value?.DeepClone();
                continue;
            }
            if (IsMask(value))
            {
                var kept = storedSecrets.FirstOrDefault(s => string.Equals(s.Key, name, StringComparison.OrdinalIgnoreCase)).Value
                    ?? throw Invalid($"settings.{name}", $"Setting '{name}' of connection '{input.Name}' has no stored value to keep: type the secret.");
                secrets[name] = kept.DeepClone();
            }
            else if (value is not null && !(value is JsonValue v && v.TryGetValue<string>(out var text) && text.Length == 0))
            {
                secrets[name] = value.DeepClone();
            }
        }
        var whole = (JsonObject)settings.DeepClone();
        foreach (var (key, value) in secrets) whole[key] = value?.DeepClone();
        try
        {
            catalog.Bind(new ConnectionDefinition { Name = input.Name, Type = input.Type, Settings = whole });
        }
        catch (ConnectionException ex)
        {
            var members = ex.Settings.Count == 0 ? ["settings"] : ex.Settings.Select(s => $"settings.{s}").ToList();
            throw new ValidationException(new ValidationResult(ex.Message, members), null, null);
        }
        return (settings, secrets);
    }

    /// <summary>
    /// A message with every secret setting's value of <paramref name="connection"/> replaced by <see cref="SecretMask"/>:
    /// what a server answers is quoted in messages, and a server may echo what it was sent.
    /// </summary>
    private string WithoutSecrets(string message, ConnectionDefinition connection)
    {
        var secretNames = catalog.Find(connection.Type)?.Settings.Where(s => s.Secret).Select(s => s.Name).ToHashSet(StringComparer.OrdinalIgnoreCase) ?? [];
        foreach (var (key, value) in connection.Settings)
        {
            if (secretNames.Contains(key) && value is JsonValue v && v.TryGetValue<string>(out var secret) && secret.Length > 0)
                message = message.Replace(secret, SecretMask, StringComparison.Ordinal);
        }
        return message;
    }

    private static bool IsMask(JsonNode? value) => value is JsonValue v && v.TryGetValue<string>(out var text) && text == SecretMask;

    private string? Protect(JsonObject secrets) => secrets.Count == 0 ? null : _protector.Protect(secrets.ToJsonString());

    /// <summary>The stored secrets; empty when there are none, null when they cannot be decrypted.</summary>
    private JsonObject? Unprotect(Connection row)
    {
        if (row.ProtectedSecrets is null) return [];
        try
        {
            return ParseObject(_protector.Unprotect(row.ProtectedSecrets));
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    private ConnectionView ToView(Connection row)
    {
        var settings = ParseObject(row.Settings);
        var secrets = Unprotect(row);
        var secretNames = catalog.Find(row.Type)?.Settings.Where(s => s.Secret).Select(s => s.Name).ToHashSet(StringComparer.OrdinalIgnoreCase) ?? [];
        // A setting that became secret after it was stored is masked too.
        foreach (var key in settings.Select(p => p.Key).Where(secretNames.Contains).ToList()) settings[key] = SecretMask;
        foreach (var key in secrets?.Select(p => p.Key) ?? []) settings[key] = SecretMask;
        return new ConnectionView
        {
            Id = row.Id,
            WorkspaceId = row.WorkspaceId,
            Name = row.Name,
            Type = row.Type,
            Description = row.Description,
            Settings = settings,
            SecretsUnreadable = secrets is null,
            ConcurrencyStamp = row.ConcurrencyStamp,
            Updated = row.Updated,
        };
    }

    private static JsonObject ParseObject(string json) => JsonNode.Parse(json) as JsonObject ?? [];
}
