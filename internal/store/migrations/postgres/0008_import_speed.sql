-- Bulk import speed (issue 3): the foreign keys of facts and fact_current are dropped.
-- They cost most of the time of writing facts (one trigger and one index probe per
-- reference per row: five per fact), and they protect nothing the use cases do not:
--   * every write of a fact (stats.Service.Enter, Import) checks the indicator, region,
--     industry and enterprise against the database inside the writing transaction, and
--     refuses unknown ones with an error naming the row and field;
--   * fact_current.fact_id is always the id the same transaction has just written;
--   * zhanxin never deletes or renumbers a region, industry, indicator, enterprise or fact
--     (codes and ids are immutable), so a reference once valid stays valid.
-- Any future delete of those rows must check for facts first.
ALTER TABLE facts DROP CONSTRAINT IF EXISTS facts_indicator_code_fkey;
ALTER TABLE facts DROP CONSTRAINT IF EXISTS facts_region_code_fkey;
ALTER TABLE facts DROP CONSTRAINT IF EXISTS facts_industry_code_fkey;
ALTER TABLE facts DROP CONSTRAINT IF EXISTS facts_enterprise_id_fkey;
ALTER TABLE fact_current DROP CONSTRAINT IF EXISTS fact_current_fact_id_fkey;

-- The approvals list shows every region × period with figures and how many; counting
-- fact_current per request scans every fact at national scale. The counts are kept here
-- instead, by status, changed in the same transaction as every write of fact_current
-- (entry, import, and the status changes of submit, approve, return and unlock).
-- published_n counts what a published view shows: region-level figures, approved.
CREATE TABLE region_period_counts (
	region_code TEXT NOT NULL,
	period      TEXT NOT NULL,
	draft_n     BIGINT NOT NULL,
	submitted_n BIGINT NOT NULL,
	approved_n  BIGINT NOT NULL,
	published_n BIGINT NOT NULL,
	PRIMARY KEY (region_code, period)
);
INSERT INTO region_period_counts(region_code, period, draft_n, submitted_n, approved_n, published_n)
SELECT region_code, period,
	SUM(CASE WHEN status = 'draft' THEN 1 ELSE 0 END),
	SUM(CASE WHEN status = 'submitted' THEN 1 ELSE 0 END),
	SUM(CASE WHEN status = 'approved' THEN 1 ELSE 0 END),
	SUM(CASE WHEN status = 'approved' AND enterprise_id = 0 THEN 1 ELSE 0 END)
FROM fact_current GROUP BY region_code, period;
