namespace AgentMail.Review.E2E.Support;

/// <summary>
/// The end-to-end classes run in two streams side by side, so that one waits on its servers while the other uses the
/// CPU: one drives Chromium, the other real server processes without a browser. A class that checks how soon something
/// happens (a send within a second of its time, a console updated within a second, a burst timed from the measured create
/// speed, drafts due a few seconds after they are made) or that takes the whole machine runs alone, after both.
/// </summary>
public static class TestStreams
{
    public const string Browser = "browser";

    public const string Processes = "processes";

    public const string Alone = "alone";
}

[CollectionDefinition(TestStreams.Browser)]
public sealed class BrowserStream;

[CollectionDefinition(TestStreams.Processes)]
public sealed class ProcessesStream;

[CollectionDefinition(TestStreams.Alone, DisableParallelization = true)]
public sealed class AloneStream;
