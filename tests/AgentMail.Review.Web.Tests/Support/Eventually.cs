namespace AgentMail.Review.Web.Tests.Support;

/// <summary>
/// Waits for an assertion on the store to hold (bUnit's WaitForAssertion takes no async assertion: an async lambda
/// there is async void, and its failure is never seen).
/// </summary>
public static class Eventually
{
    public static async Task AssertAsync(Func<Task> assertion, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(5));
        while (true)
        {
            try
            {
                await assertion();
                return;
            }
            catch (Exception) when (DateTime.UtcNow < until)
            {
                await Task.Delay(50);
            }
        }
    }
}
