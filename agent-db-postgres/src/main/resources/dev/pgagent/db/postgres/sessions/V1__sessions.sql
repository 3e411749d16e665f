-- Session states shared by every node: one row per session, its version for optimistic concurrency.
CREATE TABLE ${schema}.sessions (
    id         text PRIMARY KEY,
    version    bigint NOT NULL CHECK (version >= 1),
    state      bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_updated_idx ON ${schema}.sessions (updated_at);
