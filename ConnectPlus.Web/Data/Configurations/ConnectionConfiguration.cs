using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ConnectPlus.Web.Data.Configurations;

internal sealed class ConnectionConfiguration : IEntityTypeConfiguration<Connection>
{
    public void Configure(EntityTypeBuilder<Connection> builder)
    {
        builder.Property(c => c.Name).HasMaxLength(100);
        builder.Property(c => c.NormalizedName).HasMaxLength(100);
        builder.HasIndex(c => new { c.WorkspaceId, c.NormalizedName }).IsUnique();
        builder.Property(c => c.Type).HasMaxLength(50);
        builder.Property(c => c.Description).HasMaxLength(1000);
        builder.Property(c => c.Settings).IsRequired();
        builder.Property(c => c.ConcurrencyStamp).IsConcurrencyToken();
    }
}
