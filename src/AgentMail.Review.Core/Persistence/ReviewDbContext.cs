using AgentMail.Review.Core.ApiKeys;
using AgentMail.Review.Core.Audit;
using AgentMail.Review.Core.Delivery;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Events;
using AgentMail.Review.Core.Idempotency;
using AgentMail.Review.Core.Inboxes;
using AgentMail.Review.Core.Messages;
using AgentMail.Review.Core.Threads;
using AgentMail.Review.Core.Webhooks;
using Microsoft.EntityFrameworkCore;

namespace AgentMail.Review.Core.Persistence;

/// <summary>
/// The store. SQLite uses this context as it is; PostgreSQL uses <see cref="Postgres.PostgresReviewDbContext"/>, which
/// adds what only it has and owns its own migrations. Services see only this type.
/// </summary>
public class ReviewDbContext : DbContext
{
    public ReviewDbContext(DbContextOptions<ReviewDbContext> options)
        : base(options)
    {
    }

    protected ReviewDbContext(DbContextOptions options)
        : base(options)
    {
    }

    public DbSet<Inbox> Inboxes => Set<Inbox>();

    public DbSet<Draft> Drafts => Set<Draft>();

    public DbSet<AttachmentContent> AttachmentContents => Set<AttachmentContent>();

    public DbSet<Message> Messages => Set<Message>();

    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    public DbSet<OutboxEntry> Outbox => Set<OutboxEntry>();

    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();

    public DbSet<MailThread> Threads => Set<MailThread>();

    public DbSet<MessageMime> MessageMimes => Set<MessageMime>();

    public DbSet<ProtectionKey> ProtectionKeys => Set<ProtectionKey>();

    public DbSet<EventRecord> Events => Set<EventRecord>();

    public DbSet<EventCursor> EventCursors => Set<EventCursor>();

    public DbSet<Webhook> Webhooks => Set<Webhook>();

    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Timestamps are UTC ticks in INTEGER columns: compact keys for the keyset indexes, exact comparisons.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcTicksConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<UtcTicksConverter>();
    }

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<ProtectionKey>(key => key.ToTable("protection_keys"));

        model.Entity<Inbox>(inbox =>
        {
            inbox.ToTable("inboxes");
            inbox.HasKey(i => i.InboxId);
            inbox.Ignore(i => i.Domain);
            inbox.Property(i => i.OnReply).HasConversion<string>().HasMaxLength(8);
            inbox.HasIndex(i => i.ClientId).IsUnique();
            inbox.HasIndex(i => new { i.UpdatedAt, i.InboxId });
        });

        model.Entity<Draft>(draft =>
        {
            draft.ToTable("drafts");
            draft.HasKey(d => d.DraftId);
            draft.Property(d => d.State).HasConversion<string>().HasMaxLength(16);
            draft.Property(d => d.Version).IsConcurrencyToken();
            draft.Ignore(d => d.SendStatus);
            draft.OwnsMany(d => d.Attachments, a => a.ToJson());
            draft.OwnsOne(d => d.AgentVersion, v => v.ToJson());
            draft.HasOne<Inbox>().WithMany().HasForeignKey(d => d.InboxId).OnDelete(DeleteBehavior.Restrict);
            // Keyset paging: every list order is an index walk, whatever the page.
            draft.HasIndex(d => new { d.UpdatedAt, d.DraftId });
            draft.HasIndex(d => new { d.InboxId, d.UpdatedAt, d.DraftId });
            draft.HasIndex(d => new { d.State, d.UpdatedAt, d.DraftId });
            // The due-sweep: scheduled drafts by send time.
            draft.HasIndex(d => new { d.State, d.SendAt });
            draft.HasIndex(d => new { d.InboxId, d.ClientId }).IsUnique();
            draft.Ignore(d => d.HasRecipients);
        });

        model.Entity<AttachmentContent>(content =>
        {
            content.ToTable("attachment_contents");
            content.HasKey(c => c.AttachmentId);
        });

        model.Entity<Message>(message =>
        {
            message.ToTable("messages");
            message.HasKey(m => m.MessageId);
            message.OwnsMany(m => m.Attachments, a => a.ToJson());
            message.HasIndex(m => new { m.InboxId, m.Timestamp, m.MessageId });
            message.HasIndex(m => new { m.Timestamp, m.MessageId });
            message.HasIndex(m => m.DraftId).IsUnique();
            message.HasIndex(m => new { m.ThreadId, m.Timestamp });
        });

        model.Entity<AuditEntry>(audit =>
        {
            audit.ToTable("audit_entries");
            audit.HasKey(a => a.Id);
            audit.HasIndex(a => new { a.DraftId, a.Id });
        });

        model.Entity<OutboxEntry>(outbox =>
        {
            outbox.ToTable("outbox");
            outbox.HasKey(o => o.MessageId);
        });

        model.Entity<MessageMime>(mime =>
        {
            mime.ToTable("message_mime");
            mime.HasKey(m => m.MessageId);
        });

        model.Entity<MailThread>(thread =>
        {
            thread.ToTable("threads");
            thread.HasKey(t => t.ThreadId);
            // Keyset paging by the latest message, per inbox and organisation-wide.
            thread.HasIndex(t => new { t.InboxId, t.Timestamp, t.ThreadId });
            thread.HasIndex(t => new { t.Timestamp, t.ThreadId });
        });

        model.Entity<EventRecord>(e =>
        {
            e.ToTable("events");
            e.HasKey(x => x.Position);
            e.Property(x => x.Position).ValueGeneratedOnAdd();
            e.HasIndex(x => x.EventId).IsUnique();
            e.HasIndex(x => new { x.InboxId, x.Position });
        });

        model.Entity<EventCursor>(cursor =>
        {
            cursor.ToTable("event_cursors");
            cursor.HasKey(c => c.Consumer);
        });

        model.Entity<Webhook>(webhook =>
        {
            webhook.ToTable("webhooks");
            webhook.HasKey(w => w.WebhookId);
            webhook.HasIndex(w => w.ClientId).IsUnique();
            webhook.HasIndex(w => new { w.CreatedAt, w.WebhookId });
        });

        model.Entity<WebhookDelivery>(delivery =>
        {
            delivery.ToTable("webhook_deliveries");
            delivery.HasKey(d => d.DeliveryId);
            delivery.Property(d => d.Status).HasConversion<string>().HasMaxLength(16);
            delivery.HasIndex(d => new { d.WebhookId, d.EventPosition });
            delivery.HasIndex(d => new { d.Status, d.NextAttemptAt });
        });

        model.Entity<IdempotencyRecord>(record =>
        {
            record.ToTable("idempotency_keys");
            record.HasKey(r => new { r.CallerId, r.Operation, r.Key });
            record.HasIndex(r => r.CreatedAt);
        });

        model.Entity<ApiKey>(key =>
        {
            key.ToTable("api_keys");
            key.HasKey(k => k.ApiKeyId);
            key.HasIndex(k => k.Hash).IsUnique();
        });

        foreach (var list in model.Model.GetEntityTypes().SelectMany(e => e.GetDeclaredProperties()).Where(p => p.ClrType == typeof(List<string>)))
        {
            list.SetValueComparer(typeof(StringListComparer));
        }
    }
}
