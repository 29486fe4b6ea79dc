namespace ConnectPlus.Web.Features.Connections;

/// <summary>The connection asked for does not exist in the workspace (the API answers 404).</summary>
public sealed class ConnectionNotFoundException : Exception
{
    public ConnectionNotFoundException() { }
    public ConnectionNotFoundException(string message) : base(message) { }
    public ConnectionNotFoundException(string message, Exception inner) : base(message, inner) { }

    public static ConnectionNotFoundException Named(string name) => new($"There is no connection named '{name}' in this workspace.");
}

/// <summary>
/// A change that clashes with the workspace as it is: the name is taken, or someone else saved the connection
/// meanwhile (the API answers 409). Read again, then repeat the change.
/// </summary>
public sealed class ConnectionConflictException : Exception
{
    public ConnectionConflictException() { }
    public ConnectionConflictException(string message) : base(message) { }
    public ConnectionConflictException(string message, Exception inner) : base(message, inner) { }
}
