-- EPCIS 2.0 event repository (product flow) with its tamper-evident log.
--
-- epcis_locations  master data: GLN/SGLN locations with their kind, region and enterprise.
--                  uri is the canonical GS1 Digital Link (https://id.gs1.org/414/GLN[/254/ext]);
--                  events naming the SGLN URN form are matched after the same canonicalisation.
-- epcis_captures   one row per accepted capture request, holding the original document bytes
--                  (JSON-LD or XML) so that nothing the client sent is lost.
-- epcis_events     one row per stored event, keyed by its position in the Merkle log; hash_id
--                  is the CBV 2.0 event hash (the idempotency key). An error declaration has
--                  the same hash as the event it declares (errorDeclaration is outside the
--                  hash), so it is its own row with declaration = 1; error_declared marks an
--                  event that a declaration names, so that counts can leave it out.
-- epcis_event_items the EPCs and quantities of each event, for the MATCH_ and quantity filters.
-- epcis_log_hashes the stored hashes of the RFC 6962 tree (golang.org/x/mod/sumdb/tlog
--                  numbering), so proofs never recompute the tree.
-- epcis_log_head   the log's size and root: one row, locked by every append, which is what
--                  serialises appends from several servers.

CREATE TABLE epcis_locations (
	id            INTEGER PRIMARY KEY,
	uri           TEXT NOT NULL UNIQUE,
	name_zh       TEXT NOT NULL,
	name_en       TEXT NOT NULL DEFAULT '',
	kind          TEXT NOT NULL CHECK (kind IN ('mine', 'separation_plant', 'metal_plant', 'magnet_plant', 'warehouse', 'port')),
	region_code   TEXT NOT NULL REFERENCES regions(code),
	enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
	parent_uri    TEXT,
	created_at    BIGINT NOT NULL
);
CREATE INDEX epcis_locations_enterprise ON epcis_locations(enterprise_id);

CREATE TABLE epcis_captures (
	id            INTEGER PRIMARY KEY,
	user_id       BIGINT,
	enterprise_id BIGINT,
	behaviour     TEXT NOT NULL CHECK (behaviour IN ('rollback', 'proceed')),
	success       INTEGER NOT NULL,
	events        INTEGER NOT NULL,
	stored        INTEGER NOT NULL,
	duplicates    INTEGER NOT NULL,
	errors        TEXT NOT NULL DEFAULT '[]',
	content_type  TEXT NOT NULL,
	document      BLOB NOT NULL,
	created_at    BIGINT NOT NULL,
	finished_at   BIGINT NOT NULL
);

CREATE TABLE epcis_events (
	log_index         INTEGER PRIMARY KEY,
	hash_id           TEXT NOT NULL,
	declaration       INTEGER NOT NULL DEFAULT 0,
	error_declared    INTEGER NOT NULL DEFAULT 0,
	event_id          TEXT NOT NULL DEFAULT '',
	event_type        TEXT NOT NULL,
	event_time        BIGINT NOT NULL,
	record_time       BIGINT NOT NULL,
	action            TEXT NOT NULL DEFAULT '',
	biz_step          TEXT NOT NULL DEFAULT '',
	disposition       TEXT NOT NULL DEFAULT '',
	read_point        TEXT NOT NULL DEFAULT '',
	biz_location      TEXT NOT NULL DEFAULT '',
	transformation_id TEXT NOT NULL DEFAULT '',
	enterprise_id     BIGINT,
	capture_id        BIGINT NOT NULL,
	doc               TEXT NOT NULL,
	UNIQUE (hash_id, declaration)
);
CREATE INDEX epcis_events_event_id ON epcis_events(event_id) WHERE event_id <> '';
CREATE INDEX epcis_events_time ON epcis_events(event_time);
CREATE INDEX epcis_events_record ON epcis_events(record_time);
CREATE INDEX epcis_events_biz_location ON epcis_events(biz_location);
CREATE INDEX epcis_events_read_point ON epcis_events(read_point);
CREATE INDEX epcis_events_biz_step ON epcis_events(biz_step);
CREATE INDEX epcis_events_enterprise ON epcis_events(enterprise_id, event_time);
CREATE INDEX epcis_events_transformation ON epcis_events(transformation_id) WHERE transformation_id <> '';

-- role: epc, parent, child, input, output (EPCs); quantity, child_quantity,
-- input_quantity, output_quantity (value is then the EPC class; quantity may be NULL when
-- the amount is unknown). The exact decimal stays in the event's document; quantity here
-- serves only the comparison filters.
CREATE TABLE epcis_event_items (
	log_index BIGINT NOT NULL,
	role      TEXT NOT NULL,
	value     TEXT NOT NULL,
	quantity  DOUBLE PRECISION,
	uom       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX epcis_event_items_value ON epcis_event_items(value, role);
CREATE INDEX epcis_event_items_event ON epcis_event_items(log_index);

CREATE TABLE epcis_log_hashes (
	idx  INTEGER PRIMARY KEY,
	hash BLOB NOT NULL
);

CREATE TABLE epcis_log_head (
	id         INTEGER PRIMARY KEY CHECK (id = 1),
	size       BIGINT NOT NULL,
	root       BLOB NOT NULL,
	updated_at BIGINT NOT NULL
);
INSERT INTO epcis_log_head(id, size, root, updated_at) VALUES (1, 0, X'', 0);
