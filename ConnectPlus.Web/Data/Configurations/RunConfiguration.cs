using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ConnectPlus.Web.Data.Configurations;

internal sealed class RunConfiguration : IEntityTypeConfiguration<Run>
{
    /// <summary>The index that keeps one active (Queued or Running) run per dataflow.</summary>
    public const string ActiveRunIndex = "IX_Runs_OneActivePerDataflow";

    public void Configure(EntityTypeBuilder<Run> builder)
    {
        builder.Property(r => r.Key).HasMaxLength(64);
        builder.HasIndex(r => r.Key).IsUnique();
        // Run history of a dataflow, newest first; and the queued/running runs the scheduler looks at.
        builder.HasIndex(r => new { r.DataflowId, r.Queued });
        builder.HasIndex(r => r.Status);
        // Never two runs of one dataflow at once, across nodes: at most one row per dataflow may be Queued or
        // Running. The database refuses the second insert (or the second resume), whichever node makes it.
        // Standard SQL quoting and IN: PostgreSQL, SQLite and SQL Server filtered indexes all take it.
        builder.HasIndex(r => r.DataflowId, ActiveRunIndex)
            .HasFilter($"\"Status\" IN ('{nameof(RunStatus.Queued)}', '{nameof(RunStatus.Running)}')")
            .IsUnique();
        builder.Property(r => r.CancelRequestedBy).HasMaxLength(200);
        builder.Property(r => r.TriggeredBy).HasMaxLength(200);
        builder.Property(r => r.Node).HasMaxLength(200);
        builder.Property(r => r.Error).HasMaxLength(Run.MaxErrorLength);
        builder.Property(r => r.FailedNodeId).HasMaxLength(100);
        builder.Property(r => r.ErrorFilePath).HasMaxLength(1024);
        builder.Property(r => r.SuccessFilePath).HasMaxLength(1024);
        builder.Property(r => r.ConcurrencyStamp).IsConcurrencyToken();
        builder.HasOne(r => r.Dataflow).WithMany().HasForeignKey(r => r.DataflowId).OnDelete(DeleteBehavior.Cascade);
        // A version that runs used cannot be deleted on its own; deleting the dataflow deletes both (NO ACTION is
        // checked at the end of the statement, after the cascades; SQL Server allows one cascade path anyway).
        builder.HasOne(r => r.DataflowVersion).WithMany().HasForeignKey(r => r.DataflowVersionId).OnDelete(DeleteBehavior.NoAction);
        builder.HasMany(r => r.BlockStats).WithOne().HasForeignKey(s => s.RunId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(r => r.Errors).WithOne().HasForeignKey(e => e.RunId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(r => r.LogLines).WithOne().HasForeignKey(l => l.RunId).OnDelete(DeleteBehavior.Cascade);
        builder.Ignore(r => r.IsFinished);
    }
}
