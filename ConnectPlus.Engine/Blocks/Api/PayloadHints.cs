namespace ConnectPlus.Engine.Blocks.Api;

/// <summary>
/// Header names that suggest a template field, normalized: lower case, letters and digits only
/// (<c>Bill No.</c>, <c>bill_no</c> and <c>BillNo</c> all read <c>billno</c>). Most likely first.
/// </summary>
public static class PayloadHints
{
    public static IReadOnlyList<string> Mobile { get; } =
        ["mobile", "mobileno", "mobilenumber", "mobilenum", "phone", "phoneno", "phonenumber", "msisdn", "cellphone", "cell", "contactno", "contactnumber", "customermobile"];

    public static IReadOnlyList<string> Email { get; } = ["email", "emailid", "emailaddress", "mail", "customeremail"];

    public static IReadOnlyList<string> ExternalId { get; } =
        ["externalid", "extid", "customerid", "custid", "memberid", "loyaltyid", "customercode", "customerexternalid"];

    public static IReadOnlyList<string> CardNumber { get; } = ["cardnumber", "cardno", "cardnum", "loyaltycard", "loyaltycardnumber"];

    public static IReadOnlyList<string> CardExternalId { get; } = ["cardexternalid"];

    public static IReadOnlyList<string> BillNumber { get; } =
        ["billnumber", "billno", "billnum", "billid", "invoicenumber", "invoiceno", "receiptnumber", "receiptno", "transactionnumber", "transactionno", "txnnumber", "txnno", "txnid", "ordernumber", "orderno", "number"];

    public static IReadOnlyList<string> BillDate { get; } =
        ["billdate", "billingdate", "billingtime", "billdatetime", "billtime", "transactiondate", "transactiontime", "txndate", "invoicedate", "orderdate", "date", "datetime"];

    public static IReadOnlyList<string> BillAmount { get; } =
        ["billamount", "amount", "netamount", "totalamount", "billvalue", "billtotal", "total", "transactionamount", "txnamount", "invoiceamount"];

    public static IReadOnlyList<string> GrossAmount { get; } = ["grossamount", "gross", "grossvalue", "billgrossamount"];

    public static IReadOnlyList<string> Discount { get; } = ["discount", "billdiscount", "totaldiscount", "discountamount"];

    public static IReadOnlyList<string> Currency { get; } = ["currencycode", "currency"];

    public static IReadOnlyList<string> Note { get; } = ["note", "notes", "remark", "remarks", "comment", "comments"];

    public static IReadOnlyList<string> TransactionType { get; } = ["type", "billtype", "transactiontype", "txntype"];

    public static IReadOnlyList<string> ReturnType { get; } = ["returntype"];

    public static IReadOnlyList<string> Source { get; } = ["source", "channel", "customersource"];

    public static IReadOnlyList<string> PaymentMode { get; } =
        ["paymentmode", "paymenttype", "paymode", "tender", "tendertype", "modeofpayment", "mop", "payment"];

    public static IReadOnlyList<string> PaymentValue { get; } =
        ["paymentvalue", "paymentamount", "amountpaid", "paidamount", "tenderamount", "tendervalue"];

    public static IReadOnlyList<string> ItemCode { get; } =
        ["itemcode", "sku", "skucode", "skuid", "productcode", "productid", "itemid", "articlecode", "articleno", "ean", "barcode"];

    public static IReadOnlyList<string> ItemDescription { get; } =
        ["itemdescription", "itemdesc", "description", "itemname", "productname", "productdescription"];

    public static IReadOnlyList<string> Quantity { get; } = ["qty", "quantity", "itemqty", "itemquantity", "units"];

    public static IReadOnlyList<string> Rate { get; } = ["rate", "itemrate", "price", "unitprice", "itemprice", "mrp"];

    public static IReadOnlyList<string> LineValue { get; } = ["value", "itemvalue", "linevalue"];

    public static IReadOnlyList<string> LineDiscount { get; } = ["itemdiscount", "linediscount"];

    public static IReadOnlyList<string> LineAmount { get; } = ["itemamount", "lineamount", "itemnetamount", "linetotal", "netvalue"];

    public static IReadOnlyList<string> FirstName { get; } = ["firstname", "fname", "givenname", "first"];

    public static IReadOnlyList<string> LastName { get; } = ["lastname", "lname", "surname", "familyname", "last"];

    public static IReadOnlyList<string> LoyaltyType { get; } = ["loyaltytype", "customertype"];

    public static IReadOnlyList<string> RegisteredOn { get; } =
        ["registeredon", "registrationdate", "registeredat", "registrationtime", "joindate", "joineddate", "joiningdate", "signupdate", "enrollmentdate", "enrolmentdate"];

    public static IReadOnlyList<string> Points { get; } = ["pointsredeemed", "points", "redeempoints", "redeemedpoints", "pointstoredeem", "redemptionpoints"];

    public static IReadOnlyList<string> ValidationCode { get; } = ["validationcode", "otp"];

    public static IReadOnlyList<string> RedemptionTime { get; } = ["redemptiontime", "redemptiondate", "redeemedon", "redeemdate", "redeemedat"];

    /// <summary>Prefixes of headers meant as extended fields: <c>ext_cashier_id</c> → <c>cashier_id</c>.</summary>
    public static IReadOnlyList<string> ExtendedPrefixes { get; } = ["extendedfield_", "extended_", "ext_", "ef_"];

    /// <summary>Prefixes of headers meant as custom fields: <c>custom_Bank</c> → <c>Bank</c>.</summary>
    public static IReadOnlyList<string> CustomPrefixes { get; } = ["customfield_", "custom_", "cf_"];

    /// <summary>
    /// Header names of a customer identifier type (mobile, email, externalId…); none for the others
    /// (a column such as user_id is too often another system's id to be proposed as Capillary's).
    /// </summary>
    public static IReadOnlyList<string> ForIdentifier(string identifierType) => identifierType switch
    {
        "mobile" => Mobile,
        "email" => Email,
        "externalId" => ExternalId,
        "cardnumber" => CardNumber,
        "cardExternalId" => CardExternalId,
        _ => [],
    };

    /// <summary><c>Bill No.</c> → <c>billno</c>: lower case, letters and digits only.</summary>
    public static string Normalize(string header)
    {
        ArgumentNullException.ThrowIfNull(header);
        return string.Create(header.Count(char.IsLetterOrDigit), header, static (span, text) =>
        {
            var i = 0;
            foreach (var c in text)
            {
                if (char.IsLetterOrDigit(c)) span[i++] = char.ToLowerInvariant(c);
            }
        });
    }
}
