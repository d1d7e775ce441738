-- Statistics import jobs: an uploaded file kept server-side between its dry run and its
-- commit (bound to the user and session that uploaded it, and expiring), with the progress
-- of whichever is running, so that any server sharing the database can answer the
-- progress poll and run the commit.

CREATE TABLE import_jobs (
	id           TEXT PRIMARY KEY, -- random and unguessable
	user_id      BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	session_hash TEXT NOT NULL,    -- sha256 of the session that uploaded the file
	file_name    TEXT NOT NULL,
	format       TEXT NOT NULL CHECK (format IN ('xlsx', 'csv')),
	size_bytes   BIGINT NOT NULL,
	sha256       TEXT NOT NULL,
	reason       TEXT NOT NULL DEFAULT '', -- correction reason for rows that give none
	state        TEXT NOT NULL CHECK (state IN ('checking', 'checked', 'importing', 'done', 'failed')),
	rows_total   BIGINT NOT NULL DEFAULT 0,
	rows_done    BIGINT NOT NULL DEFAULT 0,
	report       TEXT NOT NULL DEFAULT '', -- JSON: the last dry run's or commit's result
	created_at   BIGINT NOT NULL,
	updated_at   BIGINT NOT NULL,
	expires_at   BIGINT NOT NULL,
	content      BYTEA NOT NULL
);
CREATE INDEX import_jobs_expires ON import_jobs(expires_at);
