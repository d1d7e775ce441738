-- The rare earth and tungsten flow layer on top of the EPCIS repository (0012).
--
-- flow_products          which product an EPCIS class is (keyed by its GTIN-14, so every lot of
--                        a GTIN maps alike), with its REO or WO3 content, so that every EPCIS
--                        quantity converts to integer grams of the quota ledger's base unit; and
--                        the yield band of transformations that make it.
-- flow_anomalies         what the flow checks found, each with its evidence (event hash ids),
--                        keyed by dedup_key so that running a check again never doubles one.
-- flow_anomaly_comments  the comments of the anomaly workflow.

CREATE TABLE flow_products (
	gtin          TEXT PRIMARY KEY,
	product_code  TEXT NOT NULL REFERENCES res_products(code),
	stage         TEXT NOT NULL CHECK (stage IN ('ore', 'concentrate', 'oxide', 'metal', 'alloy', 'magnet', 'other')),
	oxide         TEXT NOT NULL CHECK (oxide IN ('REO', 'WO3')),
	content_ppm   BIGINT NOT NULL CHECK (content_ppm BETWEEN 1 AND 2000000),
	yield_min_ppm BIGINT CHECK (yield_min_ppm IS NULL OR yield_min_ppm BETWEEN 0 AND 2000000),
	yield_max_ppm BIGINT CHECK (yield_max_ppm IS NULL OR yield_max_ppm BETWEEN 0 AND 2000000),
	source        TEXT NOT NULL DEFAULT '',
	created_at    BIGINT NOT NULL,
	updated_at    BIGINT NOT NULL,
	CHECK (yield_min_ppm IS NULL OR yield_max_ppm IS NULL OR yield_min_ppm <= yield_max_ppm)
);

CREATE TABLE flow_anomalies (
	id            INTEGER PRIMARY KEY,
	dedup_key     TEXT NOT NULL UNIQUE,
	kind          TEXT NOT NULL CHECK (kind IN ('balance', 'yield', 'transit_loss', 'not_received', 'quota',
	                  'out_of_region', 'unlicensed', 'export_unlicensed', 'late_report')),
	site_uri      TEXT NOT NULL,
	enterprise_id BIGINT REFERENCES enterprises(id),
	period        TEXT NOT NULL,
	expected_g    BIGINT,
	actual_g      BIGINT,
	detail_zh     TEXT NOT NULL,
	detail_en     TEXT NOT NULL,
	evidence      TEXT NOT NULL DEFAULT '[]',
	status        TEXT NOT NULL CHECK (status IN ('open', 'assigned', 'closed')),
	assignee_id   BIGINT REFERENCES users(id),
	close_reason  TEXT NOT NULL DEFAULT '',
	found_at      BIGINT NOT NULL,
	updated_at    BIGINT NOT NULL
);
CREATE INDEX flow_anomalies_site ON flow_anomalies(site_uri, period);
CREATE INDEX flow_anomalies_enterprise ON flow_anomalies(enterprise_id);

CREATE TABLE flow_anomaly_comments (
	id         INTEGER PRIMARY KEY,
	anomaly_id BIGINT NOT NULL REFERENCES flow_anomalies(id),
	user_id    BIGINT,
	author     TEXT NOT NULL,
	body       TEXT NOT NULL,
	created_at BIGINT NOT NULL
);
CREATE INDEX flow_anomaly_comments_anomaly ON flow_anomaly_comments(anomaly_id);
