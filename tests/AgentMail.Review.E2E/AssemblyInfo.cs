// Each class here starts real server processes (and Chromium, or the benchmark); run side by side on a small machine
// they would starve each other and turn behaviour checks such as "visible within a second" into races.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
