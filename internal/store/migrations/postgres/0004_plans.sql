-- Plans and the article as data: the sources a figure cites, what a source says about a
-- figure beyond its value (a bound or an approximation), the role of each zone in the
-- regional layout, and plans → stages → targets with the named goals that carry no number.

-- A source a figure cites by code (facts.source, plan_targets.source): the article,
-- REFERENCE.md's G1 … G10, an enterprise report. The title is what pages show.
CREATE TABLE sources (
	code      TEXT PRIMARY KEY,
	title_zh  TEXT NOT NULL,
	title_en  TEXT NOT NULL DEFAULT '',
	publisher TEXT NOT NULL DEFAULT '',
	url       TEXT NOT NULL DEFAULT '',
	note      TEXT NOT NULL DEFAULT '',
	sort_order INTEGER NOT NULL DEFAULT 0
);

-- Many of the article's figures are not exact: "超100亿" is a lower bound, "约占65%" an
-- approximation, "60多家" more than 60. The value stays the number the source writes; the
-- qualifier says how to read it, so no page shows a bound as if it were exact:
--   ''      exact as written
--   'about' 约: approximately
--   'over'  超/超过/多/以上: more than the value (a lower bound, exclusive)
-- note says what the source leaves open (e.g. the year a figure refers to).
ALTER TABLE facts ADD COLUMN qualifier TEXT NOT NULL DEFAULT '' CHECK (qualifier IN ('', 'about', 'over'));
ALTER TABLE facts ADD COLUMN note TEXT NOT NULL DEFAULT '';

-- The role of a zone in the layout: a functional zone (开发区, 新区), the 一核 core, one of
-- the 两翼 wings, or one of the three growth plates.
CREATE TABLE zone_info (
	code       TEXT PRIMARY KEY REFERENCES regions(code),
	role       TEXT NOT NULL CHECK (role IN ('functional', 'core', 'wing', 'plate')),
	note       TEXT NOT NULL DEFAULT '',
	quote      TEXT NOT NULL DEFAULT '',
	sort_order INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE plans (
	code        TEXT PRIMARY KEY,
	name_zh     TEXT NOT NULL,
	name_en     TEXT NOT NULL DEFAULT '',
	region_code TEXT NOT NULL REFERENCES regions(code),
	base_year   INTEGER NOT NULL,
	end_year    INTEGER NOT NULL,
	source      TEXT NOT NULL,
	quote       TEXT NOT NULL DEFAULT '',
	note        TEXT NOT NULL DEFAULT '',
	sort_order  INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE plan_stages (
	code       TEXT PRIMARY KEY,
	plan_code  TEXT NOT NULL REFERENCES plans(code),
	name_zh    TEXT NOT NULL,
	name_en    TEXT NOT NULL DEFAULT '',
	year       INTEGER NOT NULL,
	quote      TEXT NOT NULL DEFAULT '',
	sort_order INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX plan_stages_plan ON plan_stages(plan_code, sort_order);

-- Goals the plan names without a number (四基地一工程): shown, never scored.
CREATE TABLE plan_goals (
	code          TEXT PRIMARY KEY,
	plan_code     TEXT NOT NULL REFERENCES plans(code),
	name_zh       TEXT NOT NULL,
	name_en       TEXT NOT NULL DEFAULT '',
	industry_code TEXT REFERENCES industries(code),
	quote         TEXT NOT NULL DEFAULT '',
	sort_order    INTEGER NOT NULL DEFAULT 0
);

-- A target: indicator × region × industry reaches (comparison) target_micro by target_year.
-- The baseline is a fact, named by its key, so that its value, source and quote are read
-- from the facts and cannot drift from them. When the baseline's indicator is not the
-- target's (the article gives revenue where the target speaks of output value), progress
-- is not computed across the two and basis_note says why. other_basis_indicator names
-- figures on another basis (share of above-scale industrial value added beside a target on
-- share of GDP) that pages show apart, never as progress.
CREATE TABLE plan_targets (
	code                  TEXT PRIMARY KEY,
	stage_code            TEXT NOT NULL REFERENCES plan_stages(code),
	name_zh               TEXT NOT NULL,
	name_en               TEXT NOT NULL DEFAULT '',
	indicator_code        TEXT NOT NULL REFERENCES indicators(code),
	region_code           TEXT NOT NULL REFERENCES regions(code),
	industry_code         TEXT NOT NULL REFERENCES industries(code),
	comparison            TEXT NOT NULL CHECK (comparison IN ('>=', '>')),
	target_micro          BIGINT NOT NULL,
	target_entered        TEXT NOT NULL, -- the target as the source writes it, e.g. 超千亿元
	target_year           INTEGER NOT NULL,
	baseline_indicator    TEXT REFERENCES indicators(code),
	baseline_industry     TEXT REFERENCES industries(code),
	baseline_period       TEXT NOT NULL DEFAULT '',
	other_basis_indicator TEXT REFERENCES indicators(code),
	basis_note            TEXT NOT NULL DEFAULT '',
	note                  TEXT NOT NULL DEFAULT '',
	source                TEXT NOT NULL,
	quote                 TEXT NOT NULL DEFAULT '',
	sort_order            INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX plan_targets_stage ON plan_targets(stage_code, sort_order);
