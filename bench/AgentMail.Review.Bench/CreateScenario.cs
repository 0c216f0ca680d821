namespace AgentMail.Review.Bench;

public sealed class CreateScenario(BenchOptions options, BenchReport report, string workFolder, string apiKey)
{
    public Task RunAsync(CancellationToken ct) => throw new NotImplementedException($"{nameof(CreateScenario)} {options} {report} {workFolder} {apiKey} {ct}");
}
