using System.Xml.Linq;
using AgentMail.Review.Core.Persistence;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AgentMail.Review.Web.Store;

/// <summary>
/// The Data Protection key ring lives in the store, not in the user profile of whoever runs the process: sign-ins,
/// open consoles and download links survive a restart under another account, a new container, or a second instance
/// on the same store. The keys are as safe as the store is (the store already holds API key hashes and all mail).
/// </summary>
public static class StoreKeyRing
{
    public const string ApplicationName = "AgentMail.Review";

    public static IServiceCollection AddReviewKeyRing(this IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName(ApplicationName);
        services.AddOptions<KeyManagementOptions>()
            .Configure<IDbContextFactory<ReviewDbContext>>((options, dbFactory) => options.XmlRepository = new StoreXmlRepository(dbFactory));
        return services;
    }

    private sealed class StoreXmlRepository(IDbContextFactory<ReviewDbContext> dbFactory) : IXmlRepository
    {
        public IReadOnlyCollection<XElement> GetAllElements()
        {
            using var db = dbFactory.CreateDbContext();
            return db.ProtectionKeys.AsNoTracking().OrderBy(k => k.Id).Select(k => k.Xml).AsEnumerable().Select(XElement.Parse).ToList();
        }

        public void StoreElement(XElement element, string friendlyName)
        {
            using var db = dbFactory.CreateDbContext();
            db.ProtectionKeys.Add(new ProtectionKey { FriendlyName = friendlyName, Xml = element.ToString(SaveOptions.DisableFormatting) });
            db.SaveChanges();
        }
    }
}
