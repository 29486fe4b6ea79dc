using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ConnectPlus.Web.Data.Configurations;

internal sealed class RunBlockStatConfiguration : IEntityTypeConfiguration<RunBlockStat>
{
    public void Configure(EntityTypeBuilder<RunBlockStat> builder)
    {
        builder.Property(s => s.NodeId).HasMaxLength(100);
        builder.Property(s => s.BlockType).HasMaxLength(100);
        builder.Property(s => s.State).HasMaxLength(32);
        builder.HasIndex(s => new { s.RunId, s.NodeId }).IsUnique();
    }
}
