using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ConnectPlus.Web.Data.Configurations;

internal sealed class DataflowConfiguration : IEntityTypeConfiguration<Dataflow>
{
    public void Configure(EntityTypeBuilder<Dataflow> builder)
    {
        builder.Property(d => d.Name).HasMaxLength(200);
        builder.Property(d => d.NormalizedName).HasMaxLength(200);
        builder.HasIndex(d => new { d.WorkspaceId, d.NormalizedName }).IsUnique();
        builder.Property(d => d.Description).HasMaxLength(2000);
        // A primitive collection: a JSON array on SQLite and SQL Server, text[] on PostgreSQL; queryable on all three.
        builder.PrimitiveCollection(d => d.Tags).ElementType().HasMaxLength(Dataflow.MaxTagLength);
        builder.Property(d => d.ConcurrencyStamp).IsConcurrencyToken();
        builder.HasMany(d => d.Versions).WithOne(v => v.Dataflow).HasForeignKey(v => v.DataflowId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(d => d.Schedules).WithOne(s => s.Dataflow).HasForeignKey(s => s.DataflowId).OnDelete(DeleteBehavior.Cascade);
    }
}
