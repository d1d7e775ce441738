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
