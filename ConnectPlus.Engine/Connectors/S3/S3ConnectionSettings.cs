using System.ComponentModel.DataAnnotations;
using ConnectPlus.Engine.Catalog;

namespace ConnectPlus.Engine.Connectors.S3;

/// <summary>An Amazon S3 bucket, or a bucket on an S3-compatible server (MinIO, Ceph, Wasabi…), signed in with an access key.</summary>
[ConnectionType("s3", "S3 bucket", Icon = "cloud")]
public sealed class S3ConnectionSettings : RemoteConnectionSettings, IFileConnectionSettings
{
    /// <summary>The bucket's name.</summary>
    [Required(ErrorMessage = "Give the bucket's name.")]
    [RegularExpression(@"^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$", ErrorMessage = "Give a bucket name as S3 spells them: 3 to 63 lowercase letters, digits, dots and hyphens.")]
    [Setting(Order = 1, Group = "Bucket", Placeholder = "brand-exports")]
    public string Bucket { get; set; } = "";

    /// <summary>The AWS region the bucket lives in (for S3-compatible servers, the region they expect, often us-east-1).</summary>
    [Required(ErrorMessage = "Give the bucket's region, e.g. ap-south-1.")]
    [Setting(Order = 2, Group = "Bucket", Placeholder = "ap-south-1")]
    public string Region { get; set; } = "us-east-1";

    /// <summary>
    /// The folder (key prefix) inside the bucket that dataflows' paths start from, e.g. <c>exports/brand</c>.
    /// Empty means the whole bucket.
    /// </summary>
    [Setting(Order = 3, Group = "Bucket", Editor = EditorHint.FolderPath, Placeholder = "exports/brand")]
    public string Prefix { get; set; } = "";

    /// <summary>The access key ID of the IAM user (or the S3-compatible server's account).</summary>
    [Required(ErrorMessage = "Give the access key ID.")]
    [Setting(Order = 10, Group = "Sign-in", Placeholder = "AKIA…")]
    public string AccessKeyId { get; set; } = "";

    /// <summary>The secret access key that goes with the access key ID.</summary>
    [Required(ErrorMessage = "Give the secret access key.")]
    [Setting(Order = 11, Group = "Sign-in", Secret = true)]
    public string SecretAccessKey { get; set; } = "";

    /// <summary>
    /// For S3-compatible servers: their address, e.g. <c>https://minio.brand.com:9000</c>. Leave empty for Amazon S3.
    /// </summary>
    [RegularExpression(@"^https?://[^\s/]+(/\S*)?$", ErrorMessage = "Give the server's address as a URL, e.g. https://minio.brand.com:9000.")]
    [Setting(Order = 20, Group = "Advanced", Placeholder = "https://minio.brand.com:9000")]
    public string ServiceUrl { get; set; } = "";

    /// <summary>Address the bucket in the path (<c>server/bucket/key</c>) instead of the host name (<c>bucket.server/key</c>). Most S3-compatible servers need this.</summary>
    [Setting(Order = 21, Group = "Advanced")]
    public bool ForcePathStyle { get; set; }

    /// <summary>Seconds to wait for the server to accept a connection and answer a request.</summary>
    [Range(1, 3600, ErrorMessage = "Give a timeout between 1 and 3600 seconds.")]
    [Setting(Order = 22, Group = "Advanced")]
    public int TimeoutSeconds { get; set; } = 60;

    public IFileLocation Open(string connectionName, Action<RetryNotice>? onRetry) => new S3FileLocation(this, CreateRetryPolicy(onRetry));
}
