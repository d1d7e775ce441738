-- Chains: what the chain module adds to the anchors of 0006.
--
-- Enterprises carry no industry of their own in the foundation; an enterprise's industry is
-- that of its statistics facts or an explicit assignment here (with the source that says
-- so), and a link refuses an enterprise of another industry.
CREATE TABLE enterprise_industries (
	enterprise_id BIGINT NOT NULL REFERENCES enterprises(id) ON DELETE CASCADE,
	industry_code TEXT NOT NULL REFERENCES industries(code),
	source        TEXT NOT NULL,
	quote         TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (enterprise_id, industry_code)
);
CREATE INDEX enterprise_industries_industry ON enterprise_industries(industry_code);

-- The sentence of the source that names a link or places an enterprise on it.
ALTER TABLE chain_links ADD COLUMN quote TEXT NOT NULL DEFAULT '';
ALTER TABLE link_enterprises ADD COLUMN source TEXT NOT NULL DEFAULT '';
ALTER TABLE link_enterprises ADD COLUMN quote TEXT NOT NULL DEFAULT '';
