using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ConnectPlus.Web.Data.Configurations;

internal sealed class AlertConfiguration : IEntityTypeConfiguration<Alert>
{
    public void Configure(EntityTypeBuilder<Alert> builder)
    {
        builder.Property(a => a.Message).HasMaxLength(2000);
        builder.Property(a => a.AcknowledgedBy).HasMaxLength(200);
        builder.HasOne(a => a.AlertRule).WithMany().HasForeignKey(a => a.AlertRuleId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(a => a.Raised);
        builder.HasIndex(a => a.RunId);
    }
}
