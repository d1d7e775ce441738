// Package auth holds who a caller is (Principal), what each role may do (the one place
// where permission is decided), password hashing, sessions, API tokens, CSRF tokens and
// login throttling.
package auth

import (
	"context"

	"zhanxin/internal/apperr"
	"zhanxin/internal/store"
)

// Role is one of the six roles of DESIGN.md §2.
type Role string

const (
	Admin      Role = "admin"
	Planner    Role = "planner"
	Regulator  Role = "regulator"
	County     Role = "county"
	Enterprise Role = "enterprise"
	Viewer     Role = "viewer"
)

// Roles lists every role in the order the UI shows them.
var Roles = []Role{Admin, Planner, Regulator, County, Enterprise, Viewer}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// Principal is the authenticated caller: a user of the web UI, an API token's user, or the
// command line (ID 0).
type Principal struct {
	ID           int64
	Username     string
	DisplayName  string
	Role         Role
	RegionCode   string // county users only
	EnterpriseID int64  // enterprise users only
	MustChange   bool   // the password must be changed before anything else
	ViaToken     bool   // authenticated by a Bearer token, not a session
}

// CLI is the principal of the command line, which runs with the operator's authority.
func CLI(name string) *Principal {
	return &Principal{Username: "cli:" + name, DisplayName: "命令行 / CLI", Role: Admin}
}

// Action is something a role may or may not do.
type Action string

const (
	ManageUsers     Action = "users.manage"
	ReadAudit       Action = "audit.read"
	ReadRegions     Action = "regions.read"
	ReadEnterprises Action = "enterprises.read"
	ManageOwnTokens Action = "tokens.own"
	LoadDataset     Action = "dataset.load"
	// The quota ledger: reading accounts (enterprise users: their own only, applied by the
	// ledger package), opening ledgers and accounts, moving quota, reconciling.
	ReadLedger      Action = "ledger.read"
	ManageLedger    Action = "ledger.manage"
	TransferQuota   Action = "ledger.transfer"
	ReconcileLedger Action = "ledger.reconcile"
	// Statistics: reading facts (row scope applied by the stats package), entering them
	// (county users: their region; enterprise users: their enterprise), submitting a
	// region's period, approving and unlocking it, and editing indicators and industries.
	ReadStats      Action = "stats.read"
	EnterStats     Action = "stats.enter"
	SubmitStats    Action = "stats.submit"
	ApproveStats   Action = "stats.approve"
	ManageStatsDef Action = "stats.define"
	// Product flow (EPCIS): capturing events (enterprise users: at their own locations only),
	// reading them (enterprise users: their own only; both applied by package trace), and
	// registering locations.
	CaptureEvents   Action = "epcis.capture"
	ReadEvents      Action = "epcis.read"
	ManageLocations Action = "epcis.locations"
	TraceProvenance Action = "epcis.provenance" // across enterprises, so not enterprise users
)

// grants is the permission table: the only place that says which role may do what.
// Row-level limits (a county's own region, an enterprise's own records) are applied by
// the scope functions below.
var grants = map[Action][]Role{
	ManageUsers:     {Admin},
	ReadAudit:       {Admin},
	LoadDataset:     {Admin},
	ReadRegions:     {Admin, Planner, Regulator, County, Enterprise, Viewer},
	ReadEnterprises: {Admin, Planner, Regulator, County, Enterprise},
	ManageOwnTokens: {Admin, Planner, Regulator, County, Enterprise, Viewer},
	ReadLedger:      {Admin, Planner, Regulator, Enterprise},
	ManageLedger:    {Admin, Regulator},
	TransferQuota:   {Admin, Regulator},
	ReconcileLedger: {Admin, Planner, Regulator},
	ReadStats:       {Admin, Planner, Regulator, County, Enterprise, Viewer},
	EnterStats:      {Admin, Planner, County, Enterprise},
	SubmitStats:     {Admin, Planner, County},
	ApproveStats:    {Admin, Planner},
	ManageStatsDef:  {Admin, Planner},
	CaptureEvents:   {Admin, Regulator, Enterprise},
	ReadEvents:      {Admin, Planner, Regulator, Enterprise},
	ManageLocations: {Admin, Regulator},
	TraceProvenance: {Admin, Planner, Regulator},
}

// Can reports whether p may do a.
func (p *Principal) Can(a Action) bool {
	if p == nil {
		return false
	}
	for _, r := range grants[a] {
		if r == p.Role {
			return true
		}
	}
	return false
}

// Require returns a Forbidden error unless p may do a.
func Require(p *Principal, a Action) error {
	if p == nil {
		return apperr.New(apperr.Unauthenticated, "unauthenticated", "err.unauthenticated")
	}
	if !p.Can(a) {
		return apperr.Forbid()
	}
	return nil
}

// EnterprisesVisibleTo returns the row scope for reading enterprise records: an enterprise
// user sees its own enterprise, a county user those of its region, the others all.
func EnterprisesVisibleTo(p *Principal) store.EnterpriseScope {
	switch p.Role {
	case Enterprise:
		return store.EnterpriseScope{EnterpriseID: p.EnterpriseID}
	case County:
		return store.EnterpriseScope{RegionCode: p.RegionCode}
	}
	return store.EnterpriseScope{All: true}
}

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// From returns the principal in ctx, or nil for an anonymous request.
func From(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}
