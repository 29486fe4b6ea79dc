using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using ConnectPlus.Engine.Catalog;
using ConnectPlus.Engine.Model;
using ConnectPlus.Engine.Validation;
using ConnectPlus.Web.Data;
using ConnectPlus.Web.Features.Connections;
using Microsoft.EntityFrameworkCore;

namespace ConnectPlus.Web.Features.Dataflows;

/// <summary>
/// The one place the UI and the REST API manage a workspace's dataflows and their versions: list, create,
/// update, save a version (validated, kept as a draft whatever its issues), publish (only without issues;
/// the version published before is archived), delete (not while runs are queued or running), export and
/// import the definition JSON. Definitions name connections, never hold secrets; importing one needs every
/// connection it names. Problems are exceptions: <see cref="ValidationException"/>, <see cref="DataflowFormatException"/>,
/// <see cref="DataflowIssuesException"/>, <see cref="MissingConnectionsException"/> (the caller's input),
/// <see cref="DataflowNotFoundException"/>, <see cref="DataflowConflictException"/> (a stale concurrency stamp among them).
/// Creating, saving, publishing, importing, updating and deleting leave an <see cref="AuditEntry"/>.
/// </summary>
public sealed class DataflowService(
    IDbContextFactory<ConnectPlusDbContext> databases,
    BlockCatalog catalog,
    ConnectionService connections,
    TimeProvider time,
    IEnumerable<IDataflowScheduleSync> scheduleSyncs)
{
    /// <summary>Most characters in a dataflow name.</summary>
    public const int MaxNameLength = 200;

    private readonly DataflowValidator _validator = new(catalog);

    public async Task<Paged<DataflowSummary>> ListAsync(int workspaceId, DataflowQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Page < 1) throw Invalid("page", "Pages are numbered from 1.");
        if (query.PageSize is < 1 or > DataflowQuery.MaxPageSize) throw Invalid("pageSize", $"Ask for 1 to {DataflowQuery.MaxPageSize} items per page.");
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var rows = db.Dataflows.AsNoTracking().Where(d => d.WorkspaceId == workspaceId);
        if (!string.IsNullOrWhiteSpace(query.Name))
        {
            var part = Names.Normalize(query.Name);
            rows = rows.Where(d => d.NormalizedName.Contains(part));
        }
        if (!string.IsNullOrWhiteSpace(query.Tag))
        {
            var tag = Names.Normalize(query.Tag);
            // ToUpper() becomes SQL UPPER(): it runs in the database, where .NET's culture rules do not apply.
#pragma warning disable CA1304, CA1862
            rows = rows.Where(d => d.Tags.Any(t => t.ToUpper() == tag));
#pragma warning restore CA1304, CA1862
        }
        if (query.IsActive is { } active) rows = rows.Where(d => d.IsActive == active);
        var total = await rows.CountAsync(cancellationToken);
        var page = await Summaries(rows.OrderBy(d => d.NormalizedName).ThenBy(d => d.Id).Skip((query.Page - 1) * query.PageSize).Take(query.PageSize))
            .ToListAsync(cancellationToken);
        return new Paged<DataflowSummary>(page, query.Page, query.PageSize, total);
    }

    public async Task<DataflowDetails> GetAsync(int workspaceId, int id, CancellationToken cancellationToken = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await DetailsAsync(db, workspaceId, id, cancellationToken);
    }

    /// <summary>The id of the workspace's dataflow with this name (ignoring case); null when there is none.</summary>
    public async Task<int?> FindIdAsync(int workspaceId, string name, CancellationToken cancellationToken = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var normalized = Names.Normalize(name);
        return await db.Dataflows.Where(d => d.WorkspaceId == workspaceId && d.NormalizedName == normalized).Select(d => (int?)d.Id).SingleOrDefaultAsync(cancellationToken);
    }

    /// <summary>The database id of a version (what a run request names), by dataflow and version number.</summary>
    public async Task<int> FindVersionIdAsync(int workspaceId, int id, int number, CancellationToken cancellationToken = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        await RequireAsync(db, workspaceId, id, cancellationToken);
        return await db.DataflowVersions.Where(v => v.DataflowId == id && v.Number == number).Select(v => (int?)v.Id).SingleOrDefaultAsync(cancellationToken)
            ?? throw DataflowNotFoundException.Version(id, number);
    }

    /// <summary>Creates a dataflow with its first version, a draft (of an empty drawing when no definition is given).</summary>
    public async Task<DataflowDetails> CreateAsync(int workspaceId, DataflowCreate input, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var dataflow = await NewDataflowAsync(db, workspaceId, input.Name, input.Description, input.Tags, input.IsActive, cancellationToken);
        var definition = input.Definition ?? new DataflowDefinition { Name = dataflow.Name, Description = input.Description };
        AddVersion(dataflow, definition, input.Comment, actor);
        await SaveAsync(db, cancellationToken);
        Audit(db, workspaceId, actor, "dataflow.created", dataflow.Id, new { dataflow.Name, version = 1 });
        await SaveAsync(db, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return await DetailsAsync(db, workspaceId, dataflow.Id, cancellationToken);
    }

    /// <summary>Changes name, description, tags and the active flag (those given); refused when the stamp is not the current one.</summary>
    public async Task<DataflowSummary> UpdateAsync(int workspaceId, int id, DataflowUpdate input, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var dataflow = await RequireAsync(db, workspaceId, id, cancellationToken);
        ExpectStamp(db, dataflow, input.ConcurrencyStamp, $"Dataflow '{dataflow.Name}'");
        var before = new { dataflow.Name, dataflow.IsActive, dataflow.Tags };
        if (input.Name is not null) dataflow.Name = await CheckNameAsync(db, workspaceId, input.Name, exceptId: id, cancellationToken);
        if (input.Description is not null) dataflow.Description = input.Description.Length == 0 ? null : input.Description;
        if (input.Tags is not null) dataflow.Tags = CleanTags(input.Tags);
        if (input.IsActive is { } active) dataflow.IsActive = active;
        dataflow.Updated = time.GetUtcNow();
        CheckRules(dataflow);
        Audit(db, workspaceId, actor, "dataflow.updated", id, new { before, after = new { dataflow.Name, dataflow.IsActive, dataflow.Tags } });
        await SaveAsync(db, cancellationToken);
        if (before.IsActive != dataflow.IsActive) await SchedulesChangedAsync(db, id, cancellationToken);
        return await Summaries(db.Dataflows.AsNoTracking().Where(d => d.Id == id)).SingleAsync(cancellationToken);
    }

    /// <summary>Activates or deactivates a dataflow (only active dataflows run by their schedules).</summary>
    public async Task<DataflowSummary> SetActiveAsync(int workspaceId, int id, bool active, Guid? concurrencyStamp, string actor, CancellationToken cancellationToken = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var dataflow = await RequireAsync(db, workspaceId, id, cancellationToken);
        if (concurrencyStamp is { } stamp) ExpectStamp(db, dataflow, stamp, $"Dataflow '{dataflow.Name}'");
        if (dataflow.IsActive != active)
        {
            dataflow.IsActive = active;
            dataflow.Updated = time.GetUtcNow();
            Audit(db, workspaceId, actor, active ? "dataflow.activated" : "dataflow.deactivated", id, new { dataflow.Name });
            await SaveAsync(db, cancellationToken);
            await SchedulesChangedAsync(db, id, cancellationToken);
        }
        return await Summaries(db.Dataflows.AsNoTracking().Where(d => d.Id == id)).SingleAsync(cancellationToken);
    }

    /// <summary>Saves a definition as the dataflow's next version: a draft, with the issues the validator found.</summary>
    public async Task<SavedDataflowVersion> SaveVersionAsync(int workspaceId, int id, DataflowDefinition definition, string? comment, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var dataflow = await RequireAsync(db, workspaceId, id, cancellationToken);
        var issues = await ValidateAsync(workspaceId, definition, cancellationToken);
        var version = await AddNextVersionAsync(db, dataflow, definition, comment, actor, cancellationToken);
        Audit(db, workspaceId, actor, "dataflow.version-saved", id, new { version.Number, comment, issues = issues.Count });
        await SaveAsync(db, cancellationToken);
        return new SavedDataflowVersion { DataflowId = id, Version = ToView(version), Issues = issues };
    }

    /// <summary>
    /// Everything that keeps a definition from running: the validator's issues, plus connections it names that the
    /// workspace lacks or that are of a type the setting does not take.
    /// </summary>
    public async Task<IReadOnlyList<ValidationIssue>> ValidateAsync(int workspaceId, DataflowDefinition definition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var issues = _validator.Validate(definition).ToList();
        var known = (await connections.ListAsync(workspaceId, cancellationToken)).ToDictionary(c => c.Name, c => c.Type, StringComparer.OrdinalIgnoreCase);
        foreach (var reference in ConnectionReferences.Find(definition, catalog))
        {
            if (!known.TryGetValue(reference.Name, out var type))
                issues.Add(new(reference.NodeId, null, reference.Setting, $"There is no connection named '{reference.Name}' in this workspace. Create it, or choose one of: {Known(known.Keys)}."));
            else if (reference.AcceptedTypes.Count > 0 && !reference.AcceptedTypes.Contains(type, StringComparer.OrdinalIgnoreCase))
                issues.Add(new(reference.NodeId, null, reference.Setting, $"Connection '{reference.Name}' is a {type} connection; this setting takes {string.Join(", ", reference.AcceptedTypes)}."));
        }
        return issues;
    }

    /// <summary>
    /// Publishes a version: schedules run it from now on; the version published before is archived. Refused when the
    /// version has issues, or when <paramref name="concurrencyStamp"/> is given and is not the version's current one.
    /// An archived version may be published again (a rollback).
    /// </summary>
    public async Task<DataflowVersionView> PublishAsync(int workspaceId, int id, int number, Guid? concurrencyStamp, string actor, CancellationToken cancellationToken = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var dataflow = await RequireAsync(db, workspaceId, id, cancellationToken);
        var version = await db.DataflowVersions.SingleOrDefaultAsync(v => v.DataflowId == id && v.Number == number, cancellationToken)
            ?? throw DataflowNotFoundException.Version(id, number);
        if (concurrencyStamp is { } stamp) ExpectStamp(db, version, stamp, $"Version {number} of dataflow '{dataflow.Name}'");
        if (version.State == DataflowVersionState.Published) return ToView(version);
        var definition = DataflowJson.Deserialize(version.Definition, $"version {number} of '{dataflow.Name}'");
        var errors = (await ValidateAsync(workspaceId, definition, cancellationToken)).Where(i => i.Severity == IssueSeverity.Error).ToList();
        if (errors.Count > 0)
            throw new DataflowIssuesException($"Version {number} of dataflow '{dataflow.Name}' has {errors.Count} issue(s) and cannot be published. Fix them, save a new version and publish that.", errors);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await PublishAsync(db, version, cancellationToken);
        Audit(db, workspaceId, actor, "dataflow.published", id, new { number });
        await SaveAsync(db, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return ToView(version);
    }

    /// <summary>Deletes a dataflow with its versions, schedules and run history; refused while a run of it is queued or running.</summary>
    public async Task DeleteAsync(int workspaceId, int id, string actor, CancellationToken cancellationToken = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var dataflow = await RequireAsync(db, workspaceId, id, cancellationToken);
        if (await db.Runs.AnyAsync(r => r.DataflowId == id && (r.Status == RunStatus.Queued || r.Status == RunStatus.Running), cancellationToken))
            throw new DataflowConflictException($"Dataflow '{dataflow.Name}' has a run queued or running. Cancel it (or wait for it to end), then delete the dataflow.");
        var schedules = await db.Schedules.Where(s => s.DataflowId == id).Select(s => s.Id).ToListAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Dataflows.Where(d => d.Id == id).ExecuteDeleteAsync(cancellationToken);
        Audit(db, workspaceId, actor, "dataflow.deleted", id, new { dataflow.Name });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await SchedulesChangedAsync(schedules, cancellationToken);
    }

    private async Task SchedulesChangedAsync(ConnectPlusDbContext db, int dataflowId, CancellationToken cancellationToken) =>
        await SchedulesChangedAsync(await db.Schedules.Where(s => s.DataflowId == dataflowId).Select(s => s.Id).ToListAsync(cancellationToken), cancellationToken);

    private async Task SchedulesChangedAsync(List<int> scheduleIds, CancellationToken cancellationToken)
    {
        if (scheduleIds.Count == 0) return;
        foreach (var sync in scheduleSyncs) await sync.SchedulesChangedAsync(scheduleIds, cancellationToken);
    }

    /// <summary>
    /// A version's definition in the export format (DataflowJson), under the dataflow's current name. Connections
    /// appear by name only: secrets live in the workspace's connections, never in a definition.
    /// </summary>
    public async Task<DataflowExport> ExportAsync(int workspaceId, int id, int number, CancellationToken cancellationToken = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var dataflow = await RequireAsync(db, workspaceId, id, cancellationToken);
        var stored = await db.DataflowVersions.AsNoTracking().Where(v => v.DataflowId == id && v.Number == number).Select(v => v.Definition).SingleOrDefaultAsync(cancellationToken)
            ?? throw DataflowNotFoundException.Version(id, number);
        var definition = DataflowJson.Deserialize(stored, $"version {number} of '{dataflow.Name}'") with { Name = dataflow.Name };
        return new DataflowExport(id, number, $"{FileNameOf(dataflow.Name)}.v{number}.json", DataflowJson.Serialize(definition));
    }

    /// <summary>
    /// Imports a definition as a new dataflow or as a new version of an existing one (see <see cref="DataflowImport.DataflowId"/>).
    /// Every connection it names must exist in the workspace; otherwise nothing is imported and
    /// <see cref="MissingConnectionsException"/> lists the missing names with the blocks and settings that use them.
    /// </summary>
    public async Task<DataflowImportResult> ImportAsync(int workspaceId, DataflowImport import, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(import);
        var definition = DataflowJson.Deserialize(import.Json, import.SourceName);
        await CheckConnectionsExistAsync(workspaceId, definition, cancellationToken);
        var issues = await ValidateAsync(workspaceId, definition, cancellationToken);
        var errors = issues.Where(i => i.Severity == IssueSeverity.Error).ToList();
        if (import.Publish && errors.Count > 0)
            throw new DataflowIssuesException($"The definition has {errors.Count} issue(s), so it cannot be published; nothing was imported. Fix them, or import without publishing.", errors);

        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var dataflow = await ImportTargetAsync(db, workspaceId, import, definition, cancellationToken);
        var created = dataflow.Id == 0;
        var version = created
            ? AddVersion(dataflow, definition with { Name = dataflow.Name }, import.Comment, actor)
            : await AddNextVersionAsync(db, dataflow, definition with { Name = dataflow.Name }, import.Comment, actor, cancellationToken);
        await SaveAsync(db, cancellationToken);
        if (import.Publish) await PublishAsync(db, version, cancellationToken);
        Audit(db, workspaceId, actor, "dataflow.imported", dataflow.Id, new { dataflow.Name, version.Number, created, published = import.Publish, source = import.SourceName });
        await SaveAsync(db, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new DataflowImportResult { Created = created, Saved = new SavedDataflowVersion { DataflowId = dataflow.Id, Version = ToView(version), Issues = issues } };
    }

    private async Task CheckConnectionsExistAsync(int workspaceId, DataflowDefinition definition, CancellationToken cancellationToken)
    {
        var known = (await connections.NamesAsync(workspaceId, cancellationToken)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var missing = ConnectionReferences.Find(definition, catalog)
            .Where(r => !known.Contains(r.Name))
            .GroupBy(r => r.Name, StringComparer.OrdinalIgnoreCase)
            .Select(g => new MissingConnection(g.Key, [.. g]))
            .ToList();
        if (missing.Count > 0) throw new MissingConnectionsException(missing);
    }

    private async Task<Dataflow> ImportTargetAsync(ConnectPlusDbContext db, int workspaceId, DataflowImport import, DataflowDefinition definition, CancellationToken cancellationToken)
    {
        if (import.DataflowId is { } id) return await RequireAsync(db, workspaceId, id, cancellationToken);
        var name = string.IsNullOrWhiteSpace(import.Name) ? definition.Name : import.Name;
        if (string.IsNullOrWhiteSpace(name))
            throw Invalid("name", "Name the dataflow: the definition has no 'name'; give one with the import's name parameter.");
        var normalized = Names.Normalize(name);
        var existing = await db.Dataflows.SingleOrDefaultAsync(d => d.WorkspaceId == workspaceId && d.NormalizedName == normalized, cancellationToken);
        return existing ?? await NewDataflowAsync(db, workspaceId, name, definition.Description, [], isActive: true, cancellationToken);
    }

    private async Task<Dataflow> NewDataflowAsync(ConnectPlusDbContext db, int workspaceId, string name, string? description, IReadOnlyList<string> tags, bool isActive, CancellationToken cancellationToken)
    {
        if (!await db.Workspaces.AnyAsync(w => w.Id == workspaceId, cancellationToken))
            throw new ValidationException($"Workspace {workspaceId} does not exist.");
        var now = time.GetUtcNow();
        var dataflow = new Dataflow
        {
            WorkspaceId = workspaceId,
            Name = await CheckNameAsync(db, workspaceId, name, exceptId: null, cancellationToken),
            Description = description,
            Tags = CleanTags(tags),
            IsActive = isActive,
            Created = now,
            Updated = now,
        };
        CheckRules(dataflow);
        db.Dataflows.Add(dataflow);
        return dataflow;
    }

    private DataflowVersion AddVersion(Dataflow dataflow, DataflowDefinition definition, string? comment, string actor, int number = 1)
    {
        var version = new DataflowVersion
        {
            Number = number,
            Definition = DataflowJson.Serialize(definition),
            State = DataflowVersionState.Draft,
            Author = actor,
            Comment = string.IsNullOrWhiteSpace(comment) ? null : comment.Trim(),
            Created = time.GetUtcNow(),
        };
        dataflow.Versions.Add(version);
        return version;
    }

    private async Task<DataflowVersion> AddNextVersionAsync(ConnectPlusDbContext db, Dataflow dataflow, DataflowDefinition definition, string? comment, string actor, CancellationToken cancellationToken)
    {
        var last = await db.DataflowVersions.Where(v => v.DataflowId == dataflow.Id).MaxAsync(v => (int?)v.Number, cancellationToken) ?? 0;
        return AddVersion(dataflow, definition, comment, actor, last + 1);
    }

    /// <summary>Archives the published version, then publishes this one: two statements, so the one-published index never sees two.</summary>
    private static async Task PublishAsync(ConnectPlusDbContext db, DataflowVersion version, CancellationToken cancellationToken)
    {
        var published = await db.DataflowVersions.Where(v => v.DataflowId == version.DataflowId && v.State == DataflowVersionState.Published && v.Id != version.Id).ToListAsync(cancellationToken);
        foreach (var previous in published) previous.State = DataflowVersionState.Archived;
        await SaveAsync(db, cancellationToken);
        version.State = DataflowVersionState.Published;
        await SaveAsync(db, cancellationToken);
    }

    /// <summary>Saves, turning a lost race (stale stamp, a name or version number taken meanwhile) into a conflict.</summary>
    private static async Task SaveAsync(ConnectPlusDbContext db, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException ex)
        {
            throw new DataflowConflictException("The dataflow was changed by someone else meanwhile. Read it again, then repeat your change.", ex);
        }
        catch (DbUpdateException ex)
        {
            throw new DataflowConflictException("Someone else changed the dataflow at the same moment (a name or version number was taken meanwhile). Read it again, then repeat your change.", ex);
        }
    }

    private static void ExpectStamp<T>(ConnectPlusDbContext db, T row, Guid stamp, string what) where T : class, IConcurrencyStamped
    {
        if (row.ConcurrencyStamp != stamp) throw DataflowConflictException.Stale(what);
        // Also checked by the database at save: a change that lands between this read and the save is caught there.
        db.Entry(row).Property(r => r.ConcurrencyStamp).OriginalValue = stamp;
    }

    private static async Task<string> CheckNameAsync(ConnectPlusDbContext db, int workspaceId, string? name, int? exceptId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(name)) throw Invalid("name", "Give the dataflow a name.");
        var trimmed = name.Trim();
        if (trimmed.Length > MaxNameLength) throw Invalid("name", $"Keep the dataflow's name to {MaxNameLength} characters.");
        var normalized = Names.Normalize(trimmed);
        if (await db.Dataflows.AnyAsync(d => d.WorkspaceId == workspaceId && d.NormalizedName == normalized && d.Id != exceptId, cancellationToken))
            throw new DataflowConflictException($"This workspace already has a dataflow named '{trimmed}'; choose another name.");
        return trimmed;
    }

    /// <summary>The entity's own rules (tags), reported before saving with the setting they concern.</summary>
    private static void CheckRules(Dataflow dataflow)
    {
        var problem = dataflow.Validate(new ValidationContext(dataflow)).FirstOrDefault();
        if (problem is not null)
            throw new ValidationException(new ValidationResult(problem.ErrorMessage, [.. problem.MemberNames.Select(JsonNamingPolicy.CamelCase.ConvertName)]), null, null);
    }

    private static ValidationException Invalid(string member, string message) => new(new ValidationResult(message, [member]), null, null);

    private static List<string> CleanTags(IReadOnlyList<string>? tags) =>
        [.. (tags ?? []).Select(t => t?.Trim() ?? "")];

    private static async Task<Dataflow> RequireAsync(ConnectPlusDbContext db, int workspaceId, int id, CancellationToken cancellationToken) =>
        await db.Dataflows.SingleOrDefaultAsync(d => d.Id == id && d.WorkspaceId == workspaceId, cancellationToken)
            ?? throw DataflowNotFoundException.Dataflow(id);

    private static async Task<DataflowDetails> DetailsAsync(ConnectPlusDbContext db, int workspaceId, int id, CancellationToken cancellationToken)
    {
        var summary = await Summaries(db.Dataflows.AsNoTracking().Where(d => d.Id == id && d.WorkspaceId == workspaceId)).SingleOrDefaultAsync(cancellationToken)
            ?? throw DataflowNotFoundException.Dataflow(id);
        var versions = await db.DataflowVersions.AsNoTracking().Where(v => v.DataflowId == id).OrderByDescending(v => v.Number).ToListAsync(cancellationToken);
        return new DataflowDetails { Dataflow = summary, Versions = [.. versions.Select(ToView)] };
    }

    private static IQueryable<DataflowSummary> Summaries(IQueryable<Dataflow> rows) => rows.Select(d => new DataflowSummary
    {
        Id = d.Id,
        Name = d.Name,
        Description = d.Description,
        Tags = d.Tags,
        IsActive = d.IsActive,
        PublishedVersion = d.Versions.Where(v => v.State == DataflowVersionState.Published).Select(v => (int?)v.Number).FirstOrDefault(),
        LatestVersion = d.Versions.Max(v => (int?)v.Number) ?? 0,
        Created = d.Created,
        Updated = d.Updated,
        ConcurrencyStamp = d.ConcurrencyStamp,
    });

    private static DataflowVersionView ToView(DataflowVersion v) => new()
    {
        Number = v.Number,
        State = v.State,
        Author = v.Author,
        Comment = v.Comment,
        Created = v.Created,
        ConcurrencyStamp = v.ConcurrencyStamp,
    };

    private void Audit(ConnectPlusDbContext db, int workspaceId, string actor, string action, int dataflowId, object details) =>
        db.AuditEntries.Add(new AuditEntry
        {
            Time = time.GetUtcNow(),
            WorkspaceId = workspaceId,
            User = actor,
            Action = action,
            EntityType = nameof(Dataflow),
            EntityId = dataflowId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Details = JsonSerializer.Serialize(details),
        });

    private static string Known(IEnumerable<string> names)
    {
        var list = string.Join(", ", names);
        return list.Length == 0 ? "(none yet)" : list;
    }

    private static string FileNameOf(string name)
    {
        var invalid = Path.GetInvalidFileNameChars();
        var cleaned = new string([.. name.Select(c => invalid.Contains(c) || char.IsWhiteSpace(c) ? '-' : c)]).Trim('-');
        return cleaned.Length == 0 ? "dataflow" : cleaned;
    }
}
