namespace ConnectPlus.Web.Sandbox;

/// <summary>
/// Customers, bills and points held by the sandbox: every accepted bill and customer is kept (nothing
/// is evicted; tests check that each bill arrived exactly once). Not thread-safe by itself: reach it
/// through <see cref="SandboxStore.Use{T}"/>, which holds one lock for a whole request.
/// </summary>
public sealed class SandboxLedger
{
    private readonly Dictionary<long, SandboxCustomer> _customers = [];
    private readonly Dictionary<string, long> _byMobile = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _byEmail = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, long> _byExternalId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _byCard = new(StringComparer.Ordinal);
    private readonly HashSet<BillKey> _billKeys = [];
    private readonly List<SandboxBill> _bills = [];
    private readonly Dictionary<string, List<SandboxBill>> _billsByNumber = new(StringComparer.Ordinal);
    private readonly List<SandboxRedemption> _redemptions = [];
    private long _pointsAwarded;
    private long _pointsRedeemed;
    private long _lastCustomerId;
    private long _lastBillId;

    // Sales and returns are told apart: a return names the bill number of the sale it returns.
    private readonly record struct BillKey(string Number, long CustomerId, bool Return);

    public SandboxTotals Totals => new(_customers.Count, _bills.Count, _pointsAwarded, _pointsRedeemed, _redemptions.Count);

    /// <summary>Finds a customer by a v2 identifier type (mobile, email, externalId, id, cardnumber).</summary>
    public SandboxCustomer? Find(string identifierType, string value)
    {
        if (identifierType == "id") return long.TryParse(value, out var id) && _customers.TryGetValue(id, out var byId) ? byId : null;
        var index = identifierType switch
        {
            "mobile" => _byMobile,
            "email" => _byEmail,
            "externalId" => _byExternalId,
            "cardnumber" => _byCard,
            _ => null,
        };
        return index is not null && index.TryGetValue(value, out var found) ? _customers[found] : null;
    }

    /// <summary>The distinct customers any of the identifiers belongs to (more than one is a conflict).</summary>
    public IReadOnlyList<SandboxCustomer> Matching(SandboxIdentifiers ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var found = new List<SandboxCustomer>();
        foreach (var (type, value) in Pairs(ids))
        {
            if (Find(type, value) is { } customer && !found.Contains(customer)) found.Add(customer);
        }
        return found;
    }

    public SandboxCustomer Register(SandboxIdentifiers ids, string? firstName, string? lastName, string source, string loyaltyType, string api, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var customer = new SandboxCustomer
        {
            Id = ++_lastCustomerId,
            FirstName = firstName,
            LastName = lastName,
            Source = source,
            LoyaltyType = loyaltyType,
            RegisteredOn = now,
            RegisteredBy = api,
        };
        return Save(WithIdentifiers(customer, ids));
    }

    /// <summary>Updates a profile: names given replace, identifiers it lacks are added (existing ones stay).</summary>
    public SandboxCustomer Update(SandboxCustomer existing, SandboxIdentifiers ids, string? firstName, string? lastName)
    {
        ArgumentNullException.ThrowIfNull(existing);
        var updated = WithIdentifiers(existing, ids) with
        {
            FirstName = firstName ?? existing.FirstName,
            LastName = lastName ?? existing.LastName,
        };
        return Save(updated);
    }

    public bool IsDuplicate(string billNumber, long? customerId, bool isReturn) =>
        _billKeys.Contains(new BillKey(billNumber, customerId ?? 0, isReturn));

    /// <summary>Records a bill and credits its points to the customer.</summary>
    public SandboxBill AddBill(string billNumber, SandboxCustomer? customer, string type, bool isReturn, decimal amount,
        DateTimeOffset? billingDate, string source, long points, string api, string caller, DateTimeOffset now)
    {
        var bill = new SandboxBill(++_lastBillId, billNumber, customer?.Id, type, amount, billingDate, source, points, api, caller, now);
        _billKeys.Add(new BillKey(billNumber, customer?.Id ?? 0, isReturn));
        _bills.Add(bill);
        if (!_billsByNumber.TryGetValue(billNumber, out var sameNumber)) _billsByNumber[billNumber] = sameNumber = [];
        sameNumber.Add(bill);
        if (customer is not null && points != 0)
        {
            var current = _customers[customer.Id];
            Save(current with { Points = current.Points + points, LifetimePoints = current.LifetimePoints + points });
            _pointsAwarded += points;
        }
        return bill;
    }

    public SandboxRedemption Redeem(SandboxCustomer customer, long points, string? transactionNumber, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(customer);
        var current = _customers[customer.Id];
        Save(current with { Points = current.Points - points });
        _pointsRedeemed += points;
        var redemption = new SandboxRedemption($"SBX{_redemptions.Count + 1:D6}", customer.Id, points, transactionNumber, now);
        _redemptions.Add(redemption);
        return redemption;
    }

    public SandboxCustomer Customer(long id) => _customers[id];

    public IReadOnlyList<SandboxBill> BillsNumbered(string billNumber) =>
        _billsByNumber.TryGetValue(billNumber, out var bills) ? [.. bills] : [];

    public IReadOnlyList<SandboxBill> Bills(int skip, int take) => [.. _bills.Skip(skip).Take(take)];

    public IReadOnlyList<SandboxCustomer> Customers(int skip, int take) =>
        [.. _customers.Values.OrderBy(c => c.Id).Skip(skip).Take(take)];

    public void Clear()
    {
        _customers.Clear();
        _byMobile.Clear();
        _byEmail.Clear();
        _byExternalId.Clear();
        _byCard.Clear();
        _billKeys.Clear();
        _bills.Clear();
        _billsByNumber.Clear();
        _redemptions.Clear();
        _pointsAwarded = _pointsRedeemed = 0;
    }

    private static IEnumerable<(string Type, string Value)> Pairs(SandboxIdentifiers ids)
    {
        if (ids.Mobile is { } mobile) yield return ("mobile", mobile);
        if (ids.Email is { } email) yield return ("email", email);
        if (ids.ExternalId is { } externalId) yield return ("externalId", externalId);
        if (ids.CardNumber is { } card) yield return ("cardnumber", card);
    }

    // Only identifiers nobody holds are taken: a customer never steals another's mobile or email.
    private SandboxCustomer WithIdentifiers(SandboxCustomer customer, SandboxIdentifiers ids) => customer with
    {
        Mobile = customer.Mobile ?? Free(_byMobile, ids.Mobile),
        Email = customer.Email ?? Free(_byEmail, ids.Email),
        ExternalId = customer.ExternalId ?? Free(_byExternalId, ids.ExternalId),
        CardNumber = customer.CardNumber ?? Free(_byCard, ids.CardNumber),
    };

    private static string? Free(Dictionary<string, long> index, string? value) =>
        value is not null && !index.ContainsKey(value) ? value : null;

    private SandboxCustomer Save(SandboxCustomer customer)
    {
        _customers[customer.Id] = customer;
        if (customer.Mobile is { } mobile) _byMobile[mobile] = customer.Id;
        if (customer.Email is { } email) _byEmail[email] = customer.Id;
        if (customer.ExternalId is { } externalId) _byExternalId[externalId] = customer.Id;
        if (customer.CardNumber is { } card) _byCard[card] = customer.Id;
        return customer;
    }
}

/// <summary>The sandbox's state behind one lock, so that each request's items apply atomically and in order.</summary>
public sealed class SandboxStore
{
    private readonly Lock _gate = new();
    private readonly SandboxLedger _ledger = new();

    public T Use<T>(Func<SandboxLedger, T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        lock (_gate) return work(_ledger);
    }

    public SandboxTotals Totals => Use(l => l.Totals);

    public void Clear() => Use(l => { l.Clear(); return true; });
}
