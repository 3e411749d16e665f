-- pgagent history, version 1: one row an ask, one row a statement, and golden (question, SQL) pairs.
-- ${schema} is replaced by the quoted schema the host names. Applied by PostgresHistoryStore, recorded in
-- ${schema}.pgagent_history_version.

CREATE TABLE ${schema}.asks (
    id             text PRIMARY KEY,
    session_id     text NOT NULL,
    principal      text NOT NULL,
    question       text NOT NULL,
    answer         text NOT NULL,
    status         text NOT NULL,
    error          text,
    started_at     timestamptz NOT NULL,
    elapsed_us     bigint NOT NULL,
    steps          integer NOT NULL,
    input_tokens   bigint NOT NULL,
    output_tokens  bigint NOT NULL,
    final_database text,
    final_sql      text,
    in_memory      boolean NOT NULL DEFAULT true,
    recorded_at    timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE ${schema}.asks IS 'pgagent: one row an ask (question, answer, status, tokens, time)';
COMMENT ON COLUMN ${schema}.asks.final_sql IS 'the last statement that ran and returned rows';
COMMENT ON COLUMN ${schema}.asks.in_memory IS 'false once the pair was forgotten: never shown to the model as an example';

CREATE INDEX asks_started_idx ON ${schema}.asks (started_at DESC, id);
CREATE INDEX asks_session_idx ON ${schema}.asks (session_id, started_at);
CREATE INDEX asks_principal_idx ON ${schema}.asks (principal, started_at DESC);
CREATE INDEX asks_memory_idx ON ${schema}.asks USING gin (to_tsvector('simple', question))
    WHERE status = 'COMPLETED' AND final_sql IS NOT NULL AND in_memory;

CREATE TABLE ${schema}.statements (
    ask_id        text NOT NULL REFERENCES ${schema}.asks (id) ON DELETE CASCADE,
    position      integer NOT NULL,
    database      text NOT NULL,
    sql           text NOT NULL,
    decision      text NOT NULL,
    kind          text NOT NULL,
    reason        text NOT NULL,
    status        text NOT NULL,
    row_count     bigint NOT NULL,
    affected_rows bigint NOT NULL,
    error         text,
    sql_state     text,
    elapsed_us    bigint NOT NULL,
    PRIMARY KEY (ask_id, position)
);
COMMENT ON TABLE ${schema}.statements IS 'pgagent: the statements of each ask with verdicts and outcomes; no result rows';

CREATE TABLE ${schema}.examples (
    id         text PRIMARY KEY,
    database   text NOT NULL,
    question   text NOT NULL,
    sql        text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE ${schema}.examples IS 'pgagent: golden (question, SQL) pairs added by hand';
CREATE INDEX examples_database_idx ON ${schema}.examples (database, created_at DESC);
CREATE INDEX examples_question_idx ON ${schema}.examples USING gin (to_tsvector('simple', question));
