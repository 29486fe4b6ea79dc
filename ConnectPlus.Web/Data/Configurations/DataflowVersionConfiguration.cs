using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ConnectPlus.Web.Data.Configurations;

internal sealed class DataflowVersionConfiguration : IEntityTypeConfiguration<DataflowVersion>
{
    public void Configure(EntityTypeBuilder<DataflowVersion> builder)
    {
        builder.HasIndex(v => new { v.DataflowId, v.Number }).IsUnique();
        // At most one published version per dataflow. Standard SQL quoting: PostgreSQL needs it for the
        // mixed-case names, SQLite takes it, SQL Server takes it (filtered indexes need QUOTED_IDENTIFIER ON anyway).
        builder.HasIndex(v => v.DataflowId)
            .HasDatabaseName("IX_DataflowVersions_Published")
            .HasFilter($"\"State\" = '{nameof(DataflowVersionState.Published)}'")
            .IsUnique();
        builder.Property(v => v.Definition).IsRequired();
        builder.Property(v => v.Author).HasMaxLength(200);
        builder.Property(v => v.Comment).HasMaxLength(1000);
        builder.Property(v => v.ConcurrencyStamp).IsConcurrencyToken();
    }
}
