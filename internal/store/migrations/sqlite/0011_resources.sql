-- Resources and quota administration on top of the quota ledger (0002).
--
-- res_products          minerals and products, each with its base unit and oxide content
--                       (NULL when no source gives it: an unknown stays unknown).
-- res_deposits          deposits (or a region's total, when a source gives only that) with
--                       proven/remaining reserves in grams of the mineral's base unit.
-- res_deposit_elements  a rare earth deposit's element distribution, each share cited.
-- res_rights            exploration and mining rights.
-- quota_grants          each quota grant: the ledger transfer it made plus what people read
--                       (batch, document number, date); transfers stay the only balances.
-- quota_documents       the signed 责任书/合同书 of a grant, stored in the database.
-- quota_reviews         the 专家审查 record of a grant.
-- work_calendar         days that break the Monday–Friday rule (holidays, swapped workdays).
-- quota_report_rules    per ledger: whether a report over the remaining quota is recorded
--                       as a violation instead of being refused.
-- quota_closed_periods  reporting periods the regulator has closed.
-- quota_reports         production reports; each consumed quota by a ledger transfer.
-- alloc_*               supply allocation rounds (below).

CREATE TABLE res_products (
	code       TEXT PRIMARY KEY,
	name_zh    TEXT NOT NULL,
	name_en    TEXT NOT NULL,
	kind       TEXT NOT NULL CHECK (kind IN ('mineral', 'product')),
	commodity  TEXT NOT NULL DEFAULT '',
	unit_zh    TEXT NOT NULL,
	unit_en    TEXT NOT NULL,
	oxide      TEXT NOT NULL DEFAULT '',
	oxide_ppm  BIGINT CHECK (oxide_ppm IS NULL OR oxide_ppm BETWEEN 1 AND 1000000),
	basis      TEXT NOT NULL DEFAULT '',
	source     TEXT NOT NULL DEFAULT '',
	sort_order INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE res_deposits (
	id                INTEGER PRIMARY KEY,
	code              TEXT NOT NULL UNIQUE,
	name_zh           TEXT NOT NULL,
	name_en           TEXT NOT NULL DEFAULT '',
	region_code       TEXT NOT NULL REFERENCES regions(code),
	mineral           TEXT NOT NULL REFERENCES res_products(code),
	deposit_type      TEXT NOT NULL CHECK (deposit_type IN ('ionic_clay', 'rock', 'vein', 'skarn', 'regional_total', 'other')),
	proven_g          BIGINT CHECK (proven_g IS NULL OR proven_g >= 0),
	remaining_g       BIGINT CHECK (remaining_g IS NULL OR remaining_g >= 0),
	grade_ppm         BIGINT CHECK (grade_ppm IS NULL OR grade_ppm BETWEEN 1 AND 1000000),
	national_share_bp INTEGER CHECK (national_share_bp IS NULL OR national_share_bp BETWEEN 0 AND 10000),
	share_qualifier   TEXT NOT NULL DEFAULT '' CHECK (share_qualifier IN ('', 'about')),
	source            TEXT NOT NULL,
	source_status     TEXT NOT NULL,
	quote             TEXT NOT NULL DEFAULT '',
	note              TEXT NOT NULL DEFAULT '',
	created_at        BIGINT NOT NULL,
	updated_at        BIGINT NOT NULL
);

CREATE TABLE res_deposit_elements (
	deposit_id BIGINT NOT NULL REFERENCES res_deposits(id),
	element    TEXT NOT NULL,
	share_ppm  BIGINT NOT NULL CHECK (share_ppm BETWEEN 0 AND 1000000),
	source     TEXT NOT NULL,
	quote      TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (deposit_id, element)
);

CREATE TABLE res_rights (
	id                      INTEGER PRIMARY KEY,
	permit_no               TEXT NOT NULL UNIQUE,
	kind                    TEXT NOT NULL CHECK (kind IN ('exploration', 'mining')),
	holder_id               BIGINT NOT NULL REFERENCES enterprises(id),
	holder_state_controlled INTEGER NOT NULL CHECK (holder_state_controlled IN (0, 1)),
	deposit_id              BIGINT REFERENCES res_deposits(id),
	area_m2                 BIGINT CHECK (area_m2 IS NULL OR area_m2 > 0),
	granted_on              TEXT NOT NULL,
	valid_from              TEXT NOT NULL,
	valid_to                TEXT NOT NULL,
	capacity_g              BIGINT CHECK (capacity_g IS NULL OR capacity_g > 0),
	status                  TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'revoked')),
	source                  TEXT NOT NULL,
	note                    TEXT NOT NULL DEFAULT '',
	created_at              BIGINT NOT NULL,
	updated_at              BIGINT NOT NULL,
	CHECK (valid_from <= valid_to)
);
CREATE INDEX res_rights_holder ON res_rights(holder_id);

CREATE TABLE quota_grants (
	id            INTEGER PRIMARY KEY,
	ledger_id     BIGINT NOT NULL REFERENCES ledger_ledgers(id),
	batch         TEXT NOT NULL,
	from_account  TEXT NOT NULL,
	to_account    TEXT NOT NULL,
	amount_g      BIGINT NOT NULL CHECK (amount_g > 0),
	transfer_id   TEXT NOT NULL UNIQUE,
	granted_on    TEXT NOT NULL,
	doc_no        TEXT NOT NULL DEFAULT '',
	source        TEXT NOT NULL,
	source_status TEXT NOT NULL,
	note          TEXT NOT NULL DEFAULT '',
	created_by    TEXT NOT NULL,
	created_at    BIGINT NOT NULL
);
CREATE INDEX quota_grants_from ON quota_grants(from_account, batch);
CREATE INDEX quota_grants_to ON quota_grants(to_account, batch);

CREATE TABLE quota_documents (
	id           INTEGER PRIMARY KEY,
	grant_id     BIGINT NOT NULL REFERENCES quota_grants(id),
	kind         TEXT NOT NULL CHECK (kind IN ('responsibility_letter', 'contract')),
	filename     TEXT NOT NULL,
	content_type TEXT NOT NULL,
	size         BIGINT NOT NULL,
	sha256       TEXT NOT NULL,
	body         BLOB NOT NULL,
	uploaded_by  TEXT NOT NULL,
	uploaded_at  BIGINT NOT NULL
);
CREATE INDEX quota_documents_grant ON quota_documents(grant_id);

CREATE TABLE quota_reviews (
	id          INTEGER PRIMARY KEY,
	grant_id    BIGINT NOT NULL REFERENCES quota_grants(id),
	reviewed_on TEXT NOT NULL,
	experts     TEXT NOT NULL,
	conclusion  TEXT NOT NULL CHECK (conclusion IN ('approved', 'conditional', 'rejected')),
	opinion     TEXT NOT NULL DEFAULT '',
	created_by  TEXT NOT NULL,
	created_at  BIGINT NOT NULL
);
CREATE INDEX quota_reviews_grant ON quota_reviews(grant_id);

CREATE TABLE work_calendar (
	day  TEXT PRIMARY KEY,
	kind TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
	name TEXT NOT NULL DEFAULT ''
);

CREATE TABLE quota_report_rules (
	ledger_id  BIGINT PRIMARY KEY REFERENCES ledger_ledgers(id),
	allow_over INTEGER NOT NULL CHECK (allow_over IN (0, 1))
);

CREATE TABLE quota_closed_periods (
	ledger_id BIGINT NOT NULL REFERENCES ledger_ledgers(id),
	period    TEXT NOT NULL,
	closed_by TEXT NOT NULL,
	closed_at BIGINT NOT NULL,
	PRIMARY KEY (ledger_id, period)
);

CREATE TABLE quota_reports (
	id            INTEGER PRIMARY KEY,
	enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
	ledger_id     BIGINT NOT NULL REFERENCES ledger_ledgers(id),
	account       TEXT NOT NULL,
	period        TEXT NOT NULL,
	amount_g      BIGINT NOT NULL CHECK (amount_g > 0),
	consumed_g    BIGINT NOT NULL CHECK (consumed_g >= 0),
	over_g        BIGINT NOT NULL CHECK (over_g >= 0),
	transfer_id   TEXT,
	late          INTEGER NOT NULL CHECK (late IN (0, 1)),
	due_on        TEXT NOT NULL,
	note          TEXT NOT NULL DEFAULT '',
	created_by    TEXT NOT NULL,
	created_at    BIGINT NOT NULL,
	CHECK (consumed_g + over_g = amount_g),
	UNIQUE (ledger_id, enterprise_id, period)
);
CREATE INDEX quota_reports_enterprise ON quota_reports(enterprise_id);

-- Supply allocation rounds (资源供应配置): a supply of one supply_allocation ledger's pool
-- account, the requests with their rules (tier, minimum guarantee, cap), the tiers' names,
-- and, once applied, what each enterprise got by which transfer with its explanation.
CREATE TABLE alloc_rounds (
	id           INTEGER PRIMARY KEY,
	code         TEXT NOT NULL UNIQUE,
	name         TEXT NOT NULL,
	ledger_id    BIGINT NOT NULL REFERENCES ledger_ledgers(id),
	pool_account TEXT NOT NULL,
	supply_g     BIGINT NOT NULL CHECK (supply_g >= 0),
	status       TEXT NOT NULL CHECK (status IN ('draft', 'applied')),
	note         TEXT NOT NULL DEFAULT '',
	created_by   TEXT NOT NULL,
	created_at   BIGINT NOT NULL,
	applied_at   BIGINT
);

CREATE TABLE alloc_tiers (
	round_id BIGINT NOT NULL REFERENCES alloc_rounds(id),
	tier     INTEGER NOT NULL CHECK (tier BETWEEN 1 AND 9),
	name_zh  TEXT NOT NULL,
	name_en  TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (round_id, tier)
);

CREATE TABLE alloc_requests (
	round_id      BIGINT NOT NULL REFERENCES alloc_rounds(id),
	enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
	account       TEXT NOT NULL,
	tier          INTEGER NOT NULL CHECK (tier BETWEEN 1 AND 9),
	requested_g   BIGINT NOT NULL CHECK (requested_g > 0),
	min_g         BIGINT NOT NULL CHECK (min_g >= 0),
	cap_g         BIGINT NOT NULL CHECK (cap_g >= 0),
	reason        TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (round_id, enterprise_id)
);

CREATE TABLE alloc_results (
	round_id      BIGINT NOT NULL REFERENCES alloc_rounds(id),
	enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
	got_g         BIGINT NOT NULL CHECK (got_g >= 0),
	transfer_id   TEXT,
	explanation   TEXT NOT NULL,
	PRIMARY KEY (round_id, enterprise_id)
);
