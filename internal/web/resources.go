package web

import (
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/i18n"
	"zhanxin/internal/ledger"
	"zhanxin/internal/quota"
	"zhanxin/internal/resource"
	"zhanxin/internal/store"
)

// The resource and quota pages: minerals and products, deposits, rights with their flags,
// quota grants with documents and expert reviews, pass-down deadlines, production reports
// and violations. The resource and quota packages decide who sees and changes what; these
// handlers format and collect forms.

func (s *Server) resourceRoutes() {
	s.handle("GET /resources/products", s.adapt(s.productsPage))
	s.handle("GET /resources/deposits", s.adapt(s.depositsPage))
	s.handle("GET /resources/deposits/{id}", s.adapt(s.depositPage))
	s.handle("GET /resources/rights", s.adapt(s.rightsPage))
	s.handle("GET /quota/grants", s.adapt(s.grantsPage))
	s.handle("POST /quota/grants", s.adapt(s.grantSubmit))
	s.handle("GET /quota/grants/{id}", s.adapt(s.grantPage))
	s.handle("POST /quota/grants/{id}/documents", s.adapt(s.documentSubmit))
	s.handle("POST /quota/grants/{id}/reviews", s.adapt(s.reviewSubmit))
	s.handle("GET /quota/documents/{id}", s.adapt(s.documentDownload))
	s.handle("GET /quota/deadlines", s.adapt(s.deadlinesPage))
	s.handle("GET /quota/reports", s.adapt(s.reportsPage))
	s.handle("POST /quota/reports", s.adapt(s.reportSubmit))
	s.handle("GET /quota/violations", s.adapt(s.violationsPage))
}

func (s *Server) resourceSvc() *resource.Service { return &resource.Service{DB: s.db, Now: s.now} }
func (s *Server) quotaSvc() *quota.Service       { return quota.New(s.db, s.now) }

func pathInt(r *http.Request, name string) int64 {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id < 1 {
		return 0
	}
	return id
}

// tonnesCell shows grams as tonnes with the unit and exports the tonnes as a number.
func tonnesCell(g int64) Cell {
	return Cell{Value: float64(g) / 1e6, Text: ledger.FormatTonnes(g), Num: true}
}

func optTonnesCell(lang i18n.Lang, cat *i18n.Catalog, g *int64) Cell {
	if g == nil {
		return Cell{Value: "", Text: cat.T(lang, "resources.unknown")}
	}
	return tonnesCell(*g)
}

func pctCell(lang i18n.Lang, cat *i18n.Catalog, ppm *int64, about bool) Cell {
	if ppm == nil {
		return Cell{Value: "", Text: cat.T(lang, "resources.unknown")}
	}
	t := resource.FormatPercent(*ppm)
	if about {
		t = cat.T(lang, "resources.about", t)
	}
	return Cell{Value: float64(*ppm) / 1e4, Text: t, Num: true}
}

func commodityName(lang i18n.Lang, c string) string {
	for _, x := range ledger.Commodities {
		if string(x.Code) == c {
			return name(lang, x.NameZh, x.NameEn)
		}
	}
	return c
}

var kindKeys = map[string]string{"mining": "resources.kind.mining", "smelting_separation": "resources.kind.smelting_separation",
	"export": "resources.kind.export", "supply_allocation": "resources.kind.supply_allocation", "reserve": "resources.kind.reserve"}

// ledgerName is "离子型稀土 · 开采 · 2018".
func (s *Server) ledgerName(lang i18n.Lang, key string) string {
	c, k, y, err := ledger.ParseLedgerKey(key)
	if err != nil {
		return key
	}
	return fmt.Sprintf("%s · %s · %d", commodityName(lang, string(c)), s.cat.T(lang, kindKeys[string(k)]), y)
}

var productTable = TableSpec[store.Product]{
	Export: "resources.products.title",
	Columns: []Column{{Label: "resources.col.code", Sort: "code"}, {Label: "resources.col.name", Sort: "name"},
		{Label: "resources.col.kind", Sort: "kind"}, {Label: "resources.col.unit"}, {Label: "resources.col.oxide", Sort: "oxide"},
		{Label: "resources.col.oxide_content", Num: true}, {Label: "resources.col.basis"}, {Label: "common.source"}},
}

var productKindKeys = map[string]string{"mineral": "resources.product.mineral", "product": "resources.product.product"}

func (s *Server) productsPage(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	spec := productTable
	spec.Row = func(x store.Product) []Cell {
		return []Cell{TextCell(x.Code), TextCell(name(lang, x.NameZh, x.NameEn)), TextCell(s.cat.T(lang, productKindKeys[x.Kind])),
			TextCell(name(lang, x.UnitZh, x.UnitEn)), TextCell(x.Oxide), pctCell(lang, s.cat, x.OxidePPM, false), TextCell(x.Basis),
			TextCell(x.Source)}
	}
	tv, done, err := serveTable(s, w, r, spec, func(q store.ListQuery) (store.Page[store.Product], error) {
		return s.resourceSvc().Products(r.Context(), p, q)
	})
	if err != nil || done {
		return err
	}
	tv.TestID = "products"
	s.render(w, r, http.StatusOK, "table", tableView{Page: s.page(w, r, "resources.products.title", Crumb{Label: "resources.products.title"}),
		Table: tv, Note: s.cat.T(lang, "resources.products.note")})
	return nil
}

var depositTypeKeys = map[string]string{"ionic_clay": "resources.type.ionic_clay", "rock": "resources.type.rock",
	"vein": "resources.type.vein", "skarn": "resources.type.skarn", "regional_total": "resources.type.regional_total",
	"other": "resources.type.other"}

var depositTable = TableSpec[store.Deposit]{
	Export: "resources.deposits.title",
	Columns: []Column{{Label: "resources.col.code", Sort: "code"}, {Label: "resources.col.name", Sort: "name"},
		{Label: "resources.col.region", Sort: "region"}, {Label: "resources.col.mineral", Sort: "mineral"},
		{Label: "resources.col.type", Sort: "type"}, {Label: "resources.col.proven", Sort: "proven", Num: true},
		{Label: "resources.col.remaining", Sort: "remaining", Num: true}, {Label: "resources.col.grade", Num: true},
		{Label: "resources.col.national_share", Num: true}, {Label: "common.source"}, {Label: "resources.col.status"},
		{Label: "resources.col.quote"}},
}

func (s *Server) depositsPage(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	spec := depositTable
	spec.Row = func(d store.Deposit) []Cell {
		return []Cell{{Value: d.Code, Text: d.Code, Href: "/resources/deposits/" + strconv.FormatInt(d.ID, 10)}, TextCell(name(lang, d.NameZh, d.NameEn)),
			TextCell(d.RegionName), TextCell(d.MineralName + "（" + d.MineralUnit + "）"), TextCell(s.cat.T(lang, depositTypeKeys[d.Type])),
			optTonnesCell(lang, s.cat, d.ProvenG), optTonnesCell(lang, s.cat, d.RemainingG), pctCell(lang, s.cat, d.GradePPM, false),
			pctCell(lang, s.cat, bpToPPM(d.NationalShareBP), d.ShareQualifier == "about"), TextCell(d.Source), TextCell(d.SourceStatus),
			TextCell(d.Quote)}
	}
	tv, done, err := serveTable(s, w, r, spec, func(q store.ListQuery) (store.Page[store.Deposit], error) {
		return s.resourceSvc().Deposits(r.Context(), p, q)
	})
	if err != nil || done {
		return err
	}
	tv.TestID = "deposits"
	s.render(w, r, http.StatusOK, "table", tableView{Page: s.page(w, r, "resources.deposits.title", Crumb{Label: "resources.deposits.title"}),
		Table: tv, Note: s.cat.T(lang, "resources.deposits.note")})
	return nil
}

func bpToPPM(bp *int64) *int64 {
	if bp == nil {
		return nil
	}
	v := *bp * 100
	return &v
}

type depositView struct {
	Page
	D      store.Deposit
	Type   string
	Proven string
	Remain string
	Grade  string
	Share  string
	Table  TableView
}

var elementTable = TableSpec[store.DepositElement]{
	Export:  "resources.elements.title",
	Columns: []Column{{Label: "resources.col.element"}, {Label: "resources.col.share", Num: true}, {Label: "common.source"}, {Label: "resources.col.quote"}},
}

func (s *Server) depositPage(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	d, err := s.resourceSvc().Deposit(r.Context(), p, pathInt(r, "id"))
	if err != nil {
		return err
	}
	spec := elementTable
	spec.Row = func(e store.DepositElement) []Cell {
		v := e.SharePPM
		return []Cell{TextCell(e.Element), pctCell(lang, s.cat, &v, false), TextCell(e.Source), TextCell(e.Quote)}
	}
	tv, done, err := serveTable(s, w, r, spec, func(q store.ListQuery) (store.Page[store.DepositElement], error) {
		return store.Page[store.DepositElement]{Rows: d.Elements, Total: len(d.Elements)}, nil
	})
	if err != nil || done {
		return err
	}
	tv.NoFilter, tv.TestID = true, "elements"
	v := depositView{Page: s.page(w, r, "resources.deposit.title", Crumb{Label: "resources.deposits.title", Href: "/resources/deposits"},
		Crumb{Label: d.NameZh}), D: d.Deposit, Type: s.cat.T(lang, depositTypeKeys[d.Type]),
		Proven: optTonnesCell(lang, s.cat, d.ProvenG).Text, Remain: optTonnesCell(lang, s.cat, d.RemainingG).Text,
		Grade: pctCell(lang, s.cat, d.GradePPM, false).Text, Share: pctCell(lang, s.cat, bpToPPM(d.NationalShareBP), d.ShareQualifier == "about").Text,
		Table: tv}
	v.Title = name(lang, d.NameZh, d.NameEn)
	s.render(w, r, http.StatusOK, "resources_deposit", v)
	return nil
}

var rightKindKeys = map[string]string{"exploration": "resources.right.exploration", "mining": "resources.right.mining"}
var rightStatusKeys = map[string]string{"active": "resources.right.active", "suspended": "resources.right.suspended",
	"revoked": "resources.right.revoked"}

var rightTable = TableSpec[resource.RightView]{
	Export: "resources.rights.title",
	Columns: []Column{{Label: "resources.col.permit", Sort: "permit"}, {Label: "resources.col.right_kind", Sort: "kind"},
		{Label: "resources.col.holder", Sort: "holder"}, {Label: "resources.col.deposit"}, {Label: "resources.col.area", Num: true},
		{Label: "resources.col.granted_on", Sort: "granted_on"}, {Label: "resources.col.valid", Sort: "valid_to"},
		{Label: "resources.col.capacity", Num: true}, {Label: "resources.col.right_status", Sort: "status"},
		{Label: "resources.col.flags"}, {Label: "common.source"}},
}

func (s *Server) rightFlags(lang i18n.Lang, f resource.Flags) string {
	var out []string
	if f.Expired {
		out = append(out, s.cat.T(lang, "resources.flag.expired"))
	}
	if f.Idle {
		out = append(out, s.cat.T(lang, "resources.flag.idle"))
	}
	if f.NotStateHeld {
		out = append(out, s.cat.T(lang, "resources.flag.not_state_held"))
	}
	return strings.Join(out, "；")
}

func (s *Server) rightsPage(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	spec := rightTable
	spec.Row = func(x resource.RightView) []Cell {
		area := Cell{Value: "", Text: s.cat.T(lang, "resources.unknown")}
		if x.AreaM2 != nil {
			area = Cell{Value: float64(*x.AreaM2) / 1e6, Text: strings.TrimSuffix(ledger.FormatTonnes(*x.AreaM2), " t") + " km²", Num: true}
		}
		capC := optTonnesCell(lang, s.cat, x.CapacityG)
		if x.CapacityG != nil {
			capC.Text = s.cat.T(lang, "resources.per_year", capC.Text)
		}
		return []Cell{TextCell(x.PermitNo), TextCell(s.cat.T(lang, rightKindKeys[x.Kind])), TextCell(x.HolderName), TextCell(x.DepositName),
			area, TextCell(x.GrantedOn), TextCell(x.ValidFrom + " — " + x.ValidTo), capC, TextCell(s.cat.T(lang, rightStatusKeys[x.Status])),
			TextCell(s.rightFlags(lang, x.Flags)), TextCell(x.Source)}
	}
	tv, done, err := serveTable(s, w, r, spec, func(q store.ListQuery) (store.Page[resource.RightView], error) {
		return s.resourceSvc().Rights(r.Context(), p, q)
	})
	if err != nil || done {
		return err
	}
	tv.TestID = "rights"
	s.render(w, r, http.StatusOK, "table", tableView{Page: s.page(w, r, "resources.rights.title", Crumb{Label: "resources.rights.title"}),
		Table: tv, Note: s.cat.T(lang, "resources.rights.note")})
	return nil
}

// formErrors localises an error's fields for a form; a problem with no field goes under
// "form".
func (s *Server) formErrors(lang i18n.Lang, err error) (map[string]string, int, error) {
	e := apperr.From(err)
	if e.Kind == apperr.Internal || e.Kind == apperr.Forbidden || e.Kind == apperr.Unauthenticated {
		return nil, 0, err
	}
	out := map[string]string{"form": s.cat.T(lang, e.Key, e.Args...)}
	for _, f := range e.Fields {
		out[f.Name] = s.cat.T(lang, f.Key, f.Args...)
	}
	return out, e.Kind.Status(), nil
}

var grantTable = TableSpec[store.QuotaGrant]{
	Export: "quota.grants.title",
	Columns: []Column{{Label: "quota.col.ledger", Sort: "ledger"}, {Label: "quota.col.batch", Sort: "batch"},
		{Label: "quota.col.from", Sort: "from"}, {Label: "quota.col.to", Sort: "to"}, {Label: "quota.col.amount", Sort: "amount", Num: true},
		{Label: "quota.col.granted_on", Sort: "granted_on"}, {Label: "quota.col.doc_no"}, {Label: "quota.col.documents", Num: true},
		{Label: "quota.col.reviews", Num: true}, {Label: "common.source"}, {Label: "quota.col.status"}},
}

type grantsView struct {
	Page
	Table    TableView
	CanGrant bool
	Form     map[string]string
	Errors   map[string]string
	Flash    string
}

func (s *Server) grantsPage(w http.ResponseWriter, r *http.Request) error {
	return s.grantsRender(w, r, http.StatusOK, nil, nil)
}

func (s *Server) grantsRender(w http.ResponseWriter, r *http.Request, status int, form, errs map[string]string) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	spec := grantTable
	spec.Row = func(g store.QuotaGrant) []Cell {
		on := g.GrantedOn
		if on == "" {
			on = s.cat.T(lang, "quota.date_not_given")
		}
		return []Cell{TextCell(s.ledgerName(lang, g.LedgerKey)), {Value: g.Batch, Text: g.Batch, Href: "/quota/grants/" + strconv.FormatInt(g.ID, 10)},
			TextCell(g.FromAccount), TextCell(g.ToAccount), tonnesCell(g.AmountG), TextCell(on), TextCell(g.DocNo),
			{Value: g.Documents, Text: strconv.Itoa(g.Documents), Num: true}, {Value: g.Reviews, Text: strconv.Itoa(g.Reviews), Num: true},
			TextCell(g.Source), TextCell(g.SourceStatus)}
	}
	tv, done, err := serveTable(s, w, r, spec, func(q store.ListQuery) (store.Page[store.QuotaGrant], error) {
		return s.quotaSvc().Grants(r.Context(), p, q)
	})
	if err != nil || done {
		return err
	}
	tv.TestID = "grants"
	v := grantsView{Page: s.page(w, r, "quota.grants.title", Crumb{Label: "quota.grants.title"}), Table: tv, CanGrant: p.Can(auth.ManageQuota),
		Form: form, Errors: errs}
	if r.URL.Query().Get("done") != "" {
		v.Flash = s.cat.T(lang, "quota.grant.done")
	}
	s.render(w, r, status, "quota_grants", v)
	return nil
}

func (s *Server) grantSubmit(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	n := quota.NewGrant{From: strings.TrimSpace(r.PostFormValue("from")), To: strings.TrimSpace(r.PostFormValue("to")),
		AmountT: r.PostFormValue("amount_t"), Batch: r.PostFormValue("batch"), GrantedOn: r.PostFormValue("granted_on"),
		DocNo: r.PostFormValue("doc_no"), Source: r.PostFormValue("source"), Note: r.PostFormValue("note"), ID: r.PostFormValue("id"),
		ConfirmViolations: r.PostFormValue("confirm_violations") == "1"}
	g, err := s.quotaSvc().Grant(r.Context(), p, n)
	if err != nil {
		errs, status, err := s.formErrors(s.lang(r), err)
		if err != nil {
			return err
		}
		if _, warn := errs["confirm_violations"]; warn {
			delete(errs, "form") // the warning beside the confirmation says it all
		}
		form := map[string]string{}
		for k := range r.PostForm {
			form[k] = r.PostFormValue(k)
		}
		return s.grantsRender(w, r, status, form, errs)
	}
	http.Redirect(w, r, "/quota/grants/"+strconv.FormatInt(g.ID, 10)+"?done=1", http.StatusSeeOther)
	return nil
}

type grantView struct {
	Page
	G         quota.GrantDetail
	Ledger    string
	Amount    string
	CanManage bool
	Errors    map[string]string
	Flash     string
	Kinds     []KV
	Concl     []KV
	DocSizes  []string
	MaxMB     int
}

var docKindKeys = map[string]string{"responsibility_letter": "quota.doc.responsibility_letter", "contract": "quota.doc.contract"}
var conclusionKeys = map[string]string{"approved": "quota.review.approved", "conditional": "quota.review.conditional",
	"rejected": "quota.review.rejected"}

func (s *Server) grantPage(w http.ResponseWriter, r *http.Request) error {
	return s.grantRender(w, r, http.StatusOK, nil)
}

func (s *Server) grantRender(w http.ResponseWriter, r *http.Request, status int, errs map[string]string) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	g, err := s.quotaSvc().GrantDetail(r.Context(), p, pathInt(r, "id"))
	if err != nil {
		return err
	}
	v := grantView{Page: s.page(w, r, "quota.grant.title", Crumb{Label: "quota.grants.title", Href: "/quota/grants"}, Crumb{Label: g.Batch}),
		G: g, Ledger: s.ledgerName(lang, g.LedgerKey), Amount: ledger.FormatTonnes(g.AmountG), CanManage: p.Can(auth.ManageQuota),
		Errors: errs, MaxMB: quota.MaxDocument >> 20}
	for _, k := range quota.DocumentKinds {
		v.Kinds = append(v.Kinds, KV{k, s.cat.T(lang, docKindKeys[k])})
	}
	for _, k := range quota.Conclusions {
		v.Concl = append(v.Concl, KV{k, s.cat.T(lang, conclusionKeys[k])})
	}
	for i := range g.Documents {
		g.Documents[i].Kind = s.cat.T(lang, docKindKeys[g.Documents[i].Kind])
		v.DocSizes = append(v.DocSizes, s.cat.T(lang, "quota.bytes", g.Documents[i].Size))
	}
	for i := range g.Reviews {
		g.Reviews[i].Conclusion = s.cat.T(lang, conclusionKeys[g.Reviews[i].Conclusion])
	}
	switch r.URL.Query().Get("done") {
	case "1":
		v.Flash = s.cat.T(lang, "quota.grant.done")
	case "doc":
		v.Flash = s.cat.T(lang, "quota.doc.done")
	case "review":
		v.Flash = s.cat.T(lang, "quota.review.done")
	}
	s.render(w, r, status, "quota_grant", v)
	return nil
}

func (s *Server) documentSubmit(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	id := pathInt(r, "id")
	var body []byte
	var filename, ctype string
	if file, hdr, err := r.FormFile("file"); err == nil {
		defer file.Close()
		if body, err = io.ReadAll(io.LimitReader(file, quota.MaxDocument+1)); err != nil {
			return err
		}
		filename, ctype = hdr.Filename, hdr.Header.Get("Content-Type")
		if ctype == "" || ctype == "application/octet-stream" {
			ctype = mime.TypeByExtension(strings.ToLower(filename[strings.LastIndex(filename, ".")+1:]))
		}
	}
	if _, err := s.quotaSvc().AttachDocument(r.Context(), p, id, r.PostFormValue("kind"), filename, ctype, body); err != nil {
		errs, status, err := s.formErrors(s.lang(r), err)
		if err != nil {
			return err
		}
		return s.grantRender(w, r, status, errs)
	}
	http.Redirect(w, r, fmt.Sprintf("/quota/grants/%d?done=doc", id), http.StatusSeeOther)
	return nil
}

func (s *Server) reviewSubmit(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	id := pathInt(r, "id")
	n := quota.NewReview{ReviewedOn: r.PostFormValue("reviewed_on"), Experts: r.PostFormValue("experts"),
		Conclusion: r.PostFormValue("conclusion"), Opinion: r.PostFormValue("opinion")}
	if _, err := s.quotaSvc().AddReview(r.Context(), p, id, n); err != nil {
		errs, status, err := s.formErrors(s.lang(r), err)
		if err != nil {
			return err
		}
		return s.grantRender(w, r, status, errs)
	}
	http.Redirect(w, r, fmt.Sprintf("/quota/grants/%d?done=review", id), http.StatusSeeOther)
	return nil
}

func (s *Server) documentDownload(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	d, err := s.quotaSvc().Document(r.Context(), p, pathInt(r, "id"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", d.ContentType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": d.Filename}))
	w.Header().Set("X-Content-SHA256", d.SHA256)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(d.Body)
	return nil
}

var deadlineStatusKeys = map[string]string{"done": "quota.deadline.done", "done_late": "quota.deadline.done_late",
	"open": "quota.deadline.open", "overdue": "quota.deadline.overdue", "no_date": "quota.deadline.no_date"}

var deadlineTable = TableSpec[quota.Deadline]{
	Export: "quota.deadlines.title",
	Columns: []Column{{Label: "quota.col.account"}, {Label: "quota.col.batch"}, {Label: "quota.col.received_on"},
		{Label: "quota.col.amount", Num: true}, {Label: "quota.col.due_on"}, {Label: "quota.col.passed", Num: true},
		{Label: "quota.col.passed_on"}, {Label: "quota.col.deadline_status"}},
}

func (s *Server) deadlinesPage(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	ds, err := s.quotaSvc().Deadlines(r.Context(), p)
	if err != nil {
		return err
	}
	spec := deadlineTable
	spec.Row = func(d quota.Deadline) []Cell {
		return []Cell{TextCell(d.Account), {Value: d.Batch, Text: d.Batch, Href: "/quota/grants/" + strconv.FormatInt(d.GrantID, 10)},
			TextCell(d.Received), tonnesCell(d.AmountG), TextCell(d.Due), tonnesCell(d.PassedG), TextCell(d.PassedOn),
			TextCell(s.cat.T(lang, deadlineStatusKeys[d.Status]))}
	}
	tv, done, err := serveTable(s, w, r, spec, func(q store.ListQuery) (store.Page[quota.Deadline], error) {
		return pageOf(ds, q), nil
	})
	if err != nil || done {
		return err
	}
	tv.NoFilter, tv.TestID = true, "deadlines"
	s.render(w, r, http.StatusOK, "table", tableView{Page: s.page(w, r, "quota.deadlines.title", Crumb{Label: "quota.deadlines.title"}),
		Table: tv, Note: s.cat.T(lang, "quota.deadlines.note", quota.PassDownDays)})
	return nil
}

// pageOf pages a list computed in memory.
func pageOf[T any](all []T, q store.ListQuery) store.Page[T] {
	p := store.Page[T]{Total: len(all)}
	from := min(max(q.Offset, 0), len(all))
	to := len(all)
	if q.Limit > 0 {
		to = min(from+q.Limit, len(all))
	}
	p.Rows = all[from:to]
	return p
}

var reportTable = TableSpec[store.QuotaReport]{
	Export: "quota.reports.title",
	Columns: []Column{{Label: "quota.col.enterprise", Sort: "enterprise"}, {Label: "quota.col.ledger"},
		{Label: "quota.col.period", Sort: "period"}, {Label: "quota.col.produced", Sort: "amount", Num: true},
		{Label: "quota.col.consumed", Num: true}, {Label: "quota.col.over", Sort: "over", Num: true},
		{Label: "quota.col.due_on"}, {Label: "quota.col.submitted", Sort: "submitted"}, {Label: "quota.col.flags"}},
}

type reportsView struct {
	Page
	Table       TableView
	CanReport   bool
	Enterprise  bool
	Form        map[string]string
	Errors      map[string]string
	Flash       string
	Commodities []KV
	Flagged     bool
}

func (s *Server) reportsPage(w http.ResponseWriter, r *http.Request) error {
	return s.reportsRender(w, r, http.StatusOK, nil, nil)
}

func (s *Server) reportsRender(w http.ResponseWriter, r *http.Request, status int, form, errs map[string]string) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	flagged := r.URL.Query().Get("flagged") == "1"
	spec := reportTable
	spec.Row = func(x store.QuotaReport) []Cell {
		var flags []string
		if x.Late {
			flags = append(flags, s.cat.T(lang, "quota.flag.late"))
		}
		if x.OverG > 0 {
			flags = append(flags, s.cat.T(lang, "quota.flag.over"))
		}
		return []Cell{TextCell(x.EnterpriseName), TextCell(s.ledgerName(lang, x.LedgerKey)), TextCell(x.Period), tonnesCell(x.AmountG),
			tonnesCell(x.ConsumedG), tonnesCell(x.OverG), TextCell(x.DueOn), TextCell(x.CreatedAt.In(ledger.ChinaTime).Format("2006-01-02 15:04")),
			TextCell(strings.Join(flags, "；"))}
	}
	tv, done, err := serveTable(s, w, r, spec, func(q store.ListQuery) (store.Page[store.QuotaReport], error) {
		return s.quotaSvc().Reports(r.Context(), p, flagged, q)
	})
	if err != nil || done {
		return err
	}
	tv.TestID = "reports"
	v := reportsView{Page: s.page(w, r, "quota.reports.title", Crumb{Label: "quota.reports.title"}), Table: tv,
		CanReport: p.Can(auth.ReportProduction), Enterprise: p.Role == auth.Enterprise, Form: form, Errors: errs, Flagged: flagged}
	for _, c := range []ledger.Commodity{ledger.REOIonic, ledger.REORock, ledger.WO3} {
		v.Commodities = append(v.Commodities, KV{string(c), commodityName(lang, string(c))})
	}
	if r.URL.Query().Get("done") != "" {
		v.Flash = s.cat.T(lang, "quota.report.done")
	}
	s.render(w, r, status, "quota_reports", v)
	return nil
}

func (s *Server) reportSubmit(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	n := quota.NewReport{Commodity: r.PostFormValue("commodity"), Period: strings.TrimSpace(r.PostFormValue("period")),
		AmountT: r.PostFormValue("amount_t"), Note: r.PostFormValue("note")}
	if p.Role == auth.Enterprise {
		n.EnterpriseID = p.EnterpriseID // an enterprise user reports for its own enterprise, whatever the form says
		if v := r.PostFormValue("enterprise_id"); v != "" {
			n.EnterpriseID, _ = strconv.ParseInt(v, 10, 64)
		}
	} else {
		n.EnterpriseID, _ = strconv.ParseInt(r.PostFormValue("enterprise_id"), 10, 64)
	}
	if _, err := s.quotaSvc().Report(r.Context(), p, n); err != nil {
		errs, status, err2 := s.formErrors(s.lang(r), err)
		if err2 != nil {
			if apperr.Is(err2, apperr.Forbidden) && apperr.From(err2).Code == "other_enterprise" {
				errs, status = map[string]string{"form": s.cat.T(s.lang(r), "quota.err.other_enterprise")}, http.StatusForbidden
			} else {
				return err2
			}
		}
		form := map[string]string{}
		for k := range r.PostForm {
			form[k] = r.PostFormValue(k)
		}
		return s.reportsRender(w, r, status, form, errs)
	}
	http.Redirect(w, r, "/quota/reports?done=1", http.StatusSeeOther)
	return nil
}

var violationTable = TableSpec[quota.Violation]{
	Export: "quota.violations.title",
	Columns: []Column{{Label: "quota.col.enterprise"}, {Label: "quota.col.commodity"}, {Label: "quota.col.year", Num: true},
		{Label: "quota.col.reports", Num: true}, {Label: "quota.col.over", Num: true}, {Label: "quota.col.next_year", Num: true},
		{Label: "quota.col.cut", Num: true}},
}

func (s *Server) violationsPage(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	year := s.now().In(ledger.ChinaTime).Year()
	if y := r.URL.Query().Get("year"); y != "" {
		if year, err = strconv.Atoi(y); err != nil || year < 1949 || year > 2200 {
			return apperr.New(apperr.Invalid, "bad_year", "ledger.err.year", y).With("year", "ledger.err.year", y)
		}
	}
	vs, err := s.quotaSvc().Violations(r.Context(), p, year)
	if err != nil {
		return err
	}
	spec := violationTable
	spec.Row = func(v quota.Violation) []Cell {
		return []Cell{TextCell(v.EnterpriseName), TextCell(commodityName(lang, v.Commodity)), {Value: v.Year, Text: strconv.Itoa(v.Year), Num: true},
			{Value: v.Reports, Text: strconv.Itoa(v.Reports), Num: true}, tonnesCell(v.OverG),
			{Value: v.NextYear, Text: strconv.Itoa(v.NextYear), Num: true}, tonnesCell(v.CutNextYearG)}
	}
	tv, done, err := serveTable(s, w, r, spec, func(q store.ListQuery) (store.Page[quota.Violation], error) {
		return pageOf(vs, q), nil
	})
	if err != nil || done {
		return err
	}
	tv.NoFilter, tv.TestID = true, "violations"
	s.render(w, r, http.StatusOK, "table", tableView{Page: s.page(w, r, "quota.violations.title", Crumb{Label: "quota.violations.title"}),
		Table: tv, Note: s.cat.T(lang, "quota.violations.note", year)})
	return nil
}
