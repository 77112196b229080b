-- Additions made while building the projector. 001's tables and columns keep their names.

-- The copy run (initial/delta/final/pst_upload/tgz_import) that last decided the mailbox's
-- status: an outcome of an older run never overrides a newer run still in progress.
ALTER TABLE migration_mailboxes ADD COLUMN sync_run_id uuid;

-- The tool's argv as the runner reported it (secrets never present).
ALTER TABLE migration_runs ADD COLUMN command_line text;

-- Mailboxes and runs are updated several times per run; room on each page lets PostgreSQL
-- update them in place (HOT) without touching every index.
ALTER TABLE migration_mailboxes SET (fillfactor = 70);
ALTER TABLE migration_runs SET (fillfactor = 80);

-- quarantine_count counts messages still waiting for review (QuarantineRecorded minus
-- QuarantineReviewed); the items themselves stay in migration_quarantine with their decision.
COMMENT ON COLUMN migration_mailboxes.quarantine_count IS 'quarantined messages not yet reviewed';
COMMENT ON COLUMN migration_jobs.last_event_seq IS
    'stream sequence of the latest event about the job (job, mailbox or run aggregate)';

-- Preflight/sync/verify/retry requests: who asked for what, so a run shows who triggered it.
CREATE TABLE migration_requests (
    request_id            uuid PRIMARY KEY,
    job_id                uuid NOT NULL,
    request_type          text NOT NULL,
    mode                  text,
    mailbox_count         integer,
    forced                boolean NOT NULL DEFAULT false,
    requested_by          text NOT NULL,
    requested_role        text,
    requested_at          timestamptz NOT NULL,
    event_seq             bigint NOT NULL
);
CREATE INDEX migration_requests_job_idx ON migration_requests (job_id, event_seq);

-- Events the projector could not read (unknown type, newer schema, not an envelope) or could
-- not apply: recorded and skipped, so one bad message never stalls the read models.
CREATE TABLE projection_errors (
    seq                   bigint PRIMARY KEY,
    subject               text NOT NULL,
    event_type            text,
    schema_version        integer,
    reason                text NOT NULL
);
