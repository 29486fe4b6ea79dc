using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ConnectPlus.Web.Data.Configurations;

internal sealed class ScheduleConfiguration : IEntityTypeConfiguration<Schedule>
{
    public void Configure(EntityTypeBuilder<Schedule> builder)
    {
        builder.Property(s => s.CronExpression).HasMaxLength(120);
        builder.Property(s => s.TimeZone).HasMaxLength(64);
        builder.Property(s => s.ConcurrencyStamp).IsConcurrencyToken();
    }
}
