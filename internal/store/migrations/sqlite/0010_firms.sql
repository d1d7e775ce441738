-- Enterprise cultivation and finance: the classes an enterprise may belong to (规上, 龙头,
-- 链主, 专精特新, 隐形冠军, 高新技术企业, 上市, 上市后备), the editable criteria that decide them,
-- designations by a named source (an authority's list, the article), cultivation lists, the
-- 一企一策 support measures; funds, their investments, financing instruments and listings;
-- innovation platforms, alliances and talent programmes; policy documents and instruments.

-- combine says how a class's criteria combine: all must hold, or any one suffices. A class
-- with no criterion decides nothing: pages say so instead of guessing.
CREATE TABLE enterprise_classes (
	code       TEXT PRIMARY KEY,
	name_zh    TEXT NOT NULL,
	name_en    TEXT NOT NULL DEFAULT '',
	combine    TEXT NOT NULL DEFAULT 'all' CHECK (combine IN ('all', 'any')),
	note       TEXT NOT NULL DEFAULT '',
	source     TEXT NOT NULL,
	sort_order INTEGER NOT NULL DEFAULT 0
);

-- A criterion is one of:
--   indicator     the enterprise's fact for indicator_code compares to threshold_micro (in
--                 the indicator's unit); period '' means the latest period with a value;
--   designated    the enterprise is designated into the class by a named source;
--   chain_leader  the enterprise is the 链主 of at least one chain link.
CREATE TABLE class_criteria (
	id              INTEGER PRIMARY KEY,
	class_code      TEXT NOT NULL REFERENCES enterprise_classes(code) ON DELETE CASCADE,
	kind            TEXT NOT NULL CHECK (kind IN ('indicator', 'designated', 'chain_leader')),
	indicator_code  TEXT REFERENCES indicators(code),
	comparison      TEXT NOT NULL DEFAULT '' CHECK (comparison IN ('', '>=', '>', '<=', '<', '=')),
	threshold_micro BIGINT NOT NULL DEFAULT 0,
	period          TEXT NOT NULL DEFAULT '',
	note            TEXT NOT NULL DEFAULT '',
	source          TEXT NOT NULL DEFAULT '',
	CHECK ((kind = 'indicator') = (indicator_code IS NOT NULL AND comparison <> ''))
);
CREATE INDEX class_criteria_class ON class_criteria(class_code);

-- A designation: a source (an authority's list, the article) puts the enterprise in a class.
CREATE TABLE enterprise_designations (
	enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
	class_code    TEXT NOT NULL REFERENCES enterprise_classes(code) ON DELETE CASCADE,
	period        TEXT NOT NULL DEFAULT '',
	source        TEXT NOT NULL,
	quote         TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (enterprise_id, class_code)
);

-- A cultivation list (培育库): the enterprises the city is working to bring into a class.
CREATE TABLE cultivation_entries (
	enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
	class_code    TEXT NOT NULL REFERENCES enterprise_classes(code) ON DELETE CASCADE,
	note          TEXT NOT NULL DEFAULT '',
	added_by      TEXT NOT NULL,
	added_at      BIGINT NOT NULL,
	PRIMARY KEY (enterprise_id, class_code)
);
CREATE INDEX cultivation_entries_class ON cultivation_entries(class_code);

-- 一企一策: one enterprise's support measures, each with its responsible department, due
-- date (YYYY-MM-DD) and status. Overdue is computed from the date, never stored.
CREATE TABLE support_measures (
	id            INTEGER PRIMARY KEY,
	enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
	measure       TEXT NOT NULL,
	department    TEXT NOT NULL,
	due_date      TEXT NOT NULL,
	status        TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'in_progress', 'done', 'cancelled')),
	note          TEXT NOT NULL DEFAULT '',
	created_by    TEXT NOT NULL,
	created_at    BIGINT NOT NULL,
	updated_at    BIGINT NOT NULL
);
CREATE INDEX support_measures_enterprise ON support_measures(enterprise_id);

-- Funds and financing (投融资). Amounts are in millionths of 万元 (amount_micro), exact
-- like facts; a figure the sources do not give is NULL, never guessed.

-- A fund: 红石, 盛虔 (the article: 41亿 raised together — a fact of FUND_RAISED, not split
-- between them here), the proposed 稀土钨产业发展基金.
CREATE TABLE funds (
	code       TEXT PRIMARY KEY,
	name_zh    TEXT NOT NULL,
	name_en    TEXT NOT NULL DEFAULT '',
	kind       TEXT NOT NULL CHECK (kind IN ('equity', 'industry', 'venture', 'guidance')),
	status     TEXT NOT NULL CHECK (status IN ('proposed', 'raising', 'operating', 'closed')),
	size_micro BIGINT, -- 万元 millionths; NULL: not given by any source
	note       TEXT NOT NULL DEFAULT '',
	quote      TEXT NOT NULL DEFAULT '',
	source     TEXT NOT NULL,
	sort_order INTEGER NOT NULL DEFAULT 0
);

-- A fund's commitment (承诺出资) or investment (实际投资) into one enterprise or one project.
CREATE TABLE fund_investments (
	id            INTEGER PRIMARY KEY,
	fund_code     TEXT NOT NULL REFERENCES funds(code),
	kind          TEXT NOT NULL CHECK (kind IN ('commitment', 'investment')),
	enterprise_id BIGINT REFERENCES enterprises(id),
	project_id    BIGINT REFERENCES projects(id),
	amount_micro  BIGINT NOT NULL CHECK (amount_micro > 0),
	on_date       TEXT NOT NULL,
	note          TEXT NOT NULL DEFAULT '',
	source        TEXT NOT NULL,
	created_by    TEXT NOT NULL,
	created_at    BIGINT NOT NULL,
	CHECK ((enterprise_id IS NULL) <> (project_id IS NULL))
);
CREATE INDEX fund_investments_enterprise ON fund_investments(enterprise_id);
CREATE INDEX fund_investments_project ON fund_investments(project_id);

-- An enterprise's financing instrument: bond, medium-term note, supply-chain finance.
CREATE TABLE financings (
	id            INTEGER PRIMARY KEY,
	enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
	kind          TEXT NOT NULL CHECK (kind IN ('bond', 'mtn', 'scf', 'loan', 'equity')),
	amount_micro  BIGINT NOT NULL CHECK (amount_micro > 0),
	issued_on     TEXT NOT NULL,
	matures_on    TEXT NOT NULL DEFAULT '',
	note          TEXT NOT NULL DEFAULT '',
	source        TEXT NOT NULL,
	created_by    TEXT NOT NULL,
	created_at    BIGINT NOT NULL
);
CREATE INDEX financings_enterprise ON financings(enterprise_id);

-- The listing pipeline 上市后备 → 辅导 → 申报 → 上市: every stage an enterprise reaches, with
-- its date; the latest is its stage now. A step back is allowed only with a reason.
CREATE TABLE listing_stages (
	id            INTEGER PRIMARY KEY,
	enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
	stage         TEXT NOT NULL CHECK (stage IN ('reserve', 'tutoring', 'filed', 'listed')),
	on_date       TEXT NOT NULL,
	reason        TEXT NOT NULL DEFAULT '',
	source        TEXT NOT NULL,
	created_by    TEXT NOT NULL,
	created_at    BIGINT NOT NULL
);
CREATE INDEX listing_stages_enterprise ON listing_stages(enterprise_id, id);

-- Innovation (创新体系): platforms (engineering and technology centres, quality inspection
-- centres, research institutes, postdoctoral stations), alliances and talent programmes,
-- each linked to the chain links and enterprises it serves. The article's counts (2
-- national centres, 1 postdoctoral station, 8 provincial centres) are facts; the centres it
-- does not name have no row.
CREATE TABLE innovation_units (
	id         INTEGER PRIMARY KEY,
	name_zh    TEXT NOT NULL UNIQUE,
	name_en    TEXT NOT NULL DEFAULT '',
	category   TEXT NOT NULL CHECK (category IN ('platform', 'alliance', 'talent')),
	level      TEXT NOT NULL DEFAULT '' CHECK (level IN ('', 'national', 'provincial', 'city')),
	status     TEXT NOT NULL CHECK (status IN ('proposed', 'building', 'operating')),
	note       TEXT NOT NULL DEFAULT '',
	quote      TEXT NOT NULL DEFAULT '',
	source     TEXT NOT NULL,
	sort_order INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE innovation_unit_links (
	unit_id BIGINT NOT NULL REFERENCES innovation_units(id) ON DELETE CASCADE,
	link_id BIGINT NOT NULL REFERENCES chain_links(id) ON DELETE CASCADE,
	PRIMARY KEY (unit_id, link_id)
);

CREATE TABLE innovation_unit_enterprises (
	unit_id       BIGINT NOT NULL REFERENCES innovation_units(id) ON DELETE CASCADE,
	enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
	PRIMARY KEY (unit_id, enterprise_id)
);

-- Policy (政策): documents and the instruments they contain. An instrument's eligibility
-- is an enterprise class of the cultivation rules (one rule engine for both); its
-- estimated benefit, where it has one, is (standard rate − reduced rate) × the enterprise's
-- value of base_indicator, always shown as an estimate with its inputs.
CREATE TABLE policy_documents (
	code        TEXT PRIMARY KEY,
	title_zh    TEXT NOT NULL,
	title_en    TEXT NOT NULL DEFAULT '',
	doc_number  TEXT NOT NULL DEFAULT '',
	issuer      TEXT NOT NULL DEFAULT '',
	issued      TEXT NOT NULL DEFAULT '', -- year or date as the source gives it
	areas       INTEGER,                  -- the number of areas of support the source states
	note        TEXT NOT NULL DEFAULT '',
	quote       TEXT NOT NULL DEFAULT '',
	source      TEXT NOT NULL,
	sort_order  INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE policy_instruments (
	code                TEXT PRIMARY KEY,
	document_code       TEXT NOT NULL REFERENCES policy_documents(code),
	name_zh             TEXT NOT NULL,
	name_en             TEXT NOT NULL DEFAULT '',
	kind                TEXT NOT NULL CHECK (kind IN ('tax_rate', 'subsidy', 'land', 'finance', 'other')),
	eligibility_class   TEXT REFERENCES enterprise_classes(code),
	standard_rate_micro BIGINT, -- percent, millionths
	reduced_rate_micro  BIGINT,
	base_indicator      TEXT REFERENCES indicators(code),
	rate_note           TEXT NOT NULL DEFAULT '', -- where each rate comes from
	note                TEXT NOT NULL DEFAULT '',
	quote               TEXT NOT NULL DEFAULT '',
	source              TEXT NOT NULL,
	sort_order          INTEGER NOT NULL DEFAULT 0,
	CHECK ((standard_rate_micro IS NULL) = (reduced_rate_micro IS NULL))
);
