namespace AgentMail.Review.Bench;

public sealed class LiveScenario(BenchOptions options, BenchReport report, string workFolder, string apiKey)
{
    public Task RunAsync(CancellationToken ct) => throw new NotImplementedException($"{nameof(LiveScenario)} {options} {report} {workFolder} {apiKey} {ct}");
}
