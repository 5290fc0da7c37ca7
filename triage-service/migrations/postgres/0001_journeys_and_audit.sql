-- Journeys held by the service, and the append-only, hash-chained audit trail.

-- One row per journey: the saved session (answers and start, no step), and a
-- version that every change increments, so two replicas answering the same
-- journey at once cannot both win.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    saved TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- One row per outcome returned. `record` is the engine's audit record
-- (triage.audit/1) exactly as hashed; the other columns repeat what it says
-- for queries, and `triage audit verify` checks that they agree.
-- hash = SHA-256("triage.audit-chain/1\n" || prev_hash || "\n" || record).
CREATE TABLE audit (
    seq BIGINT PRIMARY KEY,
    session_id TEXT,
    recorded_at TEXT NOT NULL,
    bundle_hash TEXT NOT NULL,
    pathway TEXT NOT NULL,
    pathway_version TEXT NOT NULL,
    age_band TEXT NOT NULL,
    sex TEXT NOT NULL,
    disposition_code TEXT NOT NULL,
    record TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE
);
CREATE INDEX audit_by_session ON audit (session_id);

-- The end of the chain. Appending locks this row first, so records from every
-- replica form one chain; a record removed from the end is caught here.
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit records are append-only';
END;
$$;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_head_kept BEFORE DELETE OR TRUNCATE ON audit_head
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
