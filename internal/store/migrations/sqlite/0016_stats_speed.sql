-- Import and dashboard speed (issue 3). An ordinary SQLite table is a B-tree keyed by rowid
-- plus, for its PRIMARY KEY, a second B-tree holding every key column again. Roll-ups are
-- only ever found by their key, so every roll-up row written cost two B-tree inserts and
-- every read a probe of the key index followed by a probe of the table. WITHOUT ROWID
-- makes the primary key the table itself: one B-tree, written once, read once. Columns,
-- constraints and rows are unchanged; nothing refers to rollups, so it is rebuilt in place.
CREATE TABLE rollups_new (
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
) WITHOUT ROWID;
INSERT INTO rollups_new SELECT basis, indicator_code, region_code, industry_code, period, sum_micro, n, approved_micro, approved_n
FROM rollups ORDER BY basis, indicator_code, region_code, industry_code, period;
DROP TABLE rollups;
ALTER TABLE rollups_new RENAME TO rollups;
