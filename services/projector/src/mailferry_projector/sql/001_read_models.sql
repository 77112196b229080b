-- Read models (DESIGN §3). Disposable: dropped and rebuilt by replaying the event log, so every
-- value here must come from events (occurred_at, never now()) for rebuilds to be identical.

CREATE TABLE migration_jobs (
    id                    uuid PRIMARY KEY,
    tenant_id             text,
    ticket_id             text,
    domain                text NOT NULL,
    phase                 text NOT NULL,
    phase_before_failure  text,
    migration_gate        text NOT NULL,
    source_server_label   text,
    source_host           text,
    source_port           integer,
    source_security       text,
    dest_imap_host        text NOT NULL,
    dest_imap_port        integer NOT NULL,
    dest_security         text NOT NULL,
    engine                text NOT NULL,
    options               jsonb NOT NULL,
    concurrency_limit     integer NOT NULL,
    per_host_limit        integer NOT NULL,
    notes                 text NOT NULL DEFAULT '',
    mailbox_count         integer NOT NULL DEFAULT 0,
    sync_percent          numeric(5, 2) NOT NULL DEFAULT 0,
    messages_source       bigint NOT NULL DEFAULT 0,
    messages_dest         bigint NOT NULL DEFAULT 0,
    last_evaluation_id    uuid,
    approved_by           text,
    approved_at           timestamptz,
    dns_cutover_at        timestamptz,
    closed_at             timestamptz,
    created_by            text NOT NULL,
    created_at            timestamptz NOT NULL,
    updated_at            timestamptz NOT NULL,
    last_event_seq        bigint NOT NULL
);
CREATE INDEX migration_jobs_domain_idx ON migration_jobs (domain);
CREATE INDEX migration_jobs_phase_idx ON migration_jobs (phase);
CREATE INDEX migration_jobs_gate_idx ON migration_jobs (migration_gate);
CREATE INDEX migration_jobs_created_idx ON migration_jobs (created_at DESC, id);

CREATE TABLE migration_mailboxes (
    id                    uuid PRIMARY KEY,
    job_id                uuid NOT NULL,
    row_number            integer,
    source_type           text NOT NULL,
    source_email          text NOT NULL,
    source_user           text NOT NULL,
    target_email          text NOT NULL,
    target_user           text NOT NULL,
    folder_map            jsonb NOT NULL DEFAULT '{}',
    has_source_credentials boolean NOT NULL DEFAULT false,
    has_target_credentials boolean NOT NULL DEFAULT false,
    status                text NOT NULL,
    last_error_class      text,
    last_error_message    text,
    messages_source       bigint,
    bytes_source          bigint,
    messages_dest         bigint,
    bytes_dest            bigint,
    verify_ratio          numeric(7, 4),
    sync_percent          numeric(5, 2) NOT NULL DEFAULT 0,
    last_run_id           uuid,
    last_run_type         text,
    last_run_status       text,
    initial_synced_at     timestamptz,
    delta_synced_at       timestamptz,
    verified_at           timestamptz,
    preflight             jsonb,
    verification          jsonb,
    quarantine_count      integer NOT NULL DEFAULT 0,
    dead_letter           jsonb,
    created_at            timestamptz NOT NULL,
    updated_at            timestamptz NOT NULL
);
CREATE INDEX migration_mailboxes_job_idx ON migration_mailboxes (job_id, row_number, id);
CREATE INDEX migration_mailboxes_job_status_idx ON migration_mailboxes (job_id, status);
CREATE INDEX migration_mailboxes_job_email_idx ON migration_mailboxes (job_id, source_email);
CREATE INDEX migration_mailboxes_job_error_idx ON migration_mailboxes (job_id, last_error_class);

CREATE TABLE migration_runs (
    id                    uuid PRIMARY KEY,
    job_id                uuid NOT NULL,
    mailbox_id            uuid NOT NULL,
    request_id            uuid,
    run_type              text NOT NULL,
    runner_kind           text,
    tool                  text,
    runner_id             text,
    status                text NOT NULL,
    attempt               integer NOT NULL DEFAULT 0,
    exit_code             integer,
    stats                 jsonb,
    error_class           text,
    error_message         text,
    log_ref               text,
    triggered_by          text,
    queued_at             timestamptz,
    started_at            timestamptz,
    finished_at           timestamptz,
    duration_seconds      double precision
);
CREATE INDEX migration_runs_job_idx ON migration_runs (job_id);
CREATE INDEX migration_runs_mailbox_idx ON migration_runs (mailbox_id, queued_at);

CREATE TABLE migration_gate_checks (
    job_id                uuid NOT NULL,
    check_name            text NOT NULL,
    status                text NOT NULL,
    message               text NOT NULL,
    mailboxes             jsonb NOT NULL DEFAULT '[]',
    evaluation_id         uuid NOT NULL,
    evaluated_at          timestamptz NOT NULL,
    PRIMARY KEY (job_id, check_name)
);

CREATE TABLE migration_gate_evaluations (
    evaluation_id         uuid PRIMARY KEY,
    job_id                uuid NOT NULL,
    gate                  text NOT NULL,
    previous_gate         text,
    reason                text NOT NULL,
    approval_invalidated  boolean NOT NULL,
    checks                jsonb NOT NULL,
    mailbox_ratios        jsonb NOT NULL,
    evaluated_at          timestamptz NOT NULL,
    event_seq             bigint NOT NULL
);
CREATE INDEX migration_gate_evaluations_job_idx ON migration_gate_evaluations (job_id, event_seq);

CREATE TABLE migration_webhook_deliveries (
    notification_id       uuid NOT NULL,
    attempt               integer NOT NULL,
    job_id                uuid NOT NULL,
    url                   text NOT NULL,
    delivered             boolean NOT NULL,
    status_code           integer,
    error                 text NOT NULL,
    attempted_at          timestamptz NOT NULL,
    next_attempt_at       timestamptz,
    PRIMARY KEY (notification_id, url, attempt)
);
CREATE INDEX migration_webhook_deliveries_job_idx ON migration_webhook_deliveries (job_id);

CREATE TABLE migration_uploads (
    id                    uuid PRIMARY KEY,
    job_id                uuid NOT NULL,
    mailbox_id            uuid NOT NULL,
    kind                  text NOT NULL,
    filename              text NOT NULL,
    size_bytes            bigint NOT NULL,
    sha256                text NOT NULL,
    object_name           text NOT NULL,
    duplicate_of          uuid,
    uploaded_by           text NOT NULL,
    uploaded_at           timestamptz NOT NULL
);
CREATE INDEX migration_uploads_mailbox_idx ON migration_uploads (mailbox_id, uploaded_at);

CREATE TABLE migration_quarantine (
    run_id                uuid NOT NULL,
    item_index            integer NOT NULL,
    job_id                uuid NOT NULL,
    mailbox_id            uuid NOT NULL,
    folder                text NOT NULL,
    subject               text NOT NULL,
    message_date          timestamptz,
    size_bytes            bigint NOT NULL,
    reason                text NOT NULL,
    detail                text NOT NULL,
    artifact              text NOT NULL,
    decision              text,
    reviewed_by           text,
    reviewed_at           timestamptz,
    PRIMARY KEY (run_id, item_index)
);
CREATE INDEX migration_quarantine_mailbox_idx ON migration_quarantine (mailbox_id);
CREATE INDEX migration_quarantine_job_idx ON migration_quarantine (job_id);

CREATE TABLE audit_log (
    seq                   bigint PRIMARY KEY,
    event_id              uuid NOT NULL UNIQUE,
    occurred_at           timestamptz NOT NULL,
    event_type            text NOT NULL,
    aggregate_type        text NOT NULL,
    aggregate_id          text NOT NULL,
    job_id                uuid,
    actor_kind            text NOT NULL,
    actor_user            text NOT NULL,
    actor_role            text,
    actor_ip              text,
    actor_user_agent      text,
    summary               text NOT NULL
);
CREATE INDEX audit_log_job_idx ON audit_log (job_id, seq);
CREATE INDEX audit_log_user_idx ON audit_log (actor_user, seq);
CREATE INDEX audit_log_time_idx ON audit_log (occurred_at);
CREATE INDEX audit_log_type_idx ON audit_log (event_type, seq);

-- The projector's own position: which stream sequence each projection has applied.
CREATE TABLE projection_tracking (
    name                  text PRIMARY KEY,
    stream                text NOT NULL,
    last_seq              bigint NOT NULL
);
