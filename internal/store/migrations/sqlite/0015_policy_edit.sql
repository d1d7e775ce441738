-- Policy documents and instruments become editable, and can be retired: a retired one
-- keeps its row (projects, audits and past estimates still name it) with the date it
-- stopped applying and why; '' is in force.
ALTER TABLE policy_documents ADD COLUMN retired TEXT NOT NULL DEFAULT '';
ALTER TABLE policy_documents ADD COLUMN retired_note TEXT NOT NULL DEFAULT '';
ALTER TABLE policy_instruments ADD COLUMN retired TEXT NOT NULL DEFAULT '';
ALTER TABLE policy_instruments ADD COLUMN retired_note TEXT NOT NULL DEFAULT '';
