-- The system of record for the whole product: jobs and questions, candidates and resumes, interviews and
-- their answers, scores, SMS opt-outs, inbound message idempotency and API tokens.

CREATE TABLE jobs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description text NOT NULL DEFAULT '',
    requirements text[] NOT NULL DEFAULT '{}',
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('draft', 'open', 'closed')),
    -- interview settings
    greeting_enabled boolean NOT NULL DEFAULT true,
    answer_timeout_minutes integer NOT NULL DEFAULT 240 CHECK (answer_timeout_minutes BETWEEN 1 AND 10080),
    reminder_count integer NOT NULL DEFAULT 1 CHECK (reminder_count BETWEEN 0 AND 5),
    reminder_interval_minutes integer NOT NULL DEFAULT 240
        CHECK (reminder_interval_minutes BETWEEN 1 AND 10080),
    struggle_threshold integer NOT NULL DEFAULT 2 CHECK (struggle_threshold BETWEEN 1 AND 10),
    struggle_policy text NOT NULL DEFAULT 'reschedule' CHECK (struggle_policy IN ('continue', 'reschedule')),
    reschedule_delay_minutes integer CHECK (reschedule_delay_minutes BETWEEN 1 AND 20160),
    max_reschedules integer NOT NULL DEFAULT 1 CHECK (max_reschedules BETWEEN 0 AND 5),
    quiet_hours_start time NOT NULL DEFAULT '21:00',
    quiet_hours_end time NOT NULL DEFAULT '08:00',
    timezone text NOT NULL DEFAULT 'America/New_York',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX jobs_status_created ON jobs (status, created_at DESC, id DESC);
CREATE INDEX jobs_created ON jobs (created_at DESC, id DESC);

CREATE TABLE questions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    job_id uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    position integer NOT NULL CHECK (position >= 1),
    text text NOT NULL CHECK (length(text) BETWEEN 1 AND 320),
    ideal_answer text,
    knockout boolean NOT NULL DEFAULT false,
    expected_answer text,
    CONSTRAINT questions_position_unique UNIQUE (job_id, position) DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT knockout_needs_expected_answer CHECK (NOT knockout OR expected_answer IS NOT NULL)
);

CREATE TABLE candidates (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    job_id uuid REFERENCES jobs (id) ON DELETE SET NULL,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    phone_e164 text NOT NULL CHECK (phone_e164 ~ '^\+[1-9][0-9]{6,14}$'),
    email text,
    sms_consent boolean NOT NULL DEFAULT false,
    consent_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX candidates_created ON candidates (created_at DESC, id DESC);
CREATE INDEX candidates_job_created ON candidates (job_id, created_at DESC, id DESC);
CREATE INDEX candidates_phone ON candidates (phone_e164);

-- One resume per candidate; the file lives in Blob Storage, its text here for the scorer.
CREATE TABLE resumes (
    candidate_id uuid PRIMARY KEY REFERENCES candidates (id) ON DELETE CASCADE,
    blob_name text NOT NULL,
    file_name text NOT NULL,
    content_type text NOT NULL,
    size_bytes bigint NOT NULL,
    sha256 text NOT NULL,
    pages integer,
    text_status text NOT NULL CHECK (text_status IN ('ok', 'empty', 'failed')),
    text_reason text,
    text_content text,
    uploaded_at timestamptz NOT NULL DEFAULT now()
);

-- SMS opt-outs are per phone number, as Twilio enforces them.
CREATE TABLE sms_opt_outs (
    phone_e164 text PRIMARY KEY,
    opted_out_at timestamptz NOT NULL DEFAULT now(),
    keyword text NOT NULL
);

CREATE TABLE interviews (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    candidate_id uuid NOT NULL REFERENCES candidates (id) ON DELETE CASCADE,
    job_id uuid NOT NULL REFERENCES jobs (id) ON DELETE RESTRICT,
    phone_e164 text NOT NULL,
    status text NOT NULL DEFAULT 'scheduled' CHECK (
        status IN ('scheduled', 'in_progress', 'paused', 'completed', 'expired', 'cancelled', 'opted_out',
                   'failed')),
    question_count integer NOT NULL,
    current_question integer,           -- position of the question awaiting an answer, if any
    attempt integer NOT NULL DEFAULT 0, -- bumped each time a question is (re)sent; names the answer event
    awaiting_answer boolean NOT NULL DEFAULT false,
    struggle_count integer NOT NULL DEFAULT 0,
    struggled boolean NOT NULL DEFAULT false,
    reschedule_count integer NOT NULL DEFAULT 0,
    reminders_sent integer NOT NULL DEFAULT 0,
    knocked_out boolean NOT NULL DEFAULT false,
    flags text[] NOT NULL DEFAULT '{}',
    end_reason text,
    scheduled_at timestamptz NOT NULL DEFAULT now(),
    resume_at timestamptz,
    started_at timestamptz,
    completed_at timestamptz,
    ended_at timestamptz,
    score_status text NOT NULL DEFAULT 'none' CHECK (score_status IN ('none', 'pending', 'scored', 'failed')),
    score_error text,
    score_requests integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
-- At most one active interview per phone number: the webhook routes a reply by its sender.
CREATE UNIQUE INDEX interviews_one_active_per_phone ON interviews (phone_e164)
    WHERE status IN ('scheduled', 'in_progress', 'paused');
CREATE INDEX interviews_created ON interviews (created_at DESC, id DESC);
CREATE INDEX interviews_status_created ON interviews (status, created_at DESC, id DESC);
CREATE INDEX interviews_job_created ON interviews (job_id, created_at DESC, id DESC);
CREATE INDEX interviews_candidate ON interviews (candidate_id, created_at DESC);

-- One row per question answered; a candidate who splits an answer over several texts has them joined.
CREATE TABLE answers (
    id bigserial PRIMARY KEY,
    interview_id uuid NOT NULL REFERENCES interviews (id) ON DELETE CASCADE,
    question_id uuid REFERENCES questions (id) ON DELETE SET NULL,
    question_position integer NOT NULL,
    question_text text NOT NULL,       -- as asked, so later edits to the job do not rewrite history
    text text NOT NULL,
    message_sids text[] NOT NULL,
    struggling boolean NOT NULL DEFAULT false,
    received_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (interview_id, question_position)
);

-- Every inbound SMS once, by Twilio's MessageSid: Twilio retries, and a retry may reach another instance.
CREATE TABLE inbound_messages (
    message_sid text PRIMARY KEY,
    from_phone text NOT NULL,
    body text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    interview_id uuid REFERENCES interviews (id) ON DELETE CASCADE,
    question_position integer,
    attempt integer,
    handled_as text NOT NULL
);
CREATE INDEX inbound_messages_interview ON inbound_messages (interview_id, received_at);
CREATE INDEX inbound_messages_phone ON inbound_messages (from_phone, received_at);

CREATE TABLE scores (
    id bigserial PRIMARY KEY,
    interview_id uuid NOT NULL REFERENCES interviews (id) ON DELETE CASCADE,
    request_number integer NOT NULL,
    scorer text NOT NULL,
    scorer_version text NOT NULL,
    prompt_version text NOT NULL,
    model text,
    job_fit_score integer NOT NULL CHECK (job_fit_score BETWEEN 0 AND 100),
    recommendation text NOT NULL CHECK (recommendation IN ('advance', 'hold', 'reject')),
    details jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (interview_id, request_number, scorer, scorer_version, prompt_version)
);
CREATE INDEX scores_interview ON scores (interview_id, created_at DESC);

CREATE TABLE api_tokens (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    token_hash text NOT NULL UNIQUE,
    role text NOT NULL CHECK (role IN ('admin', 'recruiter', 'viewer')),
    label text NOT NULL,
    created_by text,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at timestamptz
);
