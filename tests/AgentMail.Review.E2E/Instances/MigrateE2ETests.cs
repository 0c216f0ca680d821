using AgentMail.Review.E2E.Support;

namespace AgentMail.Review.E2E.Instances;

/// <summary>On PostgreSQL the schema is an operator's step (<c>migrate</c>), not something every instance does at start.</summary>
[Collection(TestStreams.Processes)]
public sealed class MigrateE2ETests
{
    [Fact]
    public async Task An_instance_without_MigrateOnStart_refuses_an_unmigrated_database_and_migrate_applies_the_schema_once()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        var options = new ServerOptions { Postgres = database.ConnectionString, MigrateOnStart = false, StartTimeout = TimeSpan.FromSeconds(45) };

        var refused = await Assert.ThrowsAsync<ServerStartException>(() => ServerProcess.StartAsync(options));
        Assert.Contains("exited", refused.Message);
        Assert.Contains("migration(s) behind this build", refused.Message);
        Assert.Contains("Run `dotnet AgentMail.Review.Web.dll migrate`", refused.Message);
        Assert.False(await database.HasTableAsync("drafts"), "an instance told not to migrate created the schema");

        var (firstExit, firstOutput) = await ServerProcess.MigrateAsync(options);
        Assert.True(firstExit == 0, $"migrate exited with {firstExit}:\n{firstOutput}");
        Assert.True(await database.HasTableAsync("drafts"), firstOutput);
        var applied = await database.ScalarAsync("SELECT count(*) FROM \"__EFMigrationsHistory\"");
        Assert.True(applied > 0, firstOutput);

        // Run again (a second operator, a deploy script run twice): nothing left to apply, still exit 0.
        var (secondExit, secondOutput) = await ServerProcess.MigrateAsync(options);
        Assert.True(secondExit == 0, $"the second migrate exited with {secondExit}:\n{secondOutput}");
        Assert.Equal(applied, await database.ScalarAsync("SELECT count(*) FROM \"__EFMigrationsHistory\""));

        await using var server = await ServerProcess.StartAsync(options);
        using var api = AgentApi.Client(server);
        var inbox = await api.CreateInboxAsync("migrated");
        var draft = await api.PostJsonAsync($"/v0/inboxes/{inbox}/drafts", new { to = new[] { "bob@example.com" }, subject = "on a migrated store" });
        Assert.StartsWith("on a migrated", draft["subject"]!.GetValue<string>());
    }
}
