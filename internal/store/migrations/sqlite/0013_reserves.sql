-- zhanxin:foreign-keys-off
-- Strategic reserves (战略储备). The first line above makes Migrate run this file with
-- foreign keys off: adding the ledger kind 'reserve' means rebuilding ledger_ledgers
-- (SQLite cannot alter a CHECK), and with foreign keys on, dropping a table that
-- ledger_accounts, quota_grants and alloc_rounds reference would fail. This follows
-- SQLite's twelve-step procedure (https://www.sqlite.org/lang_altertable.html#otheralter):
-- Migrate turns foreign keys off before its transaction, this file creates the new table,
-- copies the rows, drops the old one and renames the new one (ledger_ledgers has no
-- index of its own besides its UNIQUE constraint, and no trigger or view), and Migrate
-- runs PRAGMA foreign_key_check before it commits and turns foreign keys back on after.

CREATE TABLE new_ledger_ledgers (
	id         INTEGER PRIMARY KEY,
	commodity  TEXT NOT NULL,
	kind       TEXT NOT NULL CHECK (kind IN ('mining', 'smelting_separation', 'export', 'supply_allocation', 'reserve')),
	year       INTEGER NOT NULL CHECK (year BETWEEN 1949 AND 2200),
	created_at BIGINT NOT NULL,
	UNIQUE (commodity, kind, year)
);
INSERT INTO new_ledger_ledgers (id, commodity, kind, year, created_at)
	SELECT id, commodity, kind, year, created_at FROM ledger_ledgers;
DROP TABLE ledger_ledgers;
ALTER TABLE new_ledger_ledgers RENAME TO ledger_ledgers;

-- Depots: 储备矿区 (in_ground: a deposit, or part of one, held unmined) and 实物储备库
-- (physical: warehouse stock run by an operator enterprise).
CREATE TABLE reserve_depots (
	id          INTEGER PRIMARY KEY,
	code        TEXT NOT NULL UNIQUE,
	name_zh     TEXT NOT NULL,
	name_en     TEXT NOT NULL DEFAULT '',
	kind        TEXT NOT NULL CHECK (kind IN ('in_ground', 'physical')),
	region_code TEXT NOT NULL REFERENCES regions(code),
	operator_id BIGINT REFERENCES enterprises(id),
	deposit_id  BIGINT REFERENCES res_deposits(id),
	source      TEXT NOT NULL,
	note        TEXT NOT NULL DEFAULT '',
	created_by  TEXT NOT NULL,
	created_at  BIGINT NOT NULL,
	CHECK ((kind = 'in_ground') = (deposit_id IS NOT NULL)),
	CHECK ((kind = 'physical') = (operator_id IS NOT NULL))
);
CREATE INDEX reserve_depots_operator ON reserve_depots(operator_id);

-- Coordinated stockpiling (联合储备): a partner region or enterprise holds share_ppm
-- millionths (ppm) of a depot's stock; a depot's shares sum to at most 100%.
-- partner is 'R:<region code>' or 'E:<enterprise id>', one row per partner.
CREATE TABLE reserve_shares (
	depot_id      BIGINT NOT NULL REFERENCES reserve_depots(id),
	partner       TEXT NOT NULL,
	region_code   TEXT REFERENCES regions(code),
	enterprise_id BIGINT REFERENCES enterprises(id),
	share_ppm     BIGINT NOT NULL CHECK (share_ppm BETWEEN 1 AND 1000000),
	note          TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (depot_id, partner),
	CHECK ((region_code IS NULL) <> (enterprise_id IS NULL))
);
CREATE INDEX reserve_shares_enterprise ON reserve_shares(enterprise_id);

-- A stock card: the ledger account holding one product in one depot.
CREATE TABLE reserve_stock (
	depot_id   BIGINT NOT NULL REFERENCES reserve_depots(id),
	product    TEXT NOT NULL REFERENCES res_products(code),
	account_id BIGINT NOT NULL UNIQUE REFERENCES ledger_accounts(id),
	PRIMARY KEY (depot_id, product)
);

-- Operations with their document and reason; the movement itself is the ledger transfer
-- (two linked ones for a rotation) named by transfer_ids.
CREATE TABLE reserve_ops (
	id            INTEGER PRIMARY KEY,
	depot_id      BIGINT NOT NULL REFERENCES reserve_depots(id),
	product       TEXT NOT NULL REFERENCES res_products(code),
	kind          TEXT NOT NULL CHECK (kind IN ('purchase', 'rotation', 'release', 'in_ground_reserve', 'in_ground_release')),
	enterprise_id BIGINT REFERENCES enterprises(id),
	in_g          BIGINT NOT NULL DEFAULT 0 CHECK (in_g >= 0),
	out_g         BIGINT NOT NULL DEFAULT 0 CHECK (out_g >= 0),
	op_date       TEXT NOT NULL,
	doc_no        TEXT NOT NULL,
	reason        TEXT NOT NULL,
	transfer_ids  TEXT NOT NULL,
	created_by    TEXT NOT NULL,
	created_at    BIGINT NOT NULL,
	CHECK (in_g + out_g > 0)
);
CREATE INDEX reserve_ops_depot ON reserve_ops(depot_id, product);
