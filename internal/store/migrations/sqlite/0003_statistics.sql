-- Statistics: zones and their members, the industry hierarchy, indicators, facts with every
-- revision, the current value of each fact, approval of a region's period, and roll-ups.
-- Values are integers in millionths of the indicator's unit (value_micro), so sums are
-- exact and 万元/亿元 convert without rounding.

CREATE TABLE region_members (
	zone_code   TEXT NOT NULL REFERENCES regions(code),
	member_code TEXT NOT NULL REFERENCES regions(code),
	PRIMARY KEY (zone_code, member_code)
);

CREATE TABLE industries (
	code        TEXT PRIMARY KEY,
	name_zh     TEXT NOT NULL,
	name_en     TEXT NOT NULL,
	parent_code TEXT REFERENCES industries(code),
	sei_code    TEXT NOT NULL DEFAULT '', -- 战略性新兴产业分类（2018）code, '' when none fits
	sei_note    TEXT NOT NULL DEFAULT '', -- why none fits, or the level the mapping reaches
	sunrise     INTEGER NOT NULL DEFAULT 0, -- 朝阳产业
	sort_order  INTEGER NOT NULL DEFAULT 0,
	source      TEXT NOT NULL
);
CREATE INDEX industries_parent ON industries(parent_code);

CREATE TABLE indicators (
	code             TEXT PRIMARY KEY,
	name_zh          TEXT NOT NULL,
	name_en          TEXT NOT NULL,
	unit             TEXT NOT NULL,
	period_type      TEXT NOT NULL CHECK (period_type IN ('year', 'quarter', 'month')),
	aggregation      TEXT NOT NULL CHECK (aggregation IN ('sum', 'average', 'ratio', 'none')),
	numerator_code   TEXT REFERENCES indicators(code),
	denominator_code TEXT REFERENCES indicators(code),
	part_of          TEXT REFERENCES indicators(code), -- never exceeds this indicator for the same key
	decimals         INTEGER NOT NULL DEFAULT 2,
	min_micro        BIGINT,
	max_micro        BIGINT,
	growth_min_micro BIGINT, -- year-on-year growth bounds in percent (micro)
	growth_max_micro BIGINT,
	sort_order       INTEGER NOT NULL DEFAULT 0,
	source           TEXT NOT NULL,
	CHECK ((aggregation = 'ratio') = (numerator_code IS NOT NULL AND denominator_code IS NOT NULL))
);

-- Every value ever entered. A correction is a new row with revision + 1; nothing is
-- overwritten. fact_current points at the row in force for each key.
CREATE TABLE facts (
	id             INTEGER PRIMARY KEY,
	indicator_code TEXT NOT NULL REFERENCES indicators(code),
	region_code    TEXT NOT NULL REFERENCES regions(code),
	industry_code  TEXT NOT NULL REFERENCES industries(code),
	enterprise_id  BIGINT REFERENCES enterprises(id),
	period         TEXT NOT NULL,
	value_micro    BIGINT NOT NULL,
	entered        TEXT NOT NULL, -- the value and unit as the user wrote them
	source         TEXT NOT NULL,
	source_status  TEXT NOT NULL CHECK (source_status IN ('article', 'verified', 'derived', 'unverified', 'report', 'estimate')),
	quote          TEXT NOT NULL DEFAULT '',
	revision       INTEGER NOT NULL,
	reason         TEXT NOT NULL DEFAULT '',
	created_by     TEXT NOT NULL,
	created_at     BIGINT NOT NULL
);
CREATE INDEX facts_key ON facts(indicator_code, region_code, industry_code, period);

CREATE TABLE fact_current (
	fact_id        BIGINT NOT NULL UNIQUE REFERENCES facts(id),
	indicator_code TEXT NOT NULL,
	region_code    TEXT NOT NULL,
	industry_code  TEXT NOT NULL,
	enterprise_id  BIGINT NOT NULL DEFAULT 0, -- 0: not an enterprise's figure
	period         TEXT NOT NULL,
	value_micro    BIGINT NOT NULL,
	status         TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'approved')),
	quality        TEXT NOT NULL DEFAULT '', -- data-quality flag, e.g. an outlier against its own history
	PRIMARY KEY (indicator_code, region_code, industry_code, enterprise_id, period)
);
CREATE INDEX fact_current_region_period ON fact_current(region_code, period);
CREATE INDEX fact_current_enterprise ON fact_current(enterprise_id, indicator_code, period);
CREATE INDEX fact_current_quality ON fact_current(quality) WHERE quality <> '';

-- Approval state of one region's one period: open → submitted → approved (locked).
CREATE TABLE period_approvals (
	region_code TEXT NOT NULL REFERENCES regions(code),
	period      TEXT NOT NULL,
	status      TEXT NOT NULL CHECK (status IN ('open', 'submitted', 'approved')),
	updated_by  TEXT NOT NULL,
	updated_at  BIGINT NOT NULL,
	PRIMARY KEY (region_code, period)
);

-- Roll-ups kept current on every write (DHIS2's analytics tables are the anchor), so a
-- dashboard never scans facts. Two bases, so nothing is counted twice:
--   basis 'e': enterprises' figures, summed into every region and industry ancestor;
--   basis 'r': county-level figures, summed into every region ancestor and zone, for the
--              same industry only (official breakdowns by industry need not add up).
-- All values and approved values are kept apart, for published views.
CREATE TABLE rollups (
	basis          TEXT NOT NULL CHECK (basis IN ('e', 'r')),
	indicator_code TEXT NOT NULL,
	region_code    TEXT NOT NULL,
	industry_code  TEXT NOT NULL,
	period         TEXT NOT NULL,
	sum_micro      BIGINT NOT NULL,
	n              BIGINT NOT NULL,
	approved_micro BIGINT NOT NULL,
	approved_n     BIGINT NOT NULL,
	PRIMARY KEY (basis, indicator_code, region_code, industry_code, period)
);
