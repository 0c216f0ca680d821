namespace AgentMail.Review.Core.Tests.Support;

/// <summary>A test store's own database: its settings, made before the store migrates it, dropped after.</summary>
public interface ITestDatabase
{
    IDictionary<string, string?> Settings { get; }

    Task CreateAsync();

    /// <summary>Closes pooled connections, as a process that stopped holds none.</summary>
    void LetGo();

    Task DropAsync();
}
