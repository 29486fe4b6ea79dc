using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ConnectPlus.Web.Data.Configurations;

internal sealed class ProcessedFileConfiguration : IEntityTypeConfiguration<ProcessedFile>
{
    public void Configure(EntityTypeBuilder<ProcessedFile> builder)
    {
        // Lengths keep the file-version index under SQL Server's 1,700-byte key limit.
        builder.Property(f => f.Location).HasMaxLength(300);
        builder.Property(f => f.Path).HasMaxLength(500);
        builder.HasIndex(f => new { f.Location, f.Path, f.Size, f.Modified });
        builder.Property(f => f.Checksum).HasMaxLength(128);
        builder.Property(f => f.RunKey).HasMaxLength(64);
        builder.HasIndex(f => f.RunKey);
    }
}
