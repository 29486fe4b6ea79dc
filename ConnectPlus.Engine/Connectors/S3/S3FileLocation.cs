using System.Buffers;
using System.Net;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace ConnectPlus.Engine.Connectors.S3;

/// <summary>
/// Objects in an S3 bucket (AWSSDK.S3), under a key prefix. Folders are key prefixes: listing a folder
/// that has no objects gives nothing rather than an error, and creating one is a no-op.
/// </summary>
/// <remarks>
/// <para>Writes need no temporary name: S3 makes an object visible only once its upload is complete, whole.
/// A file up to <see cref="PartSize"/> is one PUT; a larger one is a multipart upload fed part by part from
/// the caller's stream (one part in memory at a time), completed at the end and aborted on any failure, so
/// a reader sees the old object or the new one, never a part. Each request is retried on its own on transient
/// faults (a part is in memory, so it can be sent again). The no-replace modes check the target first and
/// also send <c>If-None-Match: *</c>, which Amazon S3 enforces atomically (servers that ignore it fall back to
/// the check).</para>
/// <para>A move is a copy and a delete (S3 has no rename): atomic for readers of the target, but for a moment
/// both keys exist. Copies are limited to 5 GB by S3's CopyObject.</para>
/// </remarks>
public sealed class S3FileLocation : RemoteFileLocation
{
    /// <summary>Size of an upload part (and the largest object sent in one PUT).</summary>
    internal const int PartSize = 8 << 20;

    private readonly S3ConnectionSettings _settings;
    private readonly string _prefix;
    private readonly AmazonS3Client _client;

    public S3FileLocation(S3ConnectionSettings settings, RetryPolicy? retry = null)
        : base(DisplayOf(settings), retry ?? RetryPolicy.None)
    {
        _settings = settings;
        _prefix = RemotePath.Normalize(settings.Prefix);
        var config = new AmazonS3Config
        {
            ForcePathStyle = settings.ForcePathStyle,
            Timeout = TimeSpan.FromSeconds(settings.TimeoutSeconds),
            ConnectTimeout = TimeSpan.FromSeconds(settings.TimeoutSeconds),
            // Retries are RetryPolicy's, the same for every connection type (and counted in one place).
            MaxErrorRetry = 0,
            // Checksums only where S3 requires them: S3-compatible servers often reject the trailing checksums
            // the SDK would send otherwise. TLS and the SigV4 signature still protect the content.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (settings.ServiceUrl.Length > 0)
        {
            config.ServiceURL = settings.ServiceUrl;
            config.AuthenticationRegion = settings.Region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(settings.Region);
        }
        _client = new AmazonS3Client(new BasicAWSCredentials(settings.AccessKeyId, settings.SecretAccessKey), config);
    }

    private static string DisplayOf(S3ConnectionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var prefix = RemotePath.Normalize(settings.Prefix);
        var endpoint = settings.ServiceUrl.Length > 0 ? $" at {settings.ServiceUrl}" : $" ({settings.Region})";
        return $"s3://{settings.Bucket}/{prefix}{endpoint}";
    }

    protected override async Task TestRootAsync(CancellationToken cancellationToken)
    {
        // A listing (not HEAD): its error answers say why (no such bucket, bad key, signature, access denied).
        await _client.ListObjectsV2Async(new ListObjectsV2Request
        {
            BucketName = _settings.Bucket,
            Prefix = FolderPrefix(""),
            MaxKeys = 1,
        }, cancellationToken).ConfigureAwait(false);
    }

    protected override async Task<IReadOnlyList<RemoteEntry>> ListFolderAsync(string folder, CancellationToken cancellationToken)
    {
        var entries = new List<RemoteEntry>();
        await foreach (var page in PagesAsync(folder, "/", cancellationToken).ConfigureAwait(false))
        {
            entries.AddRange((page.CommonPrefixes ?? []).Select(p => new RemoteEntry(RemotePath.Name(p.TrimEnd('/')), true, 0, default)));
            entries.AddRange(Files(page).Select(f => new RemoteEntry(f.Name, false, f.Size, f.Modified)));
        }
        return entries;
    }

    protected override async Task<List<RemoteFile>> ListFilesAsync(string folder, bool recursive, CancellationToken cancellationToken)
    {
        var files = new List<RemoteFile>();
        // Recursive: one flat listing of the prefix, not a request per folder.
        await foreach (var page in PagesAsync(folder, recursive ? null : "/", cancellationToken).ConfigureAwait(false))
            files.AddRange(Files(page));
        return files;
    }

    protected override async Task<RemoteFile?> StatFileAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            var metadata = await _client.GetObjectMetadataAsync(_settings.Bucket, Key(path), cancellationToken).ConfigureAwait(false);
            return new RemoteFile(path, metadata.ContentLength, Utc(metadata.LastModified)) { Checksum = Checksum(metadata.ETag) };
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound && ex.ErrorCode != "NoSuchBucket")
        {
            return null;
        }
    }

    protected override async Task<Stream> OpenFileAsync(string path, CancellationToken cancellationToken)
    {
        var response = await _client.GetObjectAsync(_settings.Bucket, Key(path), cancellationToken).ConfigureAwait(false);
        return new RemoteReadStream(response.ResponseStream, this, path, response);
    }

    protected override Task UploadFileAsync(string path, Stream content, CancellationToken cancellationToken) =>
        UploadObjectAsync(path, content, replace: true, cancellationToken);

    /// <summary>S3 PUTs are atomic already: the object is written under its own name, no temporary needed.</summary>
    protected override Task WriteFileAsync(string path, Stream content, bool replace, CancellationToken cancellationToken) =>
        UploadObjectAsync(path, content, replace, cancellationToken);

    protected override async Task RenameAsync(string fromPath, string toPath, bool replace, CancellationToken cancellationToken)
    {
        await _client.CopyObjectAsync(new CopyObjectRequest
        {
            SourceBucket = _settings.Bucket,
            SourceKey = Key(fromPath),
            DestinationBucket = _settings.Bucket,
            DestinationKey = Key(toPath),
        }, cancellationToken).ConfigureAwait(false);
        await _client.DeleteObjectAsync(_settings.Bucket, Key(fromPath), cancellationToken).ConfigureAwait(false);
    }

    protected override Task CreateFolderAsync(string folder, CancellationToken cancellationToken) => Task.CompletedTask;

    protected override async Task DeleteFileAsync(string path, CancellationToken cancellationToken) =>
        await _client.DeleteObjectAsync(_settings.Bucket, Key(path), cancellationToken).ConfigureAwait(false);

    protected internal override (ConnectionFailure Failure, string Reason) Classify(Exception exception) => exception switch
    {
        AmazonS3Exception s3 => ClassifyAnswer(s3),
        // The SDK reports its own timeout as a TimeoutException over the cancelled socket read.
        TaskCanceledException or TimeoutException => (ConnectionFailure.Timeout, "the server did not answer in time."),
        _ when NetworkFaults.Find(exception) is { } socket => NetworkFaults.Classify(socket, Host, Port),
        HttpRequestException or IOException or ObjectDisposedException => (ConnectionFailure.ConnectionLost, $"the connection was lost ({exception.Message})."),
        AmazonClientException => (ConnectionFailure.ServerError, exception.Message),
        _ => (ConnectionFailure.ServerError, exception.Message),
    };

    public override ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    private (ConnectionFailure, string) ClassifyAnswer(AmazonS3Exception exception) => exception.ErrorCode switch
    {
        "NoSuchBucket" => (ConnectionFailure.NotFoundOnServer, $"the bucket '{_settings.Bucket}' does not exist. Check 'bucket' (and 'region')."),
        "NoSuchKey" => (ConnectionFailure.NotFoundOnServer, "there is no such file."),
        "InvalidAccessKeyId" => (ConnectionFailure.AuthenticationFailed, $"the server does not know the access key ID '{_settings.AccessKeyId}'. Check 'accessKeyId'."),
        "SignatureDoesNotMatch" => (ConnectionFailure.AuthenticationFailed, "the secret access key does not match the access key ID. Check 'secretAccessKey'."),
        "InvalidToken" or "ExpiredToken" or "TokenRefreshRequired" => (ConnectionFailure.AuthenticationFailed, $"the server refused the credentials ({exception.ErrorCode})."),
        "AccessDenied" or "AllAccessDisabled" => (ConnectionFailure.PermissionDenied, $"access key '{_settings.AccessKeyId}' may not do this ({exception.Message})."),
        "PreconditionFailed" or "ConditionalRequestConflict" => (ConnectionFailure.AlreadyExists, "the target exists already."),
        "PermanentRedirect" or "AuthorizationHeaderMalformed" or "IllegalLocationConstraintException" =>
            (ConnectionFailure.InvalidSettings, $"the bucket is in another region than '{_settings.Region}' ({exception.Message}). Check 'region'."),
        "SlowDown" or "RequestTimeout" or "InternalError" or "ServiceUnavailable" => (ConnectionFailure.ConnectionLost, $"the server could not do it now ({exception.ErrorCode})."),
        _ when (int)exception.StatusCode >= 500 => (ConnectionFailure.ConnectionLost, $"the server failed ({(int)exception.StatusCode} {exception.ErrorCode}: {exception.Message})."),
        _ when exception.StatusCode == HttpStatusCode.NotFound => (ConnectionFailure.NotFoundOnServer, "there is no such file."),
        _ when exception.StatusCode == HttpStatusCode.Forbidden => (ConnectionFailure.PermissionDenied, $"access key '{_settings.AccessKeyId}' may not do this."),
        _ => (ConnectionFailure.ServerError, $"the server answered {(int)exception.StatusCode} {exception.ErrorCode}: {exception.Message}"),
    };

    /// <summary>
    /// Uploads the content as one PUT when it fits in a part, else as a multipart upload: part by part from the
    /// stream, each part retried on its own, completed at the end, aborted on any failure.
    /// </summary>
    private async Task UploadObjectAsync(string path, Stream content, bool replace, CancellationToken cancellationToken)
    {
        var key = Key(path);
        var buffer = ArrayPool<byte>.Shared.Rent(PartSize);
        string? uploadId = null;
        try
        {
            var filled = await content.ReadAtLeastAsync(buffer.AsMemory(0, PartSize), PartSize, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            if (filled < PartSize)
            {
                await RunAsync($"write '{path}'", ct => _client.PutObjectAsync(new PutObjectRequest
                {
                    BucketName = _settings.Bucket,
                    Key = key,
                    InputStream = new MemoryStream(buffer, 0, filled, writable: false),
                    IfNoneMatch = replace ? null : "*",
                    UseChunkEncoding = false,
                }, ct), cancellationToken).ConfigureAwait(false);
                return;
            }
            var started = await RunAsync($"start writing '{path}'", ct => _client.InitiateMultipartUploadAsync(_settings.Bucket, key, ct), cancellationToken).ConfigureAwait(false);
            uploadId = started.UploadId;
            var parts = new List<PartETag>();
            while (filled > 0)
            {
                var number = parts.Count + 1;
                var size = filled;
                var part = await RunAsync($"write part {number} of '{path}'", ct => _client.UploadPartAsync(new UploadPartRequest
                {
                    BucketName = _settings.Bucket,
                    Key = key,
                    UploadId = uploadId,
                    PartNumber = number,
                    InputStream = new MemoryStream(buffer, 0, size, writable: false),
                    UseChunkEncoding = false,
                }, ct), cancellationToken).ConfigureAwait(false);
                parts.Add(new PartETag(number, part.ETag));
                filled = await content.ReadAtLeastAsync(buffer.AsMemory(0, PartSize), PartSize, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            }
            await RunAsync($"finish writing '{path}'", ct => _client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = _settings.Bucket,
                Key = key,
                UploadId = uploadId,
                PartETags = parts,
                IfNoneMatch = replace ? null : "*",
            }, ct), cancellationToken).ConfigureAwait(false);
            uploadId = null;
        }
        catch (Exception) when (uploadId is not null)
        {
            await AbortUploadAsync(key, uploadId).ConfigureAwait(false);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task AbortUploadAsync(string key, string uploadId)
    {
        try
        {
            await _client.AbortMultipartUploadAsync(_settings.Bucket, key, uploadId, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is AmazonServiceException or AmazonClientException or HttpRequestException or IOException or TaskCanceledException)
        {
            // The upload's own failure is what the caller must see. An unfinished multipart upload is invisible
            // to readers; a bucket lifecycle rule (AbortIncompleteMultipartUpload) clears its parts.
        }
    }

    private async IAsyncEnumerable<ListObjectsV2Response> PagesAsync(string folder, string? delimiter, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? token = null;
        do
        {
            var page = await _client.ListObjectsV2Async(new ListObjectsV2Request
            {
                BucketName = _settings.Bucket,
                Prefix = FolderPrefix(folder),
                Delimiter = delimiter,
                ContinuationToken = token,
            }, cancellationToken).ConfigureAwait(false);
            yield return page;
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (token is not null);
    }

    private IEnumerable<RemoteFile> Files(ListObjectsV2Response page) =>
        (page.S3Objects ?? [])
            .Where(o => !o.Key.EndsWith('/'))
            .Select(o => new RemoteFile(o.Key[FolderPrefix("").Length..], o.Size ?? 0, Utc(o.LastModified)) { Checksum = Checksum(o.ETag) });

    /// <summary>An ETag as the ledger records it: <c>etag:</c> and the value without its quotes, or null when S3 gave none.</summary>
    private static string? Checksum(string? etag) => string.IsNullOrWhiteSpace(etag) ? null : "etag:" + etag.Trim('"');

    private string Key(string path) => RemotePath.Join(_prefix, path);

    /// <summary>The key prefix of a folder: <c>prefix/folder/</c>, or <c>""</c> for the bucket's root.</summary>
    private string FolderPrefix(string folder) => Key(folder) is { Length: > 0 } key ? key + "/" : "";

    private string Host => _settings.ServiceUrl.Length > 0 ? new Uri(_settings.ServiceUrl).Host : $"s3.{_settings.Region}.amazonaws.com";

    private int Port => _settings.ServiceUrl.Length > 0 ? new Uri(_settings.ServiceUrl).Port : 443;

    private static DateTimeOffset Utc(DateTime? time) =>
        time is { } t ? new DateTimeOffset(t.Kind == DateTimeKind.Local ? t.ToUniversalTime() : DateTime.SpecifyKind(t, DateTimeKind.Utc)) : default;
}
