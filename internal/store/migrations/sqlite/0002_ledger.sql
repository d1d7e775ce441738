-- The quota ledger: double-entry bookkeeping modelled on TigerBeetle. Quantities are
-- integer grams of the ledger's base unit (never floats), so every sum is exact.
--
-- ledger_ledgers   commodity × kind × year; every account belongs to exactly one.
-- ledger_accounts  holders (nation, province, city, enterprise) and sinks, with their four
--                  TigerBeetle balances kept current in the same transaction as each batch.
-- ledger_transfers immutable movements.
-- ledger_history   TigerBeetle's "history": the balances of an account after each batch
--                  that touched it. Every transfer of a batch has the batch's timestamp, so
--                  the balance at any instant is the balance after some whole batch: one
--                  probe of this table's key. seqs lists the account's transfers in the
--                  batch, which is how a statement finds them.
-- ledger_pending_open  the pending transfers not yet posted, voided or expired, indexed by
--                  expiry so that releasing expired reservations never scans history.

CREATE TABLE ledger_ledgers (
	id         INTEGER PRIMARY KEY,
	commodity  TEXT NOT NULL,
	kind       TEXT NOT NULL CHECK (kind IN ('mining', 'smelting_separation', 'export', 'supply_allocation')),
	year       INTEGER NOT NULL CHECK (year BETWEEN 1949 AND 2200),
	created_at BIGINT NOT NULL,
	UNIQUE (commodity, kind, year)
);

CREATE TABLE ledger_accounts (
	id              INTEGER PRIMARY KEY,
	code            TEXT NOT NULL UNIQUE,
	ledger_id       BIGINT NOT NULL REFERENCES ledger_ledgers(id),
	name            TEXT NOT NULL,
	holder_kind     TEXT NOT NULL CHECK (holder_kind IN ('nation', 'province', 'city', 'enterprise', 'sink')),
	sink_kind       TEXT CHECK (sink_kind IN ('consumed', 'exported', 'lapsed')),
	enterprise_id   BIGINT REFERENCES enterprises(id),
	region_code     TEXT REFERENCES regions(code),
	flags           INTEGER NOT NULL DEFAULT 0,
	debits_pending  BIGINT NOT NULL DEFAULT 0 CHECK (debits_pending >= 0),
	debits_posted   BIGINT NOT NULL DEFAULT 0 CHECK (debits_posted >= 0),
	credits_pending BIGINT NOT NULL DEFAULT 0 CHECK (credits_pending >= 0),
	credits_posted  BIGINT NOT NULL DEFAULT 0 CHECK (credits_posted >= 0),
	last_ts         BIGINT NOT NULL DEFAULT 0,
	created_at      BIGINT NOT NULL,
	CHECK ((holder_kind = 'sink') = (sink_kind IS NOT NULL)),
	CHECK ((holder_kind = 'enterprise') = (enterprise_id IS NOT NULL)),
	CHECK ((flags & 6) <> 6)
);
CREATE INDEX ledger_accounts_ledger ON ledger_accounts(ledger_id);
CREATE INDEX ledger_accounts_enterprise ON ledger_accounts(enterprise_id);

-- seq is assigned by the application under the account locks, so that for every account a
-- later transfer always has a larger (ts, seq). id is the client's 128-bit id (16 bytes,
-- big-endian); it is NULL only on the system rows that release an expired pending transfer
-- (flag 4096). pending_id is unique: a pending transfer is resolved (posted, voided or
-- expired) exactly once; the index is partial so that ordinary transfers do not pay for it.
-- The account columns have no foreign key: the ledger reads and locks both accounts of
-- every transfer in the transaction that inserts it, and a per-row foreign-key check cost
-- a third of PostgreSQL's insert rate. ledger_history's foreign key (one check per account
-- per batch) keeps an account that has transfers from being deleted, and reconciliation
-- reports any transfer whose account is missing.
CREATE TABLE ledger_transfers (
	seq               INTEGER PRIMARY KEY,
	id                BLOB UNIQUE CHECK (id IS NULL OR length(id) = 16),
	ledger_id         BIGINT NOT NULL,
	debit_account_id  BIGINT NOT NULL,
	credit_account_id BIGINT NOT NULL,
	amount            BIGINT NOT NULL CHECK (amount > 0),
	pending_id        BLOB,
	code              INTEGER NOT NULL,
	flags             INTEGER NOT NULL,
	timeout           BIGINT NOT NULL DEFAULT 0,
	ts                BIGINT NOT NULL,
	ref               TEXT NOT NULL DEFAULT '',
	CHECK (debit_account_id <> credit_account_id),
	CHECK ((id IS NULL) = ((flags & 4096) <> 0))
);
CREATE UNIQUE INDEX ledger_transfers_pending ON ledger_transfers(pending_id) WHERE pending_id IS NOT NULL;

-- One row per account per batch instead of an (account, ts) index entry per transfer: on
-- SQLite those index entries land in the middle of the B-tree, page after page, and cost
-- about four times the insert of the transfer itself; a batch of 1,000 transfers over 200
-- accounts writes 200 history rows instead of 2,000 index entries. seqs is the list of the
-- account's transfer seqs in the batch, ascending, as unsigned varints (first value, then
-- differences); seq is its last element. A statement's running balance is the history row
-- before the period plus the listed transfers, in seq order.
CREATE TABLE ledger_history (
	account_id      BIGINT NOT NULL REFERENCES ledger_accounts(id),
	ts              BIGINT NOT NULL,
	seq             BIGINT NOT NULL,
	debits_pending  BIGINT NOT NULL,
	debits_posted   BIGINT NOT NULL,
	credits_pending BIGINT NOT NULL,
	credits_posted  BIGINT NOT NULL,
	seqs            BLOB NOT NULL,
	PRIMARY KEY (account_id, ts, seq)
) WITHOUT ROWID;

CREATE TABLE ledger_pending_open (
	pending_seq BIGINT PRIMARY KEY REFERENCES ledger_transfers(seq),
	expires_at  BIGINT
);
CREATE INDEX ledger_pending_open_expires ON ledger_pending_open(expires_at);
