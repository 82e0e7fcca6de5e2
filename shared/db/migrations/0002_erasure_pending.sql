-- Storage work owed after a change in PostgreSQL: the files and log entries of an erased candidate, the
-- orchestrations of interviews cancelled by the erasure, the audit entry, a replaced resume's old blob.
-- Rows are written in the same transaction as the database change and deleted once the work is done, so a
-- storage failure (or a crash right after the commit) leaves a row to retry, never silent leftovers.
-- Targets are opaque: blob names, table partition keys (a phone's partition is a hash), interview ids.
CREATE TABLE erasure_pending (
    id bigserial PRIMARY KEY,
    candidate_id uuid NOT NULL,  -- no foreign key: the candidate row is usually gone already
    kind text NOT NULL CHECK (
        kind IN ('resume_blob', 'resume_prefix', 'conversation_partition', 'orchestration', 'audit')),
    target text NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    last_error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (kind, target)
);
CREATE INDEX erasure_pending_due ON erasure_pending (next_attempt_at, id);
