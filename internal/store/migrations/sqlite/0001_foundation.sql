-- Foundation: settings, regions and enterprises (the anchors of roles), users, sessions,
-- API tokens, login throttling and the audit log. Times are Unix milliseconds (BIGINT) in
-- both dialects so that comparisons and arithmetic are the same everywhere.

CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

CREATE TABLE regions (
	code        TEXT PRIMARY KEY,
	name_zh     TEXT NOT NULL,
	name_en     TEXT NOT NULL,
	kind        TEXT NOT NULL CHECK (kind IN ('nation', 'province', 'city', 'county', 'zone')),
	parent_code TEXT REFERENCES regions(code),
	aliases     TEXT NOT NULL DEFAULT '',
	source      TEXT NOT NULL
);
CREATE INDEX regions_parent ON regions(parent_code);

CREATE TABLE enterprises (
	id          INTEGER PRIMARY KEY,
	name_zh     TEXT NOT NULL UNIQUE,
	name_en     TEXT NOT NULL DEFAULT '',
	uscc        TEXT UNIQUE,
	region_code TEXT REFERENCES regions(code),
	note        TEXT NOT NULL DEFAULT '',
	source      TEXT NOT NULL,
	created_at  BIGINT NOT NULL
);

CREATE TABLE users (
	id                   INTEGER PRIMARY KEY,
	username             TEXT NOT NULL UNIQUE,
	display_name         TEXT NOT NULL,
	role                 TEXT NOT NULL CHECK (role IN ('admin', 'planner', 'regulator', 'county', 'enterprise', 'viewer')),
	region_code          TEXT REFERENCES regions(code),
	enterprise_id        BIGINT REFERENCES enterprises(id),
	password_hash        TEXT NOT NULL,
	must_change_password INTEGER NOT NULL DEFAULT 0,
	disabled             INTEGER NOT NULL DEFAULT 0,
	created_at           BIGINT NOT NULL,
	updated_at           BIGINT NOT NULL,
	CHECK ((role = 'county') = (region_code IS NOT NULL)),
	CHECK ((role = 'enterprise') = (enterprise_id IS NOT NULL))
);

CREATE TABLE sessions (
	token_hash   TEXT PRIMARY KEY,
	user_id      BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	created_at   BIGINT NOT NULL,
	expires_at   BIGINT NOT NULL,
	last_seen_at BIGINT NOT NULL,
	ip           TEXT NOT NULL DEFAULT '',
	user_agent   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
	id           INTEGER PRIMARY KEY,
	user_id      BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	name         TEXT NOT NULL,
	prefix       TEXT NOT NULL,
	token_hash   TEXT NOT NULL UNIQUE,
	created_at   BIGINT NOT NULL,
	expires_at   BIGINT,
	revoked_at   BIGINT,
	last_used_at BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

CREATE TABLE login_failures (
	key          TEXT PRIMARY KEY,
	failures     INTEGER NOT NULL,
	window_start BIGINT NOT NULL,
	locked_until BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE audit_log (
	id          INTEGER PRIMARY KEY,
	at          BIGINT NOT NULL,
	actor_id    BIGINT,
	actor       TEXT NOT NULL,
	action      TEXT NOT NULL,
	entity      TEXT NOT NULL,
	entity_id   TEXT NOT NULL,
	before_json TEXT,
	after_json  TEXT,
	request_id  TEXT NOT NULL DEFAULT '',
	ip          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_entity ON audit_log(entity, entity_id);
CREATE INDEX audit_log_actor ON audit_log(actor);
