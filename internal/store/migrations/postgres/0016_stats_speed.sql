-- Import and dashboard speed (issue 3). SQLite's half of this migration makes rollups a
-- WITHOUT ROWID table; a PostgreSQL table is a heap with separate indexes and has no such
-- choice, so nothing changes here. The file exists because both dialects are numbered alike.
SELECT 1;
