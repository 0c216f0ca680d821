CREATE TABLE IF NOT EXISTS "__EFMigrationsHistory" (
    "MigrationId" TEXT NOT NULL CONSTRAINT "PK___EFMigrationsHistory" PRIMARY KEY,
    "ProductVersion" TEXT NOT NULL
);

BEGIN TRANSACTION;
CREATE TABLE "api_keys" (
    "ApiKeyId" TEXT NOT NULL CONSTRAINT "PK_api_keys" PRIMARY KEY,
    "Name" TEXT NOT NULL,
    "Prefix" TEXT NOT NULL,
    "Hash" TEXT NOT NULL,
    "InboxIds" TEXT NOT NULL,
    "CanSend" INTEGER NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "LastUsedAt" INTEGER NULL,
    "RevokedAt" INTEGER NULL
);

CREATE TABLE "attachment_contents" (
    "AttachmentId" TEXT NOT NULL CONSTRAINT "PK_attachment_contents" PRIMARY KEY,
    "Data" BLOB NOT NULL
);

CREATE TABLE "audit_entries" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_audit_entries" PRIMARY KEY AUTOINCREMENT,
    "DraftId" TEXT NOT NULL,
    "InboxId" TEXT NOT NULL,
    "Action" TEXT NOT NULL,
    "ActorKind" TEXT NOT NULL,
    "ActorId" TEXT NOT NULL,
    "ActorName" TEXT NOT NULL,
    "ActorAddress" TEXT NULL,
    "Details" TEXT NULL,
    "At" INTEGER NOT NULL
);

CREATE TABLE "inboxes" (
    "InboxId" TEXT NOT NULL CONSTRAINT "PK_inboxes" PRIMARY KEY,
    "DisplayName" TEXT NULL,
    "ClientId" TEXT NULL,
    "ReviewRequired" INTEGER NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "UpdatedAt" INTEGER NOT NULL
);

CREATE TABLE "messages" (
    "MessageId" TEXT NOT NULL CONSTRAINT "PK_messages" PRIMARY KEY,
    "ThreadId" TEXT NOT NULL,
    "InboxId" TEXT NOT NULL,
    "DraftId" TEXT NOT NULL,
    "From" TEXT NOT NULL,
    "To" TEXT NOT NULL,
    "Cc" TEXT NOT NULL,
    "Bcc" TEXT NOT NULL,
    "ReplyTo" TEXT NOT NULL,
    "Labels" TEXT NOT NULL,
    "Subject" TEXT NULL,
    "Text" TEXT NULL,
    "Html" TEXT NULL,
    "Preview" TEXT NULL,
    "InReplyTo" TEXT NULL,
    "References" TEXT NOT NULL,
    "Size" INTEGER NOT NULL,
    "Timestamp" INTEGER NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "UpdatedAt" INTEGER NOT NULL,
    "SentBy" TEXT NOT NULL,
    "IdempotencyKey" TEXT NULL,
    "Attachments" TEXT NULL
);

CREATE TABLE "outbox" (
    "MessageId" TEXT NOT NULL CONSTRAINT "PK_outbox" PRIMARY KEY,
    "InboxId" TEXT NOT NULL,
    "Recipients" TEXT NOT NULL,
    "Mime" BLOB NOT NULL,
    "RecordedAt" INTEGER NOT NULL
);

CREATE TABLE "drafts" (
    "DraftId" TEXT NOT NULL CONSTRAINT "PK_drafts" PRIMARY KEY,
    "InboxId" TEXT NOT NULL,
    "ClientId" TEXT NULL,
    "To" TEXT NOT NULL,
    "Cc" TEXT NOT NULL,
    "Bcc" TEXT NOT NULL,
    "ReplyTo" TEXT NOT NULL,
    "Labels" TEXT NOT NULL,
    "Subject" TEXT NULL,
    "Text" TEXT NULL,
    "Html" TEXT NULL,
    "Preview" TEXT NULL,
    "InReplyTo" TEXT NULL,
    "References" TEXT NOT NULL,
    "ThreadId" TEXT NOT NULL,
    "SendAt" INTEGER NULL,
    "State" TEXT NOT NULL,
    "FailureReason" TEXT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "UpdatedAt" INTEGER NOT NULL,
    "Version" INTEGER NOT NULL,
    "Attachments" TEXT NULL,
    CONSTRAINT "FK_drafts_inboxes_InboxId" FOREIGN KEY ("InboxId") REFERENCES "inboxes" ("InboxId") ON DELETE RESTRICT
);

CREATE UNIQUE INDEX "IX_api_keys_Hash" ON "api_keys" ("Hash");

CREATE INDEX "IX_audit_entries_DraftId_Id" ON "audit_entries" ("DraftId", "Id");

CREATE UNIQUE INDEX "IX_drafts_InboxId_ClientId" ON "drafts" ("InboxId", "ClientId");

CREATE INDEX "IX_drafts_InboxId_UpdatedAt_DraftId" ON "drafts" ("InboxId", "UpdatedAt", "DraftId");

CREATE INDEX "IX_drafts_State_SendAt" ON "drafts" ("State", "SendAt");

CREATE INDEX "IX_drafts_State_UpdatedAt_DraftId" ON "drafts" ("State", "UpdatedAt", "DraftId");

CREATE INDEX "IX_drafts_UpdatedAt_DraftId" ON "drafts" ("UpdatedAt", "DraftId");

CREATE UNIQUE INDEX "IX_inboxes_ClientId" ON "inboxes" ("ClientId");

CREATE INDEX "IX_inboxes_UpdatedAt_InboxId" ON "inboxes" ("UpdatedAt", "InboxId");

CREATE UNIQUE INDEX "IX_messages_DraftId" ON "messages" ("DraftId");

CREATE INDEX "IX_messages_InboxId_IdempotencyKey" ON "messages" ("InboxId", "IdempotencyKey");

CREATE INDEX "IX_messages_InboxId_Timestamp_MessageId" ON "messages" ("InboxId", "Timestamp", "MessageId");

CREATE INDEX "IX_messages_Timestamp_MessageId" ON "messages" ("Timestamp", "MessageId");

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261124234103_Initial', '10.0.12');

COMMIT;

BEGIN TRANSACTION;
ALTER TABLE "drafts" ADD "ApprovedAt" INTEGER NULL;

ALTER TABLE "drafts" ADD "ApprovedBy" TEXT NULL;

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261125000813_DraftApproval', '10.0.12');

COMMIT;

BEGIN TRANSACTION;
DROP INDEX "IX_messages_InboxId_IdempotencyKey";

ALTER TABLE "drafts" ADD "AgentMaySend" INTEGER NOT NULL DEFAULT 0;

ALTER TABLE "drafts" ADD "ClaimExpiresAt" INTEGER NULL;

ALTER TABLE "drafts" ADD "ClaimedBy" TEXT NULL;

ALTER TABLE "drafts" ADD "DeliveryAttempts" INTEGER NOT NULL DEFAULT 0;

ALTER TABLE "drafts" ADD "SendRequestedAt" INTEGER NULL;

ALTER TABLE "drafts" ADD "SendRequestedBy" TEXT NULL;

CREATE TABLE "idempotency_keys" (
    "CallerId" TEXT NOT NULL,
    "Operation" TEXT NOT NULL,
    "Key" TEXT NOT NULL,
    "RequestHash" TEXT NOT NULL,
    "ResourceId" TEXT NOT NULL,
    "InboxId" TEXT NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    CONSTRAINT "PK_idempotency_keys" PRIMARY KEY ("CallerId", "Operation", "Key")
);

CREATE INDEX "IX_idempotency_keys_CreatedAt" ON "idempotency_keys" ("CreatedAt");

CREATE TABLE "ef_temp_messages" (
    "MessageId" TEXT NOT NULL CONSTRAINT "PK_messages" PRIMARY KEY,
    "Attachments" TEXT NULL,
    "Bcc" TEXT NOT NULL,
    "Cc" TEXT NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "DraftId" TEXT NOT NULL,
    "From" TEXT NOT NULL,
    "Html" TEXT NULL,
    "InReplyTo" TEXT NULL,
    "InboxId" TEXT NOT NULL,
    "Labels" TEXT NOT NULL,
    "Preview" TEXT NULL,
    "References" TEXT NOT NULL,
    "ReplyTo" TEXT NOT NULL,
    "SentBy" TEXT NOT NULL,
    "Size" INTEGER NOT NULL,
    "Subject" TEXT NULL,
    "Text" TEXT NULL,
    "ThreadId" TEXT NOT NULL,
    "Timestamp" INTEGER NOT NULL,
    "To" TEXT NOT NULL,
    "UpdatedAt" INTEGER NOT NULL
);

INSERT INTO "ef_temp_messages" ("MessageId", "Attachments", "Bcc", "Cc", "CreatedAt", "DraftId", "From", "Html", "InReplyTo", "InboxId", "Labels", "Preview", "References", "ReplyTo", "SentBy", "Size", "Subject", "Text", "ThreadId", "Timestamp", "To", "UpdatedAt")
SELECT "MessageId", "Attachments", "Bcc", "Cc", "CreatedAt", "DraftId", "From", "Html", "InReplyTo", "InboxId", "Labels", "Preview", "References", "ReplyTo", "SentBy", "Size", "Subject", "Text", "ThreadId", "Timestamp", "To", "UpdatedAt"
FROM "messages";

COMMIT;

PRAGMA foreign_keys = 0;

BEGIN TRANSACTION;
DROP TABLE "messages";

ALTER TABLE "ef_temp_messages" RENAME TO "messages";

COMMIT;

PRAGMA foreign_keys = 1;

BEGIN TRANSACTION;
CREATE UNIQUE INDEX "IX_messages_DraftId" ON "messages" ("DraftId");

CREATE INDEX "IX_messages_InboxId_Timestamp_MessageId" ON "messages" ("InboxId", "Timestamp", "MessageId");

CREATE INDEX "IX_messages_Timestamp_MessageId" ON "messages" ("Timestamp", "MessageId");

COMMIT;

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261201111737_TrustworthySending', '10.0.12');

BEGIN TRANSACTION;
CREATE TABLE "message_mime" (
    "MessageId" TEXT NOT NULL CONSTRAINT "PK_message_mime" PRIMARY KEY,
    "Mime" BLOB NOT NULL
);

CREATE TABLE "threads" (
    "ThreadId" TEXT NOT NULL CONSTRAINT "PK_threads" PRIMARY KEY,
    "InboxId" TEXT NOT NULL,
    "Labels" TEXT NOT NULL,
    "UserLabels" TEXT NOT NULL,
    "Senders" TEXT NOT NULL,
    "Recipients" TEXT NOT NULL,
    "Subject" TEXT NULL,
    "Preview" TEXT NULL,
    "LastMessageId" TEXT NULL,
    "MessageCount" INTEGER NOT NULL,
    "Size" INTEGER NOT NULL,
    "Timestamp" INTEGER NOT NULL,
    "ReceivedTimestamp" INTEGER NULL,
    "SentTimestamp" INTEGER NULL,
    "CreatedAt" INTEGER NOT NULL,
    "UpdatedAt" INTEGER NOT NULL
);

INSERT INTO threads (ThreadId, InboxId, Labels, UserLabels, Senders, Recipients, Subject, Preview, LastMessageId,
                     MessageCount, Size, Timestamp, ReceivedTimestamp, SentTimestamp, CreatedAt, UpdatedAt)
SELECT t.ThreadId, m.InboxId, '["sent"]', '[]', json_array(m."From"), m."To", m.Subject, m.Preview, m.MessageId,
       t.Count, t.Size, t.Latest, NULL, t.Latest, t.First, t.Latest
FROM (SELECT ThreadId, count(*) AS Count, sum(Size) AS Size, max(Timestamp) AS Latest, min(CreatedAt) AS First
      FROM messages GROUP BY ThreadId) AS t
JOIN messages AS m ON m.ThreadId = t.ThreadId AND m.Timestamp = t.Latest
GROUP BY t.ThreadId;

CREATE INDEX "IX_messages_ThreadId_Timestamp" ON "messages" ("ThreadId", "Timestamp");

CREATE INDEX "IX_threads_InboxId_Timestamp_ThreadId" ON "threads" ("InboxId", "Timestamp", "ThreadId");

CREATE INDEX "IX_threads_Timestamp_ThreadId" ON "threads" ("Timestamp", "ThreadId");

CREATE TABLE "ef_temp_messages" (
    "MessageId" TEXT NOT NULL CONSTRAINT "PK_messages" PRIMARY KEY,
    "Attachments" TEXT NULL,
    "Bcc" TEXT NOT NULL,
    "Cc" TEXT NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "DraftId" TEXT NULL,
    "From" TEXT NOT NULL,
    "Html" TEXT NULL,
    "InReplyTo" TEXT NULL,
    "InboxId" TEXT NOT NULL,
    "Labels" TEXT NOT NULL,
    "Preview" TEXT NULL,
    "References" TEXT NOT NULL,
    "ReplyTo" TEXT NOT NULL,
    "SentBy" TEXT NULL,
    "Size" INTEGER NOT NULL,
    "Subject" TEXT NULL,
    "Text" TEXT NULL,
    "ThreadId" TEXT NOT NULL,
    "Timestamp" INTEGER NOT NULL,
    "To" TEXT NOT NULL,
    "UpdatedAt" INTEGER NOT NULL
);

INSERT INTO "ef_temp_messages" ("MessageId", "Attachments", "Bcc", "Cc", "CreatedAt", "DraftId", "From", "Html", "InReplyTo", "InboxId", "Labels", "Preview", "References", "ReplyTo", "SentBy", "Size", "Subject", "Text", "ThreadId", "Timestamp", "To", "UpdatedAt")
SELECT "MessageId", "Attachments", "Bcc", "Cc", "CreatedAt", "DraftId", "From", "Html", "InReplyTo", "InboxId", "Labels", "Preview", "References", "ReplyTo", "SentBy", "Size", "Subject", "Text", "ThreadId", "Timestamp", "To", "UpdatedAt"
FROM "messages";

COMMIT;

PRAGMA foreign_keys = 0;

BEGIN TRANSACTION;
DROP TABLE "messages";

ALTER TABLE "ef_temp_messages" RENAME TO "messages";

COMMIT;

PRAGMA foreign_keys = 1;

BEGIN TRANSACTION;
CREATE UNIQUE INDEX "IX_messages_DraftId" ON "messages" ("DraftId");

CREATE INDEX "IX_messages_InboxId_Timestamp_MessageId" ON "messages" ("InboxId", "Timestamp", "MessageId");

CREATE INDEX "IX_messages_ThreadId_Timestamp" ON "messages" ("ThreadId", "Timestamp");

CREATE INDEX "IX_messages_Timestamp_MessageId" ON "messages" ("Timestamp", "MessageId");

COMMIT;

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261201120551_Conversations', '10.0.12');

BEGIN TRANSACTION;
ALTER TABLE "inboxes" ADD "OnReply" TEXT NOT NULL DEFAULT 'Hold';

ALTER TABLE "drafts" ADD "HeldReason" TEXT NULL;

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261201121450_InboxOnReply', '10.0.12');

COMMIT;

BEGIN TRANSACTION;
ALTER TABLE "inboxes" ADD "Metadata" TEXT NULL;

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261201124645_InboxMetadata', '10.0.12');

COMMIT;

BEGIN TRANSACTION;
CREATE TABLE "event_cursors" (
    "Consumer" TEXT NOT NULL CONSTRAINT "PK_event_cursors" PRIMARY KEY,
    "Position" INTEGER NOT NULL
);

CREATE TABLE "events" (
    "Position" INTEGER NOT NULL CONSTRAINT "PK_events" PRIMARY KEY AUTOINCREMENT,
    "EventId" TEXT NOT NULL,
    "EventType" TEXT NOT NULL,
    "InboxId" TEXT NOT NULL,
    "DraftId" TEXT NULL,
    "MessageId" TEXT NULL,
    "ThreadId" TEXT NULL,
    "OccurredAt" INTEGER NOT NULL,
    "Facts" TEXT NOT NULL
);

CREATE UNIQUE INDEX "IX_events_EventId" ON "events" ("EventId");

CREATE INDEX "IX_events_InboxId_Position" ON "events" ("InboxId", "Position");

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261201141722_EventLog', '10.0.12');

COMMIT;

BEGIN TRANSACTION;
CREATE TABLE "webhook_deliveries" (
    "DeliveryId" TEXT NOT NULL CONSTRAINT "PK_webhook_deliveries" PRIMARY KEY,
    "WebhookId" TEXT NOT NULL,
    "EventPosition" INTEGER NOT NULL,
    "EventId" TEXT NOT NULL,
    "EventType" TEXT NOT NULL,
    "Status" TEXT NOT NULL,
    "Attempts" INTEGER NOT NULL,
    "NextAttemptAt" INTEGER NULL,
    "LastAttemptAt" INTEGER NULL,
    "LastStatusCode" INTEGER NULL,
    "LastResponse" TEXT NULL,
    "LastError" TEXT NULL,
    "CreatedAt" INTEGER NOT NULL
);

CREATE TABLE "webhooks" (
    "WebhookId" TEXT NOT NULL CONSTRAINT "PK_webhooks" PRIMARY KEY,
    "Url" TEXT NOT NULL,
    "EventTypes" TEXT NOT NULL,
    "InboxIds" TEXT NOT NULL,
    "OwnerInboxIds" TEXT NULL,
    "ClientId" TEXT NULL,
    "Secret" TEXT NOT NULL,
    "Enabled" INTEGER NOT NULL,
    "DisabledReason" TEXT NULL,
    "FailingSince" INTEGER NULL,
    "CreatedAt" INTEGER NOT NULL,
    "UpdatedAt" INTEGER NOT NULL
);

CREATE INDEX "IX_webhook_deliveries_Status_NextAttemptAt" ON "webhook_deliveries" ("Status", "NextAttemptAt");

CREATE INDEX "IX_webhook_deliveries_WebhookId_EventPosition" ON "webhook_deliveries" ("WebhookId", "EventPosition");

CREATE UNIQUE INDEX "IX_webhooks_ClientId" ON "webhooks" ("ClientId");

CREATE INDEX "IX_webhooks_CreatedAt_WebhookId" ON "webhooks" ("CreatedAt", "WebhookId");

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261201142405_Webhooks', '10.0.12');

COMMIT;

BEGIN TRANSACTION;
ALTER TABLE "drafts" ADD "AgentVersion" TEXT NULL;

ALTER TABLE "drafts" ADD "ChangesRequested" TEXT NULL;

ALTER TABLE "drafts" ADD "ChangesRequestedAt" INTEGER NULL;

ALTER TABLE "drafts" ADD "ChangesRequestedBy" TEXT NULL;

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261201142713_ConsoleReview', '10.0.12');

COMMIT;

BEGIN TRANSACTION;
CREATE TABLE "protection_keys" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_protection_keys" PRIMARY KEY AUTOINCREMENT,
    "FriendlyName" TEXT NULL,
    "Xml" TEXT NOT NULL
);

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261201145927_ProtectionKeys', '10.0.12');

COMMIT;

BEGIN TRANSACTION;
CREATE VIRTUAL TABLE drafts_search USING fts5(draft_id, subject, body, people, labels, tokenize = 'unicode61 remove_diacritics 2');

INSERT INTO drafts_search (draft_id, subject, body, people, labels) SELECT d."DraftId", coalesce(d."Subject", ''), substr(coalesce(d."Text", ''), 1, 20000) || ' ' || coalesce(d."Preview", ''), d."To" || ' ' || d."Cc" || ' ' || d."Bcc", d."Labels" FROM drafts AS d;

CREATE TRIGGER drafts_search_insert AFTER INSERT ON drafts BEGIN INSERT INTO drafts_search (draft_id, subject, body, people, labels) VALUES (new."DraftId", coalesce(new."Subject", ''), substr(coalesce(new."Text", ''), 1, 20000) || ' ' || coalesce(new."Preview", ''), new."To" || ' ' || new."Cc" || ' ' || new."Bcc", new."Labels"); END;

CREATE TRIGGER drafts_search_update AFTER UPDATE OF "Subject", "Text", "Preview", "To", "Cc", "Bcc", "Labels" ON drafts BEGIN DELETE FROM drafts_search WHERE drafts_search MATCH 'draft_id : "' || old."DraftId" || '"'; INSERT INTO drafts_search (draft_id, subject, body, people, labels) VALUES (new."DraftId", coalesce(new."Subject", ''), substr(coalesce(new."Text", ''), 1, 20000) || ' ' || coalesce(new."Preview", ''), new."To" || ' ' || new."Cc" || ' ' || new."Bcc", new."Labels"); END;

CREATE TRIGGER drafts_search_delete AFTER DELETE ON drafts BEGIN DELETE FROM drafts_search WHERE drafts_search MATCH 'draft_id : "' || old."DraftId" || '"'; END;

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261201150609_DraftSearchIndex', '10.0.12');

COMMIT;

BEGIN TRANSACTION;
CREATE TABLE drafts_search_rows (draft_id TEXT NOT NULL PRIMARY KEY, search_rowid INTEGER NOT NULL) WITHOUT ROWID;

INSERT OR IGNORE INTO drafts_search_rows (draft_id, search_rowid) SELECT draft_id, rowid FROM drafts_search ORDER BY rowid;

DELETE FROM drafts_search WHERE rowid NOT IN (SELECT search_rowid FROM drafts_search_rows);

DROP TRIGGER IF EXISTS drafts_search_insert;

DROP TRIGGER IF EXISTS drafts_search_update;

DROP TRIGGER IF EXISTS drafts_search_delete;

CREATE TRIGGER drafts_search_insert AFTER INSERT ON drafts BEGIN INSERT INTO drafts_search (draft_id, subject, body, people, labels) VALUES (new."DraftId", coalesce(new."Subject", ''), substr(coalesce(new."Text", ''), 1, 20000) || ' ' || coalesce(new."Preview", ''), new."To" || ' ' || new."Cc" || ' ' || new."Bcc", new."Labels"); INSERT OR REPLACE INTO drafts_search_rows (draft_id, search_rowid) VALUES (new."DraftId", last_insert_rowid()); END;

CREATE TRIGGER drafts_search_update AFTER UPDATE OF "Subject", "Text", "Preview", "To", "Cc", "Bcc", "Labels" ON drafts BEGIN DELETE FROM drafts_search WHERE rowid = (SELECT search_rowid FROM drafts_search_rows WHERE draft_id = old."DraftId"); INSERT INTO drafts_search (draft_id, subject, body, people, labels) VALUES (new."DraftId", coalesce(new."Subject", ''), substr(coalesce(new."Text", ''), 1, 20000) || ' ' || coalesce(new."Preview", ''), new."To" || ' ' || new."Cc" || ' ' || new."Bcc", new."Labels"); INSERT OR REPLACE INTO drafts_search_rows (draft_id, search_rowid) VALUES (new."DraftId", last_insert_rowid()); END;

CREATE TRIGGER drafts_search_delete AFTER DELETE ON drafts BEGIN DELETE FROM drafts_search WHERE rowid = (SELECT search_rowid FROM drafts_search_rows WHERE draft_id = old."DraftId"); DELETE FROM drafts_search_rows WHERE draft_id = old."DraftId"; END;

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261203171657_SearchRowsByDraft', '10.0.12');

COMMIT;

