// Two streams of test classes side by side, and the classes that time things alone afterwards (Support/TestStreams.cs).
[assembly: CollectionBehavior(MaxParallelThreads = 2)]
