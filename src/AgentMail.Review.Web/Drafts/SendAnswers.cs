using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Delivery;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AgentMail.Review.Web.Drafts;

/// <summary>
/// A send's receipt on the wire, the same for drafts.send and messages.send/reply/forward: sent 200; accepted but not
/// yet sent (held for review, being delivered, waiting for a retry) 202 with the Message-ID it will leave with; a
/// failed or uncertain delivery 422, which the SDKs do not retry.
/// </summary>
public static class SendAnswers
{
    public static Results<Ok<SendDraftResponse>, Accepted<SendDraftResponse>> For(SendReceipt receipt, string whereToLook)
    {
        var response = new SendDraftResponse(receipt.MessageId, receipt.ThreadId);
        return receipt.Status switch
        {
            SendReceiptStatus.Sent => TypedResults.Ok(response),
            SendReceiptStatus.Failed => throw new DeliveryFailedException($"draft {receipt.DraftId} was not sent: {receipt.FailureReason}"),
            _ => TypedResults.Accepted(whereToLook, response),
        };
    }
}
