-- Bulk import speed (issue 3). PostgreSQL's 0006 drops the foreign keys of facts and
-- fact_current; SQLite keeps them in the schema for every ordinary write and turns their
-- enforcement off only for the connection of a bulk import (store.DB.WriteBulk), which
-- checks every reference against the database inside its own transaction while holding
-- SQLite's single write lock. zhanxin never deletes a region, industry, indicator,
-- enterprise or fact, so a reference once checked stays valid.
SELECT 1;
