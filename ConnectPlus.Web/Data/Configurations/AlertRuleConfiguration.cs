using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ConnectPlus.Web.Data.Configurations;

internal sealed class AlertRuleConfiguration : IEntityTypeConfiguration<AlertRule>
{
    public void Configure(EntityTypeBuilder<AlertRule> builder)
    {
        builder.Property(r => r.Name).HasMaxLength(200);
        builder.Property(r => r.Target).HasMaxLength(1000);
        builder.HasOne(r => r.Workspace).WithMany().HasForeignKey(r => r.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        // The workspace already cascades to the rule and SQL Server allows one path; EF deletes a
        // dataflow's rules with it when they are loaded, the database refuses to orphan them otherwise.
        builder.HasOne(r => r.Dataflow).WithMany().HasForeignKey(r => r.DataflowId).OnDelete(DeleteBehavior.ClientCascade);
    }
}
