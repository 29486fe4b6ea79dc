using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ConnectPlus.Web.Data.Configurations;

internal sealed class RunErrorConfiguration : IEntityTypeConfiguration<RunError>
{
    public void Configure(EntityTypeBuilder<RunError> builder)
    {
        builder.ToTable(t => t.HasCheckConstraint("CK_RunErrors_Sequence", $"\"Sequence\" BETWEEN 1 AND {RunError.MaxPerRun}"));
        builder.HasIndex(e => new { e.RunId, e.Sequence }).IsUnique();
        builder.Property(e => e.NodeId).HasMaxLength(100);
        builder.Property(e => e.Code).HasMaxLength(100);
        builder.Property(e => e.Message).HasMaxLength(RunError.MaxMessageLength);
        builder.Property(e => e.SourceFile).HasMaxLength(1024);
    }
}
