using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ConnectPlus.Web.Data.Configurations;

internal sealed class WorkspaceConfiguration : IEntityTypeConfiguration<Workspace>
{
    public void Configure(EntityTypeBuilder<Workspace> builder)
    {
        builder.Property(w => w.Name).HasMaxLength(100);
        builder.Property(w => w.NormalizedName).HasMaxLength(100);
        builder.HasIndex(w => w.NormalizedName).IsUnique();
        builder.Property(w => w.Description).HasMaxLength(1000);
        builder.HasMany(w => w.Dataflows).WithOne(d => d.Workspace).HasForeignKey(d => d.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(w => w.Connections).WithOne(c => c.Workspace).HasForeignKey(c => c.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}
