using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace ConnectPlus.Web.Data;

/// <summary>
/// The Connect+ database. One subclass per provider (<see cref="Providers"/>) owns that provider's
/// migrations (Data/Migrations/&lt;Provider&gt;/); everything else is here and in Configurations/.
/// Get contexts from <c>IDbContextFactory&lt;ConnectPlusDbContext&gt;</c> (Blazor circuits outlive a request).
/// </summary>
public abstract class ConnectPlusDbContext(DbContextOptions options) : DbContext(options), IDataProtectionKeyContext
{
    public DbSet<Workspace> Workspaces => Set<Workspace>();
    public DbSet<Dataflow> Dataflows => Set<Dataflow>();
    public DbSet<DataflowVersion> DataflowVersions => Set<DataflowVersion>();
    public DbSet<Connection> Connections => Set<Connection>();
    public DbSet<Schedule> Schedules => Set<Schedule>();
    public DbSet<Run> Runs => Set<Run>();
    public DbSet<RunBlockStat> RunBlockStats => Set<RunBlockStat>();
    public DbSet<RunError> RunErrors => Set<RunError>();
    public DbSet<RunLogLine> RunLogLines => Set<RunLogLine>();
    public DbSet<ProcessedFile> ProcessedFiles => Set<ProcessedFile>();
    public DbSet<Checkpoint> Checkpoints => Set<Checkpoint>();
    public DbSet<AlertRule> AlertRules => Set<AlertRule>();
    public DbSet<Alert> Alerts => Set<Alert>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    /// <summary>ASP.NET Data Protection's key ring: every node that shares the database decrypts connection secrets.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(ConnectPlusDbContext).Assembly,
            t => t.Namespace == typeof(Configurations.WorkspaceConfiguration).Namespace);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        ArgumentNullException.ThrowIfNull(configurationBuilder);
        // Enums as their names: readable in the database, and adding a value needs no data migration.
        configurationBuilder.Properties<Enum>().HaveConversion<string>().HaveMaxLength(32);
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        BeforeSave();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        BeforeSave();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    /// <summary>Validates entities that carry their own rules and renews the concurrency stamps of changed rows.</summary>
    private void BeforeSave()
    {
        foreach (var entry in ChangeTracker.Entries())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified)) continue;
            if (entry.Entity is IValidatableObject validatable)
            {
                var problems = validatable.Validate(new ValidationContext(entry.Entity)).ToList();
                if (problems.Count > 0) throw new ValidationException(string.Join(" ", problems.Select(p => p.ErrorMessage)));
            }
            if (entry.State == EntityState.Modified && entry.Entity is IConcurrencyStamped stamped)
                stamped.ConcurrencyStamp = Guid.NewGuid();
        }
    }
}
