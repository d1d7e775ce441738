package store

// MigrateBefore exposes migrate to the external tests.
var MigrateBefore = (*DB).migrate
