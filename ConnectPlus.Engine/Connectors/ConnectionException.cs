namespace ConnectPlus.Engine.Connectors;

/// <summary>Why a connection or an operation on it failed, in terms a user can act on.</summary>
public enum ConnectionFailure
{
    /// <summary>No connection has the name the dataflow uses.</summary>
    NotFound,
    /// <summary>The host name does not resolve (DNS).</summary>
    NameNotResolved,
    /// <summary>Nothing listens at the host and port (connection refused).</summary>
    Refused,
    /// <summary>The server did not answer in time.</summary>
    Timeout,
    /// <summary>User name, password, key or token refused.</summary>
    AuthenticationFailed,
    /// <summary>The server's identity (SSH host key, TLS certificate) is not the one pinned or trusted.</summary>
    ServerIdentityRejected,
    /// <summary>A folder or file does not exist.</summary>
    NotFoundOnServer,
    /// <summary>The account may not do this (read, write, rename, delete).</summary>
    PermissionDenied,
    /// <summary>The target of a move, or of a write whose conflict mode is "fail", exists already.</summary>
    AlreadyExists,
    /// <summary>The connection dropped or the server is restarting; trying again may work.</summary>
    ConnectionLost,
    /// <summary>The settings are incomplete or contradictory.</summary>
    InvalidSettings,
    /// <summary>Anything else the server answered.</summary>
    ServerError,
}

/// <summary>
/// A connection or file operation failed. <see cref="Transient"/> tells whether retrying may help
/// (connection reset, timeout, server restarting) or not (authentication, missing folder).
/// </summary>
public class ConnectionException : Exception
{
    public ConnectionException() { }
    public ConnectionException(string message) : base(message) { }
    public ConnectionException(string message, Exception inner) : base(message, inner) { }

    public ConnectionException(ConnectionFailure failure, string message, Exception? inner = null)
        : base(message, inner) => Failure = failure;

    /// <summary>The kind of failure.</summary>
    public ConnectionFailure Failure { get; } = ConnectionFailure.ServerError;

    /// <summary>
    /// The settings at fault (their names as in the connection's JSON), when the failure is about settings
    /// (<see cref="ConnectionFailure.InvalidSettings"/>) and they are known: an editor or the API points at them.
    /// </summary>
    public IReadOnlyList<string> Settings { get; init; } = [];

    /// <summary>Whether retrying the operation may succeed.</summary>
    public bool Transient => Failure is ConnectionFailure.Timeout or ConnectionFailure.ConnectionLost or ConnectionFailure.Refused;
}
