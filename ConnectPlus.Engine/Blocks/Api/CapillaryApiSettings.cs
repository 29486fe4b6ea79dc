using System.ComponentModel.DataAnnotations;
using ConnectPlus.Engine.Catalog;

namespace ConnectPlus.Engine.Blocks.Api;

/// <summary>Settings of the Capillary API block.</summary>
public sealed class CapillaryApiSettings : ApiSinkSettings
{
    /// <summary>The Capillary connection (base URL and sign-in) to send with.</summary>
    [Required(ErrorMessage = "Choose a Capillary connection.")]
    [Setting(Order = 1, Editor = EditorHint.Connection, ConnectionTypes = ["capillary"])]
    public string Connection { get; set; } = "";

    /// <summary>
    /// The API called. v2TransactionsBulk (bills, the usual choice), v2Customers (one customer per
    /// request), v2CustomersBulk, v11TransactionAdd, v11CustomerAdd, v11PointsRedeem (one redemption
    /// per request). The items must be shaped for it (see the Build API payload block).
    /// </summary>
    [Setting(Order = 2)]
    public CapillaryEndpoint Endpoint { get; set; } = CapillaryEndpoint.V2TransactionsBulk;

    /// <summary>
    /// Item codes that mean "the server has this item already" (604: duplicate bill number). For a batch
    /// that may have reached the server before (re-sent after a timeout, or after a run died) such an item
    /// counts as delivered; for any other batch it is rejected like other codes.
    /// </summary>
    [Setting(Order = 3, Group = "Retries")]
    public List<string> AlreadyDeliveredCodes { get; set; } = [.. CapillaryTarget.DuplicateCodes];

    /// <inheritdoc />
    protected override IEnumerable<ValidationResult> ValidateMore()
    {
        if (AlreadyDeliveredCodes is null) yield return new ValidationResult("Give a list of codes (it may be empty).", [nameof(AlreadyDeliveredCodes)]);
    }
}
