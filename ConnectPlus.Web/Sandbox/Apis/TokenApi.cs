namespace ConnectPlus.Web.Sandbox.Apis;

/// <summary>
/// <c>POST /v3/oauth/token/generate</c> with <c>{"key","secret"}</c>: a JWT-shaped access token that lives
/// <see cref="SandboxFaultSettings.TokenTtlSeconds"/>; a wrong pair answers "access forbidden" with
/// <see cref="SandboxOptions.WrongCredentialsStatus"/> and no token.
/// </summary>
internal static class TokenApi
{
    public static SandboxReply Generate(SandboxCall call)
    {
        var key = call.Body.Text("key");
        var secret = call.Body.Text("secret");
        if (string.IsNullOrEmpty(key) || string.IsNullOrEmpty(secret))
            return SandboxReplies.BadRequest(SandboxApiFamily.OAuth, "Send {\"key\":\"…\",\"secret\":\"…\"}.");
        if (call.Services.Authenticator.FindClient(key, secret) is not { } client)
            return SandboxReplies.RequestError(SandboxApiFamily.OAuth, call.Services.Options.WrongCredentialsStatus, "access forbidden");
        var ttl = call.Services.Faults.Settings.TokenTtlSeconds;
        var token = call.Services.Tokens.Issue(client.Key, ttl);
        return new SandboxReply(200, new { data = new { accessToken = token, ttlSeconds = ttl }, errors = (object?)null }, []);
    }
}
