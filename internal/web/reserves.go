package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"zhanxin/internal/auth"
	"zhanxin/internal/ledger"
	"zhanxin/internal/reserve"
	"zhanxin/internal/resource"
	"zhanxin/internal/store"
)

// The strategic reserve pages: the depots (with the form a regulator creates one with),
// a depot with its stock of each product and its partners' holdings (with the operation
// and share forms), and a stock card — one product in one depot between two dates, with
// opening and closing balance and every movement, from the ledger. Package reserve scopes
// what an enterprise user sees.

func (s *Server) reserveRoutes() {
	s.handle("GET /reserves", s.adapt(s.depotsPage))
	s.handle("POST /reserves", s.adapt(s.depotSubmit))
	s.handle("GET /reserves/{id}", s.adapt(s.depotPage))
	s.handle("POST /reserves/{id}/operations", s.adapt(s.reserveOpSubmit))
	s.handle("POST /reserves/{id}/shares", s.adapt(s.sharesSubmit))
	s.handle("GET /reserves/{id}/stock", s.adapt(s.stockCardPage))
}

func (s *Server) reserveSvc() *reserve.Service { return reserve.New(s.db, s.now) }

var depotKindKeys = map[string]string{reserve.InGround: "reserve.kind.in_ground", reserve.Physical: "reserve.kind.physical"}

var opKindKeys = map[string]string{reserve.Purchase: "reserve.op.purchase", reserve.Rotation: "reserve.op.rotation",
	reserve.Release: "reserve.op.release", reserve.InGroundReserve: "reserve.op.in_ground_reserve",
	reserve.InGroundRelease: "reserve.op.in_ground_release"}

var depotTable = TableSpec[reserve.DepotRow]{
	Export: "reserve.depots.title",
	Columns: []Column{{Label: "reserve.col.code"}, {Label: "reserve.col.name"}, {Label: "reserve.col.kind"}, {Label: "reserve.col.region"},
		{Label: "reserve.col.operator"}, {Label: "reserve.col.deposit"}, {Label: "reserve.col.products", Num: true},
		{Label: "reserve.col.partners", Num: true}, {Label: "common.source"}},
}

type depotsView struct {
	Page
	Table     TableView
	CanManage bool
	Form      map[string]string
	Errors    map[string]string
}

func (s *Server) depotsPage(w http.ResponseWriter, r *http.Request) error {
	return s.depotsRender(w, r, http.StatusOK, nil, nil)
}

func (s *Server) depotsRender(w http.ResponseWriter, r *http.Request, status int, form, errs map[string]string) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	ds, err := s.reserveSvc().Depots(r.Context(), p)
	if err != nil {
		return err
	}
	spec := depotTable
	spec.Row = func(d reserve.DepotRow) []Cell {
		return []Cell{{Value: d.Code, Text: d.Code, Href: "/reserves/" + strconv.FormatInt(d.ID, 10)}, TextCell(name(lang, d.NameZh, d.NameEn)),
			TextCell(s.cat.T(lang, depotKindKeys[d.Kind])), TextCell(d.RegionName), TextCell(d.OperatorName), TextCell(d.DepositCode),
			{Value: d.Products, Text: strconv.Itoa(d.Products), Num: true}, {Value: d.Partners, Text: strconv.Itoa(d.Partners), Num: true},
			TextCell(d.Source)}
	}
	tv, done, err := serveTable(s, w, r, spec, func(q store.ListQuery) (store.Page[reserve.DepotRow], error) { return pageOf(ds, q), nil })
	if err != nil || done {
		return err
	}
	tv.NoFilter, tv.TestID = true, "depots"
	s.render(w, r, status, "reserves_depots", depotsView{Page: s.page(w, r, "reserve.depots.title", Crumb{Label: "reserve.depots.title"}),
		Table: tv, CanManage: p.Can(auth.ManageReserves), Form: form, Errors: errs})
	return nil
}

// postedForm keeps what was typed, to show it again beside the errors.
func postedForm(r *http.Request) map[string]string {
	form := map[string]string{}
	for k := range r.PostForm {
		form[k] = r.PostFormValue(k)
	}
	return form
}

func (s *Server) depotSubmit(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	n := reserve.NewDepot{Code: r.PostFormValue("code"), NameZh: r.PostFormValue("name_zh"), NameEn: r.PostFormValue("name_en"),
		Kind: r.PostFormValue("kind"), RegionCode: r.PostFormValue("region_code"), OperatorID: formInt(r, "operator_id"),
		DepositCode: r.PostFormValue("deposit_code"), Source: r.PostFormValue("source"), Note: r.PostFormValue("note")}
	d, err := s.reserveSvc().CreateDepot(r.Context(), p, n)
	if err != nil {
		errs, status, err := s.formErrors(s.lang(r), err)
		if err != nil {
			return err
		}
		return s.depotsRender(w, r, status, postedForm(r), errs)
	}
	http.Redirect(w, r, "/reserves/"+strconv.FormatInt(d.ID, 10)+"?done=depot", http.StatusSeeOther)
	return nil
}

// subTable is a second table on a page: the table partial reads T and CSRF from Page.
type subTable struct {
	Page
	Table TableView
}

type depotView struct {
	Page
	D         reserve.Detail
	Kind      string
	Table     TableView // stock cards
	Holdings  subTable
	CanManage bool
	OpKinds   []option
	Products  []option
	Shares    string
	OwnPct    string
	Form      map[string]string
	Errors    map[string]string
	Flash     string
}

var stockTable = TableSpec[store.ReserveStock]{
	Export: "reserve.stock.title",
	Columns: []Column{{Label: "reserve.col.product"}, {Label: "reserve.col.unit"}, {Label: "reserve.col.received", Num: true},
		{Label: "reserve.col.issued", Num: true}, {Label: "reserve.col.balance", Num: true}, {Label: "quota.col.account"}},
}

var holdingTable = TableSpec[reserve.Holding]{
	Export: "reserve.holdings.title",
	Columns: []Column{{Label: "reserve.col.partner"}, {Label: "reserve.col.product"}, {Label: "reserve.col.share", Num: true},
		{Label: "reserve.col.holding", Num: true}},
}

func (s *Server) depotPage(w http.ResponseWriter, r *http.Request) error {
	return s.depotRender(w, r, http.StatusOK, nil, nil)
}

func (s *Server) depotRender(w http.ResponseWriter, r *http.Request, status int, form, errs map[string]string) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	id := pathInt(r, "id")
	d, err := s.reserveSvc().Depot(r.Context(), p, id)
	if err != nil {
		return err
	}
	base := "/reserves/" + strconv.FormatInt(id, 10)
	products := map[string]string{}
	hs := holdingTable
	hs.Row = func(h reserve.Holding) []Cell {
		return []Cell{TextCell(h.PartnerName), TextCell(products[h.Product]),
			{Value: float64(h.SharePPM) / 1e4, Text: resource.FormatPercent(h.SharePPM), Num: true}, tonnesCell(h.HoldingG)}
	}
	for _, st := range d.Stocks {
		products[st.Product] = name(lang, st.ProductName, st.ProductNameEn)
	}
	// ?table=holdings exports the holdings; any other export is the stock table.
	if r.URL.Query().Get("table") == "holdings" {
		if _, done, err := serveTable(s, w, r, hs, func(q store.ListQuery) (store.Page[reserve.Holding], error) { return pageOf(d.Holdings, q), nil }); err != nil || done {
			return err
		}
	}
	spec := stockTable
	spec.Row = func(st store.ReserveStock) []Cell {
		card := base + "/stock?product=" + url.QueryEscape(st.Product)
		return []Cell{{Value: st.Product, Text: products[st.Product], Href: card}, TextCell(st.ProductUnit), tonnesCell(st.CreditsPosted),
			tonnesCell(st.DebitsPosted), tonnesCell(st.Balance()), TextCell(st.AccountCode)}
	}
	tv, done, err := serveTable(s, w, r, spec, func(q store.ListQuery) (store.Page[store.ReserveStock], error) { return pageOf(d.Stocks, q), nil })
	if err != nil || done {
		return err
	}
	tv.NoFilter, tv.TestID = true, "stock"
	pg := s.page(w, r, "reserve.depot.title", Crumb{Label: "reserve.depots.title", Href: "/reserves"}, Crumb{Label: d.Depot.Code})
	pg.Title = name(lang, d.Depot.NameZh, d.Depot.NameEn)
	htv := buildTable(s, lang, r, hs.Columns, store.ListQuery{}, 1, len(d.Holdings)+1, len(d.Holdings))
	for _, h := range d.Holdings {
		htv.Rows = append(htv.Rows, hs.Row(h))
	}
	htv.NoFilter, htv.TestID = true, "holdings"
	htv.ExportXLSX, htv.ExportCSV = base+"?table=holdings&format=xlsx", base+"?table=holdings&format=csv"
	v := depotView{Page: pg, D: d, Kind: s.cat.T(lang, depotKindKeys[d.Depot.Kind]), Table: tv, Holdings: subTable{Page: pg, Table: htv},
		CanManage: p.Can(auth.ManageReserves), Form: form, Errors: errs, OwnPct: resource.FormatPercent(d.OwnPPM)}
	for _, k := range reserve.OpKinds {
		if (k == reserve.InGroundReserve || k == reserve.InGroundRelease) == (d.Depot.Kind == reserve.InGround) {
			v.OpKinds = append(v.OpKinds, option{Value: k, Label: s.cat.T(lang, opKindKeys[k]), Selected: form["kind"] == k})
		}
	}
	if v.CanManage {
		ps, err := s.db.ListProducts(r.Context(), store.ListQuery{})
		if err != nil {
			return err
		}
		for _, x := range ps.Rows {
			v.Products = append(v.Products, option{Value: x.Code, Label: name(lang, x.NameZh, x.NameEn) + " (" + x.Code + ")", Selected: form["product"] == x.Code})
		}
	}
	var lines []string
	for _, sh := range d.Shares {
		who := sh.RegionCode
		if who == "" {
			who = strconv.FormatInt(sh.EnterpriseID, 10)
		}
		lines = append(lines, who+", "+strings.TrimSuffix(resource.FormatPercent(sh.SharePPM), "%"))
	}
	v.Shares = strings.Join(lines, "\n")
	if x, ok := form["shares"]; ok {
		v.Shares = x
	}
	switch r.URL.Query().Get("done") {
	case "depot":
		v.Flash = s.cat.T(lang, "reserve.depot.created")
	case "op":
		v.Flash = s.cat.T(lang, "reserve.op.done")
	case "shares":
		v.Flash = s.cat.T(lang, "reserve.shares.done")
	}
	s.render(w, r, status, "reserves_depot", v)
	return nil
}

func (s *Server) reserveOpSubmit(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	id := pathInt(r, "id")
	n := reserve.NewOp{DepotID: id, Kind: r.PostFormValue("kind"), Product: r.PostFormValue("product"), EnterpriseID: formInt(r, "enterprise_id"),
		AmountT: r.PostFormValue("amount_t"), InT: r.PostFormValue("in_t"), Date: r.PostFormValue("date"), DocNo: r.PostFormValue("doc_no"),
		Reason: r.PostFormValue("reason")}
	if _, err := s.reserveSvc().Operate(r.Context(), p, n); err != nil {
		errs, status, err := s.formErrors(s.lang(r), err)
		if err != nil {
			return err
		}
		return s.depotRender(w, r, status, postedForm(r), errs)
	}
	http.Redirect(w, r, "/reserves/"+strconv.FormatInt(id, 10)+"?done=op", http.StatusSeeOther)
	return nil
}

// sharesSubmit reads one partner a line: "region code or enterprise id, percent".
func (s *Server) sharesSubmit(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	id := pathInt(r, "id")
	var in []reserve.ShareIn
	for _, line := range strings.Split(r.PostFormValue("shares"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		who, pct, _ := strings.Cut(strings.ReplaceAll(line, "，", ","), ",")
		who, pct = strings.TrimSpace(who), strings.TrimSpace(pct)
		x := reserve.ShareIn{Percent: pct}
		// Region codes have six digits; enterprise ids are shorter.
		if len(who) == 6 {
			x.RegionCode = who
		} else if n, err := strconv.ParseInt(who, 10, 64); err == nil {
			x.EnterpriseID = n
		} else {
			x.RegionCode = who
		}
		in = append(in, x)
	}
	if err := s.reserveSvc().SetShares(r.Context(), p, id, in); err != nil {
		errs, status, err := s.formErrors(s.lang(r), err)
		if err != nil {
			return err
		}
		return s.depotRender(w, r, status, postedForm(r), errs)
	}
	http.Redirect(w, r, "/reserves/"+strconv.FormatInt(id, 10)+"?done=shares", http.StatusSeeOther)
	return nil
}

type stockCardView struct {
	Page
	Depot   store.ReserveDepot
	Product string
	From    string
	To      string
	Unit    string
	Errors  map[string]string
	Opening string
	Closing string
	AsOf    string
	Table   TableView
}

// cardLine is a statement line with the operation it belongs to.
type cardLine struct {
	ledger.Line
	Op *store.ReserveOp
}

var cardTable = TableSpec[cardLine]{
	Export: "reserve.card.title",
	Columns: []Column{{Label: "quota.ledger.col.time"}, {Label: "reserve.col.op"}, {Label: "reserve.col.counterparty"},
		{Label: "reserve.col.in", Num: true}, {Label: "reserve.col.out", Num: true}, {Label: "reserve.col.balance_after", Num: true},
		{Label: "reserve.col.date"}, {Label: "reserve.col.doc_no"}, {Label: "reserve.col.reason"}},
}

func (s *Server) stockCardPage(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	id := pathInt(r, "id")
	product := r.URL.Query().Get("product")
	svc := s.reserveSvc()
	d, err := svc.Depot(r.Context(), p, id)
	if err != nil {
		return err
	}
	base := "/reserves/" + strconv.FormatInt(id, 10)
	v := stockCardView{Page: s.page(w, r, "reserve.card.title", Crumb{Label: "reserve.depots.title", Href: "/reserves"},
		Crumb{Label: d.Depot.Code, Href: base}, Crumb{Label: "reserve.card.title"}), Depot: d.Depot, Product: product}
	from, to, fromS, toS, rerr := s.statementRange(r)
	v.From, v.To = fromS, toS
	if rerr != nil {
		errs, status, err := s.formErrors(lang, rerr)
		if err != nil {
			return err
		}
		v.Errors = errs
		s.render(w, r, status, "reserves_stock", v)
		return nil
	}
	card, err := svc.StockCard(r.Context(), p, id, product, from, to)
	if err != nil {
		return err
	}
	v.Product, v.Unit = name(lang, card.Stock.ProductName, card.Stock.ProductNameEn), card.Stock.ProductUnit
	byID := map[string]*store.ReserveOp{}
	for i := range card.Ops {
		for _, t := range strings.Split(card.Ops[i].TransferIDs, ",") {
			byID[t] = &card.Ops[i]
		}
	}
	var lines []cardLine
	for _, l := range card.Statement.Lines {
		lines = append(lines, cardLine{Line: l, Op: byID[l.ID.String()]})
	}
	spec := cardTable
	spec.Row = func(l cardLine) []Cell {
		in, out := Cell{Value: "", Text: ""}, Cell{Value: "", Text: ""}
		if l.Side == "credit" {
			in = tonnesCell(l.Amount)
		} else {
			out = tonnesCell(l.Amount)
		}
		code := ledger.Codes[l.Code]
		opName, date, doc, why, who := name(lang, code.Zh, code.En), "", l.Ref, "", l.Counterparty
		if l.Op != nil {
			opName, date, doc, why = s.cat.T(lang, opKindKeys[l.Op.Kind]), l.Op.OpDate, l.Op.DocNo, l.Op.Reason
			if l.Op.EnterpriseName != "" {
				who = l.Op.EnterpriseName
			}
		}
		return []Cell{TextCell(l.Timestamp.In(ledger.ChinaTime).Format("2006-01-02 15:04:05")), TextCell(opName), TextCell(who), in, out,
			tonnesCell(l.CreditsPosted - l.DebitsPosted), TextCell(date), TextCell(doc), TextCell(why)}
	}
	tv, done, err := serveTable(s, w, r, spec, func(q store.ListQuery) (store.Page[cardLine], error) { return pageOf(lines, q), nil })
	if err != nil || done {
		return err
	}
	tv.NoFilter, tv.TestID = true, "card"
	v.Table = tv
	v.Opening = ledger.FormatTonnes(card.Statement.Opening.CreditsPosted - card.Statement.Opening.DebitsPosted)
	v.Closing = ledger.FormatTonnes(card.Statement.Closing.CreditsPosted - card.Statement.Closing.DebitsPosted)
	if !card.Statement.Closing.AsOf.IsZero() {
		v.AsOf = card.Statement.Closing.AsOf.In(ledger.ChinaTime).Format("2006-01-02 15:04:05")
	}
	s.render(w, r, http.StatusOK, "reserves_stock", v)
	return nil
}
