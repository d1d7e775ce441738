-- Bulk import speed (issue 3). PostgreSQL's 0006 drops the foreign keys of facts and
-- fact_current; SQLite keeps them in the schema for every ordinary write and turns their
-- enforcement off only for the connection of a bulk import (store.DB.WriteBulk), which
-- checks every reference against the database inside its own transaction while holding
-- SQLite's single write lock. zhanxin never deletes a region, industry, indicator,
-- enterprise or fact, so a reference once checked stays valid.


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
