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
	// Chains: reading chain graphs with their computed strength, reading the enterprise-level
	// figures behind it (others see link totals only), editing links, edges, placements and
	// the strength thresholds; relatedness analysis of region-level figures.
	ReadChains       Action = "chains.read"
	ReadChainFigures Action = "chains.figures"
	EditChains       Action = "chains.edit"
	ReadRelatedness  Action = "relatedness.read"
	// Parks and layout, the project pipeline (row scope: county users their region,
	// enterprise users their own enterprise's projects) and investment-attraction leads,
	// which name enterprises being courted and so stay with the planners.
	ReadParks      Action = "parks.read"
	ManageParks    Action = "parks.manage"
	ReadProjects   Action = "projects.read"
	ManageProjects Action = "projects.manage"
	ReadLeads      Action = "leads.read"
	ManageLeads    Action = "leads.manage"

	// Enterprise cultivation: reading classifications, cultivation lists and support plans
	// (enterprise users: their own enterprise; county users: their region's), and editing
	// the rules, lists and plans.
	ReadCultivation   Action = "cultivation.read"
	ManageCultivation Action = "cultivation.manage"
	// Funds, investments, financing instruments and the listing pipeline (row scope as
	// for cultivation).
	ReadFinance   Action = "finance.read"
	ManageFinance Action = "finance.manage"
	// Innovation platforms, alliances and talent programmes (public: every role reads them;
	// the enterprises linked to them are shown within the reader's enterprise scope).
	ReadInnovation   Action = "innovation.read"
	ManageInnovation Action = "innovation.manage"
	// Policy documents and instruments (public), and each enterprise's eligibility and
	// estimated benefit (row scope as for cultivation).
	ReadPolicy      Action = "policy.read"
	ReadEligibility Action = "policy.eligibility"
	ManagePolicy    Action = "policy.manage" // create, edit and retire documents and instruments
	// Resources and quota administration: deposits and rights (enterprise users: their own
	// rights only), granting quota with documents and reviews, production reports
	// (enterprise users: their own enterprise only, applied by the quota package).
	ReadResources    Action = "resources.read"
	ManageResources  Action = "resources.manage"
	ReadQuota        Action = "quota.read"
	ManageQuota      Action = "quota.manage"
	ReportProduction Action = "quota.report"
	// Strategic reserves: reading depots and stock cards (enterprise users: the depots they
	// operate or hold a share of, applied by package reserve), and creating depots, setting
	// partner shares and moving stock (收储, 轮换, 投放, in-ground reservation).
	ReadReserves   Action = "reserves.read"
	ManageReserves Action = "reserves.manage"
	// Supply allocation: creating rounds, editing their rules and applying them.
	ManageAllocation Action = "allocation.manage"
	// Plans: creating, changing and deleting the stages and targets of a plan.
	ManagePlans Action = "plans.manage"
	// Product flow (EPCIS): capturing events (enterprise users: at their own locations only),
	// reading them (enterprise users: their own only; both applied by package trace), and
	// registering locations.
	CaptureEvents   Action = "epcis.capture"
	ReadEvents      Action = "epcis.read"
	ManageLocations Action = "epcis.locations"
	TraceProvenance Action = "epcis.provenance" // across enterprises, so not enterprise users
	// The rare earth and tungsten flow layer: reading balances and anomalies (enterprise
	// users: their own sites only, applied by package flow), and running the checks, mapping
	// products and acting on anomalies (assign, comment, close).
	ReadFlow   Action = "flow.read"
	ManageFlow Action = "flow.manage"
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
	// An enterprise user sees nothing of other enterprises, so no chain graph at all.
	ReadChains:       {Admin, Planner, Regulator, County, Viewer},
	ReadChainFigures: {Admin, Planner, Regulator},
	EditChains:       {Admin, Planner},
	ReadRelatedness:  {Admin, Planner, Regulator, County},
	ReadParks:        {Admin, Planner, Regulator, County, Enterprise, Viewer},
	ManageParks:      {Admin, Planner},
	ReadProjects:     {Admin, Planner, Regulator, County, Enterprise},
	ManageProjects:   {Admin, Planner},
	ReadLeads:        {Admin, Planner},
	ManageLeads:      {Admin, Planner},

	ReadCultivation:   {Admin, Planner, Regulator, County, Enterprise},
	ManageCultivation: {Admin, Planner},
	ReadFinance:       {Admin, Planner, Regulator, County, Enterprise},
	ManageFinance:     {Admin, Planner},
	ReadInnovation:    {Admin, Planner, Regulator, County, Enterprise, Viewer},
	ManageInnovation:  {Admin, Planner},
	ReadPolicy:        {Admin, Planner, Regulator, County, Enterprise, Viewer},
	ReadEligibility:   {Admin, Planner, Regulator, County, Enterprise},
	ManagePolicy:      {Admin, Planner},
	ReadResources:     {Admin, Planner, Regulator, County, Enterprise},
	ManageResources:   {Admin, Regulator},
	ReadQuota:         {Admin, Planner, Regulator, Enterprise},
	ManageQuota:       {Admin, Regulator},
	ReportProduction:  {Admin, Regulator, Enterprise},
	ManageAllocation:  {Admin, Planner, Regulator},
	ReadReserves:      {Admin, Planner, Regulator, Enterprise},
	ManageReserves:    {Admin, Regulator},
	ManagePlans:       {Admin, Planner},
	CaptureEvents:     {Admin, Regulator, Enterprise},
	ReadEvents:        {Admin, Planner, Regulator, Enterprise},
	ManageLocations:   {Admin, Regulator},
	TraceProvenance:   {Admin, Planner, Regulator},
	ReadFlow:          {Admin, Planner, Regulator, Enterprise},
	ManageFlow:        {Admin, Regulator},
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
