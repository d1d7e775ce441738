-- Placeholder of branch h-resources: keeps the numbering contiguous so that this branch's
-- 0010 applies in its own tests. DELETE on merge; the real 0008 comes from another branch.
SELECT 1;
