using Hangfire;

namespace AgentMail.Review.Web.Scheduling;

/// <summary>
/// Creates each job in a scope of this host's own container. Hangfire's default registration hands out the
/// process-wide <see cref="JobActivator.Current"/>, which the last host to start overwrites, so with two hosts in one
/// process (the tests) one host's jobs could run in the other's container.
/// </summary>
internal sealed class ScopedJobActivator(IServiceScopeFactory scopes) : JobActivator
{
    public override JobActivatorScope BeginScope(JobActivatorContext context) => new Scope(scopes.CreateScope());

    private sealed class Scope(IServiceScope scope) : JobActivatorScope
    {
        public override object Resolve(Type type) => ActivatorUtilities.GetServiceOrCreateInstance(scope.ServiceProvider, type);

        public override void DisposeScope() => scope.Dispose();
    }
}
