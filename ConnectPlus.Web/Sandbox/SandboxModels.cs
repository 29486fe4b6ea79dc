namespace ConnectPlus.Web.Sandbox;

/// <summary>A customer the sandbox knows (immutable; the store swaps in a new copy on change).</summary>
public sealed record SandboxCustomer
{
    public required long Id { get; init; }
    public string? Mobile { get; init; }
    public string? Email { get; init; }
    public string? ExternalId { get; init; }
    public string? CardNumber { get; init; }
    public string? FirstName { get; init; }
    public string? LastName { get; init; }
    public required string Source { get; init; }
    public required string LoyaltyType { get; init; }
    public long Points { get; init; }
    public long LifetimePoints { get; init; }
    public required DateTimeOffset RegisteredOn { get; init; }

    /// <summary>The API that created it (v2/customers, v1.1/customer/add, v1.1/transaction/add…).</summary>
    public required string RegisteredBy { get; init; }
}

/// <summary>The identifiers a request names a customer by (any may be missing).</summary>
public sealed record SandboxIdentifiers(string? Mobile = null, string? Email = null, string? ExternalId = null, string? CardNumber = null)
{
    public bool IsEmpty => Mobile is null && Email is null && ExternalId is null && CardNumber is null;
}

/// <summary>A bill (transaction) the sandbox accepted.</summary>
public sealed record SandboxBill(
    long Id,
    string BillNumber,
    long? CustomerId,
    string Type,
    decimal Amount,
    DateTimeOffset? BillingDate,
    string Source,
    long Points,
    string Api,
    string Caller,
    DateTimeOffset ReceivedAt);

/// <summary>A points redemption the sandbox accepted.</summary>
public sealed record SandboxRedemption(string Id, long CustomerId, long Points, string? TransactionNumber, DateTimeOffset At);

/// <summary>What the sandbox holds, in numbers.</summary>
public sealed record SandboxTotals(int Customers, int Bills, long PointsAwarded, long PointsRedeemed, int Redemptions);
