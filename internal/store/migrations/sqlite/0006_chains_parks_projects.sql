-- Anchors of the industrial-chain, park and project modules, defined once so that each
-- module (chains, parks and projects, enterprise cultivation, finance and innovation) can
-- point at the others: a project sits on a chain link and in a park, a fund invests in a
-- project, an innovation platform serves a chain link. Each module adds its own tables and
-- columns in its own migration.

-- A chain (产业链) is a directed graph of links. acyclic = 1 forbids cycles among 'flow'
-- edges; a 'feedback' edge (稀土废料综合利用 back to 分离冶炼) is the article's one
-- sanctioned way back and is never part of the cycle check.
CREATE TABLE chains (
	code          TEXT PRIMARY KEY,
	name_zh       TEXT NOT NULL,
	name_en       TEXT NOT NULL DEFAULT '',
	industry_code TEXT NOT NULL REFERENCES industries(code),
	acyclic       INTEGER NOT NULL DEFAULT 1 CHECK (acyclic IN (0, 1)),
	note          TEXT NOT NULL DEFAULT '',
	source        TEXT NOT NULL,
	sort_order    INTEGER NOT NULL DEFAULT 0
);

-- A link (环节) belongs to one chain and one industry; an enterprise placed on it must be
-- of that industry. stage orders links left to right when the graph is drawn.
CREATE TABLE chain_links (
	id            INTEGER PRIMARY KEY,
	chain_code    TEXT NOT NULL REFERENCES chains(code) ON DELETE CASCADE,
	code          TEXT NOT NULL,
	name_zh       TEXT NOT NULL,
	name_en       TEXT NOT NULL DEFAULT '',
	industry_code TEXT NOT NULL REFERENCES industries(code),
	stage         INTEGER NOT NULL DEFAULT 0,
	note          TEXT NOT NULL DEFAULT '',
	source        TEXT NOT NULL,
	UNIQUE (chain_code, code)
);
CREATE INDEX chain_links_industry ON chain_links(industry_code);

CREATE TABLE chain_edges (
	from_link BIGINT NOT NULL REFERENCES chain_links(id) ON DELETE CASCADE,
	to_link   BIGINT NOT NULL REFERENCES chain_links(id) ON DELETE CASCADE,
	kind      TEXT NOT NULL DEFAULT 'flow' CHECK (kind IN ('flow', 'feedback')),
	PRIMARY KEY (from_link, to_link),
	CHECK (from_link <> to_link)
);
CREATE INDEX chain_edges_to ON chain_edges(to_link);

-- An enterprise on a link; leader marks the link's 链主 (at most one per link).
CREATE TABLE link_enterprises (
	link_id       BIGINT NOT NULL REFERENCES chain_links(id) ON DELETE CASCADE,
	enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
	leader        INTEGER NOT NULL DEFAULT 0 CHECK (leader IN (0, 1)),
	note          TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (link_id, enterprise_id)
);
CREATE INDEX link_enterprises_enterprise ON link_enterprises(enterprise_id);
CREATE UNIQUE INDEX link_enterprises_one_leader ON link_enterprises(link_id) WHERE leader = 1;

-- A park or base (园区/基地): the provincial strategic-emerging-industry bases, the national
-- rare earth science park, the planned 特色园区. A base the article counts but does not
-- name has no row: unnamed things stay unnamed.
CREATE TABLE parks (
	code        TEXT PRIMARY KEY,
	name_zh     TEXT NOT NULL,
	name_en     TEXT NOT NULL DEFAULT '',
	kind        TEXT NOT NULL CHECK (kind IN ('provincial_base', 'national_park', 'featured_park', 'park')),
	region_code TEXT REFERENCES regions(code),
	status      TEXT NOT NULL DEFAULT 'operating' CHECK (status IN ('planned', 'under_construction', 'operating')),
	note        TEXT NOT NULL DEFAULT '',
	source      TEXT NOT NULL,
	sort_order  INTEGER NOT NULL DEFAULT 0
);

-- A project (项目) in the pipeline 谋划 → 签约 → 开工 → 在建 → 投产. Amounts are in 万元
-- millionths like facts (exact); the project module adds its investment, dates, jobs,
-- support and blockers in its own tables.
CREATE TABLE projects (
	id            INTEGER PRIMARY KEY,
	name_zh       TEXT NOT NULL,
	name_en       TEXT NOT NULL DEFAULT '',
	stage         TEXT NOT NULL DEFAULT 'planning' CHECK (stage IN ('planning', 'signed', 'started', 'building', 'operating')),
	industry_code TEXT REFERENCES industries(code),
	link_id       BIGINT REFERENCES chain_links(id),
	region_code   TEXT REFERENCES regions(code),
	park_code     TEXT REFERENCES parks(code),
	enterprise_id BIGINT REFERENCES enterprises(id),
	note          TEXT NOT NULL DEFAULT '',
	source        TEXT NOT NULL,
	created_at    BIGINT NOT NULL,
	updated_at    BIGINT NOT NULL
);
CREATE INDEX projects_stage ON projects(stage);
CREATE INDEX projects_link ON projects(link_id);
CREATE INDEX projects_park ON projects(park_code);
