using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ConnectPlus.Web.Data.Configurations;

internal sealed class RunLogLineConfiguration : IEntityTypeConfiguration<RunLogLine>
{
    public void Configure(EntityTypeBuilder<RunLogLine> builder)
    {
        builder.HasIndex(l => new { l.RunId, l.Sequence }).IsUnique();
        builder.Property(l => l.NodeId).HasMaxLength(100);
        builder.Property(l => l.Message).HasMaxLength(RunLogLine.MaxMessageLength);
    }
}
