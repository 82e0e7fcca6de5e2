-- What the interview engine needs beyond the initial schema.

-- Out-of-band signals to a running orchestration (recruiter reschedule, candidate READY) are raised as
-- events named control_<n>; the counter lives here so every raiser agrees on the next name.
ALTER TABLE interviews ADD COLUMN control_seq integer NOT NULL DEFAULT 0;
ALTER TABLE interviews ADD COLUMN timezone text;
ALTER TABLE interviews ADD COLUMN greeted boolean NOT NULL DEFAULT false;

-- Every SMS the engine sends, keyed by what it is (interview, kind, question, attempt), so an activity
-- that runs again after a crash does not text the candidate twice.
CREATE TABLE outbound_messages (
    dedupe_key text PRIMARY KEY,
    interview_id uuid REFERENCES interviews (id) ON DELETE CASCADE,
    sid text,
    kind text NOT NULL,
    sent_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbound_messages_interview ON outbound_messages (interview_id);
CREATE UNIQUE INDEX outbound_messages_sid ON outbound_messages (sid) WHERE sid IS NOT NULL;

-- Answers keep every attempt's first struggling verdict even when a question is asked again after a pause.
ALTER TABLE answers ADD COLUMN attempt integer NOT NULL DEFAULT 1;
