namespace ConnectPlus.Web.Sandbox;

/// <summary>A Capillary status code and its message.</summary>
public readonly record struct SandboxCode(int Code, string Message)
{
    public SandboxCode With(string detail) => this with { Message = Message + ": " + detail };
}

/// <summary>
/// Every item code the sandbox answers. Origin: (ref) = shared/reference/capillary-api.md;
/// (docs) = Capillary's public status-code pages; (sandbox) = our choice where neither says.
/// </summary>
public static class SandboxCodes
{
    // Transactions (v2 bulk and v1.1 add share them).
    public static readonly SandboxCode TransactionAdded = new(600, "Transaction added successfully"); // (ref)
    public static readonly SandboxCode InvalidBillAmount = new(601, "Invalid bill amount"); // (docs)
    public static readonly SandboxCode InvalidBillNumber = new(602, "Invalid transaction number"); // (docs)
    public static readonly SandboxCode DuplicateBill = new(604, "Duplicate bill number"); // (ref)
    public static readonly SandboxCode InvalidBillingDate = new(621, "Billing date out of range"); // (ref; also bad format)
    public static readonly SandboxCode NegativeQuantity = new(627, "Quantity cannot be negative"); // (docs)
    public static readonly SandboxCode InvalidReturnType = new(628, "Invalid return transaction type passed"); // (docs)
    public static readonly SandboxCode NegativeBillAmount = new(631, "Negative bill amount"); // (ref)
    public static readonly SandboxCode NegativeLineItemAmount = new(661, "Lineitem with negative amount is not allowed"); // (docs)
    public static readonly SandboxCode NegativeLineItemValue = new(662, "Lineitem with negative value is not allowed"); // (docs)
    public static readonly SandboxCode NegativeLineItemRate = new(663, "Lineitem with negative rate is not allowed"); // (docs)
    public static readonly SandboxCode NegativeLineItemDiscount = new(664, "Lineitem with negative discount is not allowed"); // (docs)
    public static readonly SandboxCode NegativeGrossAmount = new(665, "Transaction gross amount cannot be negative"); // (docs)
    public static readonly SandboxCode NegativeDiscount = new(666, "Transaction discount cannot be negative"); // (docs)
    public static readonly SandboxCode BatchLimitExceeded = new(672, "Batch limit exceeded"); // (ref; also v2 customers bulk)
    public static readonly SandboxCode CustomerNotFound = new(8015, "Customer not found"); // (ref)
    public static readonly SandboxCode CustomerDetailsNotSent = new(8084, "Customer details not sent"); // (ref)

    // Customers.
    public static readonly SandboxCode CustomerAdded = new(1000, "Customer successfully added"); // (ref)
    public static readonly SandboxCode CustomerUpdated = new(1000, "Customer successfully updated"); // (ref: existing identifier updates)
    public static readonly SandboxCode InvalidMobile = new(1001, "Unable to register. Invalid mobile number"); // (ref)
    public static readonly SandboxCode InvalidEmail = new(1002, "Unable to register. Invalid email id"); // (ref)
    public static readonly SandboxCode InvalidExternalId = new(1003, "Unable to register. Invalid external id"); // (docs)
    public static readonly SandboxCode NoPrimaryIdentifier = new(1007, "Unable to register customer. No valid primary identifier mobile number, email ID, or external ID passed"); // (ref)
    public static readonly SandboxCode IdentifiersOfOtherCustomers = new(1016, "Unable to register. Identifiers belong to different customers"); // (docs, widened)
    public static readonly SandboxCode CustomerBatchLimitExceeded = new(1060, "Batch limit exceeded"); // (ref)
    public static readonly SandboxCode SameCustomerOtherSource = new(8050, "Same customer found in other sources, combining"); // (ref, warning)

    // Points.
    public static readonly SandboxCode PointsRedeemed = new(800, "Points redeemed successfully"); // (ref)
    public static readonly SandboxCode InvalidPoints = new(801, "Points you are trying to redeem are invalid"); // (docs)
    public static readonly SandboxCode InvalidRedeemIdentifier = new(802, "Mobile number/email id/external id you have entered is invalid"); // (docs)
    public static readonly SandboxCode NotEnoughPoints = new(803, "Unable to redeem. The points you are trying to redeem is more than the available points"); // (docs)
    public static readonly SandboxCode RedeemCustomerNotFound = new(816, "Customer not found for organization"); // (docs)

    // Any API.
    public static readonly SandboxCode InvalidEnumValue = new(9001, "Invalid value"); // (sandbox) enums are case-sensitive
    public static readonly SandboxCode InvalidDate = new(9002, "Invalid date"); // (sandbox) non-transaction dates
    public static readonly SandboxCode NotAnObject = new(9003, "Item must be a JSON object"); // (sandbox)
    public static readonly SandboxCode InjectedItemFailure = new(500, "Injected item failure (Sandbox:Faults:ItemFailureShare)"); // (sandbox)
}
