-- Audit records, one row per event. "event" is the canonical JSON the hash covers; the other columns are derived
-- from it (generated), so they cannot disagree with what the chain protects.
CREATE TABLE ${schema}.audit_events (
    id          bigserial PRIMARY KEY,
    chain       text NOT NULL,
    event       text NOT NULL,
    prev_hash   text NOT NULL,
    hash        text NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    event_time  text GENERATED ALWAYS AS (event::jsonb ->> 'timestamp') STORED,
    type        text GENERATED ALWAYS AS (event::jsonb ->> 'type') STORED,
    session_id  text GENERATED ALWAYS AS (event::jsonb ->> 'sessionId') STORED,
    ask_id      text GENERATED ALWAYS AS (event::jsonb ->> 'askId') STORED,
    sql         text GENERATED ALWAYS AS (event::jsonb ->> 'sql') STORED,
    outcome     text GENERATED ALWAYS AS (event::jsonb ->> 'outcome') STORED,
    attributes  jsonb GENERATED ALWAYS AS (event::jsonb -> 'attributes') STORED
);
CREATE INDEX audit_events_chain_idx ON ${schema}.audit_events (chain, id);
CREATE INDEX audit_events_session_idx ON ${schema}.audit_events (session_id);
