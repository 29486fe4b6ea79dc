using System.ComponentModel.DataAnnotations;
using ConnectPlus.Engine.Catalog;

namespace ConnectPlus.Engine.Connectors;

/// <summary>Settings every remote file connection (SFTP, FTP, S3) has: how it retries transient faults.</summary>
public abstract class RemoteConnectionSettings
{
    /// <summary>
    /// Attempts in all for each operation, the first included, when the connection drops, times out or is
    /// refused (a server restarting). Wrong passwords, missing folders and the like are never retried.
    /// </summary>
    [Range(1, 10, ErrorMessage = "Give between 1 and 10 attempts.")]
    [Setting(Order = 100, Group = "Retries")]
    public int RetryAttempts { get; set; } = 3;

    /// <summary>Seconds to wait before the first retry; the wait doubles for each further one (at most 30 s), with some randomness.</summary>
    [Range(0, 30, ErrorMessage = "Give a delay between 0 and 30 seconds.")]
    [Setting(Order = 101, Group = "Retries")]
    public double RetryDelaySeconds { get; set; } = 1;

    /// <summary>The retry policy these settings describe, telling <paramref name="onRetry"/> about each retry.</summary>
    protected RetryPolicy CreateRetryPolicy(Action<RetryNotice>? onRetry) => new(RetryAttempts, TimeSpan.FromSeconds(RetryDelaySeconds)) { OnRetry = onRetry };
}
