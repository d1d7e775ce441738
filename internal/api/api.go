package api

import (
	"net/http"
	"strconv"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/i18n"
	"zhanxin/internal/store"
	"zhanxin/internal/trace"
	"zhanxin/internal/users"
)

// API holds what the JSON handlers need.
type API struct {
	DB      *store.DB
	Users   *users.Service
	Cat     *i18n.Catalog
	Now     func() time.Time
	Lang    func(*http.Request) i18n.Lang
	Version string
	// Trace is the EPCIS repository; MaxBodyBytes is the server's body cap, advertised in
	// the GS1-EPCIS-Capture-File-Size-Limit header.
	Trace        *trace.Service
	MaxBodyBytes int64
	// ProjectStallDays is the stall limit of the project pipeline (0: the default).
	ProjectStallDays int
}

// Endpoints lists every API route. The OpenAPI test checks this list against the merged
// OpenAPI document (openapi/*.json).
func (a *API) Endpoints() []Endpoint {
	all := []Endpoint{
		{"GET /api/v1/openapi.json", a.openAPI},
		{"GET /api/v1/me", a.me},
		{"GET /api/v1/regions", a.listRegions},
		{"GET /api/v1/regions/{code}", a.getRegion},
		{"GET /api/v1/enterprises", a.listEnterprises},
		{"GET /api/v1/enterprises/{id}", a.getEnterprise},
		{"GET /api/v1/users", a.listUsers},
		{"POST /api/v1/users", a.createUser},
		{"GET /api/v1/tokens", a.listTokens},
		{"POST /api/v1/tokens", a.createToken},
		{"DELETE /api/v1/tokens/{id}", a.revokeToken},
		{"GET /api/v1/audit", a.listAudit},
		{"GET /api/v1/facts", a.listFacts},
		{"POST /api/v1/facts", a.enterFact},
		{"GET /api/v1/facts/history", a.factHistory},
		{"POST /api/v1/periods/{region}/{period}/submit", a.periodAction("submit")},
		{"POST /api/v1/periods/{region}/{period}/approve", a.periodAction("approve")},
		{"POST /api/v1/periods/{region}/{period}/return", a.periodAction("return")},
		{"POST /api/v1/periods/{region}/{period}/unlock", a.periodAction("unlock")},
		{"GET /api/v1/indicators", a.listIndicators},
		{"GET /api/v1/industries", a.listIndustries},
		{"GET /api/v1/parks", a.listParks},
		{"POST /api/v1/parks", a.savePark},
		{"GET /api/v1/parks/{code}", a.getPark},
		{"GET /api/v1/projects", a.listProjects},
		{"POST /api/v1/projects", a.createProject},
		{"GET /api/v1/projects/{id}", a.getProject},
		{"PUT /api/v1/projects/{id}", a.updateProject},
		{"POST /api/v1/projects/{id}/stage", a.moveProject},
		{"POST /api/v1/projects/{id}/blockers", a.addBlocker},
		{"POST /api/v1/projects/{id}/blockers/{blocker}/close", a.closeBlocker},
		{"GET /api/v1/leads", a.listLeads},
		{"POST /api/v1/leads", a.createLead},
		{"GET /api/v1/leads/{id}", a.getLead},
		{"POST /api/v1/leads/{id}/stage", a.moveLead},
		{"POST /api/v1/leads/{id}/convert", a.convertLead},
		{"GET /api/v1/enterprise-classes", a.listClasses},
		{"POST /api/v1/enterprise-classes/{code}/criteria", a.addCriterion},
		{"DELETE /api/v1/class-criteria/{id}", a.deleteCriterion},
		{"GET /api/v1/enterprise-classes/{code}/designations", a.listDesignations},
		{"POST /api/v1/enterprise-classes/{code}/designations", a.addDesignation},
		{"DELETE /api/v1/enterprise-classes/{code}/designations/{id}", a.removeDesignation},
		{"POST /api/v1/enterprise-classes/{code}/list", a.addToList},
		{"DELETE /api/v1/enterprise-classes/{code}/list/{id}", a.removeFromList},
		{"GET /api/v1/class-members", a.classRegister},
		{"GET /api/v1/enterprises/{id}/classification", a.classification},
		{"GET /api/v1/support-measures", a.listMeasures},
		{"POST /api/v1/support-measures", a.addMeasure},
		{"POST /api/v1/support-measures/{id}/status", a.setMeasureStatus},
		{"GET /api/v1/funds", a.listFunds},
		{"GET /api/v1/fund-investments", a.listInvestments},
		{"POST /api/v1/fund-investments", a.addInvestment},
		{"GET /api/v1/financings", a.listFinancings},
		{"POST /api/v1/financings", a.addFinancing},
		{"GET /api/v1/listing-pipeline", a.listPipeline},
		{"POST /api/v1/listing-pipeline", a.setListingStage},
		{"GET /api/v1/innovation-units", a.listUnits},
		{"POST /api/v1/innovation-units", a.addUnit},
		{"POST /api/v1/innovation-units/{id}/links", a.linkUnit},
		{"GET /api/v1/policy-documents", a.listPolicyDocuments},
		{"POST /api/v1/policy-documents", a.savePolicyDocument},
		{"PUT /api/v1/policy-documents/{code}", a.savePolicyDocument},
		{"POST /api/v1/policy-documents/{code}/retire", a.retirePolicy(false)},
		{"POST /api/v1/policy-instruments", a.savePolicyInstrument},
		{"PUT /api/v1/policy-instruments/{code}", a.savePolicyInstrument},
		{"POST /api/v1/policy-instruments/{code}/retire", a.retirePolicy(true)},
		{"GET /api/v1/policy-beneficiaries", a.instrumentEnterprises},
		{"GET /api/v1/enterprises/{id}/policy-benefits", a.enterpriseBenefits},
		{"POST /api/v1/plan-stages", a.saveStage(true)},
		{"PUT /api/v1/plan-stages/{code}", a.saveStage(false)},
		{"DELETE /api/v1/plan-stages/{code}", a.deleteStage},
		{"POST /api/v1/plan-targets", a.saveTarget(true)},
		{"PUT /api/v1/plan-targets/{code}", a.saveTarget(false)},
		{"DELETE /api/v1/plan-targets/{code}", a.deleteTarget},
		{"POST /api/v1/plans", a.savePlan(true)},
		{"PUT /api/v1/plans/{code}", a.savePlan(false)},
		{"DELETE /api/v1/plans/{code}", a.deletePlan},
		{"POST /api/v1/plan-goals", a.saveGoal(true)},
		{"PUT /api/v1/plan-goals/{code}", a.saveGoal(false)},
		{"POST /api/v1/plan-goals/{code}/links", a.linkGoalTarget},
		{"DELETE /api/v1/plan-goals/{code}/links/{target}", a.unlinkGoalTarget},
		{"GET /api/v1/chains", a.listChains},
		{"GET /api/v1/chains/{code}", a.getChain},
		{"POST /api/v1/chains/{code}/links", a.createChainLink},
		{"DELETE /api/v1/chains/{code}/links/{id}", a.deleteChainLink},
		{"POST /api/v1/chains/{code}/edges", a.createChainEdge},
		{"POST /api/v1/chains/{code}/placements", a.createPlacement},
		{"GET /api/v1/relatedness", a.getRelatedness},
		{"GET /api/v1/relatedness/shift-share", a.getShiftShare},
	}
	all = append(all, a.resourceEndpoints()...)
	all = append(all, a.reserveEndpoints()...)
	all = append(all, a.flowEndpoints()...)
	return append(all, a.epcisEndpoints()...)
}

// principal returns the caller, or 401 before any parameter is looked at, so that an
// anonymous caller learns nothing about what the endpoint would accept.
func principal(r *http.Request) (*auth.Principal, error) {
	p := auth.From(r.Context())
	if p == nil {
		return nil, apperr.New(apperr.Unauthenticated, "unauthenticated", "err.unauthenticated")
	}
	return p, nil
}

// pathID reads a numeric path id. A malformed id names nothing that exists, so it becomes
// 0 (never a row's id) and the use case reports it exactly like a missing one, after its
// own permission check.
func pathID(r *http.Request) int64 {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return 0
	}
	return id
}

func (a *API) openAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(OpenAPI)
	return nil
}

// Me is the caller as the API sees it.
type Me struct {
	ID           int64   `json:"id"`
	Username     string  `json:"username"`
	DisplayName  string  `json:"display_name"`
	Role         string  `json:"role"`
	RegionCode   *string `json:"region_code"`
	EnterpriseID *int64  `json:"enterprise_id"`
	ViaToken     bool    `json:"via_token"`
}

func (a *API) me(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, Me{ID: p.ID, Username: p.Username, DisplayName: p.DisplayName, Role: string(p.Role),
		RegionCode: nullString(p.RegionCode), EnterpriseID: nullInt(p.EnterpriseID), ViaToken: p.ViaToken})
	return nil
}

// nullString and nullInt turn "not set" into JSON null rather than "" or 0, which are
// values a client could mistake for real ones.
func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func nullInt(i int64) *int64 {
	if i == 0 {
		return nil
	}
	return &i
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}
