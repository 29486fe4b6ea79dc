using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ConnectPlus.Web.Data.Configurations;

internal sealed class CheckpointConfiguration : IEntityTypeConfiguration<Checkpoint>
{
    public void Configure(EntityTypeBuilder<Checkpoint> builder)
    {
        // Lengths keep the unique index under SQL Server's 1,700-byte key limit.
        builder.Property(c => c.Dataflow).HasMaxLength(200);
        builder.Property(c => c.NodeId).HasMaxLength(100);
        builder.Property(c => c.Source).HasMaxLength(500);
        builder.HasIndex(c => new { c.Dataflow, c.NodeId, c.Source, c.Batch }).IsUnique();
        builder.Property(c => c.Digest).HasMaxLength(128);
        builder.Property(c => c.RunKey).HasMaxLength(64);
    }
}
