-- Parks, the project pipeline and chain-based investment attraction (leads), on the
-- anchors of 0006. Money is in millionths of 万元 (like facts), so 亿元 and 万元 entries
-- add up exactly; dates are ISO 'YYYY-MM-DD' text ('' for none) because a plan date has
-- no time of day and compares correctly as text in both dialects.

-- The sentence of the source a park's row is built from.
ALTER TABLE parks ADD COLUMN quote TEXT NOT NULL DEFAULT '';

CREATE TABLE park_industries (
	park_code     TEXT NOT NULL REFERENCES parks(code) ON DELETE CASCADE,
	industry_code TEXT NOT NULL REFERENCES industries(code),
	PRIMARY KEY (park_code, industry_code)
);

CREATE TABLE park_enterprises (
	park_code     TEXT NOT NULL REFERENCES parks(code) ON DELETE CASCADE,
	enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
	PRIMARY KEY (park_code, enterprise_id)
);
CREATE INDEX park_enterprises_enterprise ON park_enterprises(enterprise_id);

-- What a project plans and has done. stage_changed_at is when the stage last moved (the
-- creation time until then): a project whose stage has not moved for longer than the
-- configured number of days is stalled.
ALTER TABLE projects ADD COLUMN invest_planned BIGINT NOT NULL DEFAULT 0 CHECK (invest_planned >= 0);
ALTER TABLE projects ADD COLUMN invest_completed BIGINT NOT NULL DEFAULT 0 CHECK (invest_completed >= 0);
ALTER TABLE projects ADD COLUMN start_planned TEXT NOT NULL DEFAULT '';
ALTER TABLE projects ADD COLUMN finish_planned TEXT NOT NULL DEFAULT '';
ALTER TABLE projects ADD COLUMN start_actual TEXT NOT NULL DEFAULT '';
ALTER TABLE projects ADD COLUMN finish_actual TEXT NOT NULL DEFAULT '';
ALTER TABLE projects ADD COLUMN jobs_planned BIGINT NOT NULL DEFAULT 0 CHECK (jobs_planned >= 0);
ALTER TABLE projects ADD COLUMN jobs_created BIGINT NOT NULL DEFAULT 0 CHECK (jobs_created >= 0);
ALTER TABLE projects ADD COLUMN support TEXT NOT NULL DEFAULT '';
ALTER TABLE projects ADD COLUMN stage_changed_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX projects_enterprise ON projects(enterprise_id);
CREATE INDEX projects_region ON projects(region_code);
CREATE INDEX projects_finish ON projects(finish_planned);

-- Investment by calendar year, planned and completed.
CREATE TABLE project_annual (
	project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
	year       INTEGER NOT NULL CHECK (year BETWEEN 1900 AND 2200),
	planned    BIGINT NOT NULL DEFAULT 0 CHECK (planned >= 0),
	completed  BIGINT NOT NULL DEFAULT 0 CHECK (completed >= 0),
	PRIMARY KEY (project_id, year)
);

-- Every stage move, with the reason (required when the stage moves backwards).
CREATE TABLE project_stage_log (
	id         INTEGER PRIMARY KEY,
	project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
	from_stage TEXT NOT NULL,
	to_stage   TEXT NOT NULL,
	reason     TEXT NOT NULL DEFAULT '',
	actor      TEXT NOT NULL,
	at         BIGINT NOT NULL
);
CREATE INDEX project_stage_log_project ON project_stage_log(project_id);

-- The green channel's blockers log (用地, 环保, 融资 …): who owns the fix and by when.
CREATE TABLE project_blockers (
	id          INTEGER PRIMARY KEY,
	project_id  BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
	kind        TEXT NOT NULL CHECK (kind IN ('land', 'environment', 'finance', 'other')),
	description TEXT NOT NULL,
	owner       TEXT NOT NULL,
	due_date    TEXT NOT NULL,
	status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved', 'closed')),
	resolution  TEXT NOT NULL DEFAULT '',
	created_at  BIGINT NOT NULL,
	closed_at   BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX project_blockers_project ON project_blockers(project_id, status, due_date);
CREATE INDEX project_blockers_due ON project_blockers(status, due_date);

-- A lead (招商线索): an enterprise outside the region that would fill a chain link's gap,
-- moving 线索 → 接洽 → 洽谈 → 签约; a signed lead points at the project it became.
CREATE TABLE leads (
	id          INTEGER PRIMARY KEY,
	target_name TEXT NOT NULL,
	target_uscc TEXT NOT NULL DEFAULT '',
	origin      TEXT NOT NULL DEFAULT '',
	link_id     BIGINT NOT NULL REFERENCES chain_links(id),
	region_code TEXT NOT NULL REFERENCES regions(code),
	park_code   TEXT REFERENCES parks(code),
	stage       TEXT NOT NULL DEFAULT 'lead' CHECK (stage IN ('lead', 'contact', 'negotiation', 'signed')),
	owner       TEXT NOT NULL DEFAULT '',
	note        TEXT NOT NULL DEFAULT '',
	project_id  BIGINT REFERENCES projects(id),
	created_at  BIGINT NOT NULL,
	updated_at  BIGINT NOT NULL
);
CREATE INDEX leads_link ON leads(link_id);
CREATE UNIQUE INDEX leads_project ON leads(project_id);

-- Which plan targets measure a named goal of the positioning (四基地一工程): the article
-- states the goals without numbers and the targets separately, so the pairing is data,
-- kept with the reason for it, not inferred from industry codes.
CREATE TABLE goal_targets (
	goal_code   TEXT NOT NULL REFERENCES plan_goals(code) ON DELETE CASCADE,
	target_code TEXT NOT NULL REFERENCES plan_targets(code) ON DELETE CASCADE,
	note        TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (goal_code, target_code)
);
