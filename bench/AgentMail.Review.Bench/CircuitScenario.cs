namespace AgentMail.Review.Bench;

public sealed class CircuitScenario(BenchOptions options, BenchReport report, string workFolder, string apiKey)
{
    public Task RunAsync(CancellationToken ct) => throw new NotImplementedException($"{nameof(CircuitScenario)} {options} {report} {workFolder} {apiKey} {ct}");
}
