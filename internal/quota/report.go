package quota

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/audit"
	"zhanxin/internal/auth"
	"zhanxin/internal/ledger"
	"zhanxin/internal/store"
)

// Reporting rhythm (REFERENCE.md §1): rare earth mines report monthly, tungsten mines
// quarterly, each by the 10th of the month after the period.
const dueDay = 10

type period struct {
	year      int
	month     int // monthly: 1–12; quarterly: the quarter's last month
	quarterly bool
}

// parsePeriod reads the period form a commodity reports in: "2024-03" for rare earths,
// "2024Q1" for tungsten.
func parsePeriod(c ledger.Commodity, s string) (period, error) {
	switch c {
	case ledger.REO, ledger.REOIonic, ledger.REORock:
		t, err := time.Parse("2006-01", s)
		if err != nil || t.Format("2006-01") != s {
			return period{}, invalid("bad_period", "period", "quota.err.period_monthly", s)
		}
		return period{year: t.Year(), month: int(t.Month())}, nil
	case ledger.WO3:
		y, q, ok := strings.Cut(s, "Q")
		yi, err1 := strconv.Atoi(y)
		qi, err2 := strconv.Atoi(q)
		if !ok || err1 != nil || err2 != nil || len(y) != 4 || qi < 1 || qi > 4 || len(q) != 1 {
			return period{}, invalid("bad_period", "period", "quota.err.period_quarterly", s)
		}
		return period{year: yi, month: qi * 3, quarterly: true}, nil
	}
	return period{}, invalid("no_reporting_rule", "commodity", "quota.err.no_reporting_rule", string(c))
}

// due is the last day a period's report is on time: the 10th of the following month.
func (p period) due() string {
	return time.Date(p.year, time.Month(p.month)+1, dueDay, 0, 0, 0, 0, time.UTC).Format("2006-01-02")
}

// NewReport is a production report as an enterprise user enters it: the quantity
// produced in the period, in tonnes of the commodity's base unit.
type NewReport struct {
	EnterpriseID int64  `json:"enterprise_id"`
	Commodity    string `json:"commodity"`
	Period       string `json:"period"`
	AmountT      string `json:"amount_t"`
	Note         string `json:"note"`
}

// Report records a production report and consumes its quantity from the enterprise's
// mining quota by a ledger transfer to the ledger's "consumed" sink, in one transaction.
// More than the remaining quota is refused with the balance in the message — unless the
// regulator allows over-quota reports on this ledger, in which case the remaining quota
// is consumed and the excess is recorded as a violation (which cuts next year's grant).
// A report after the 10th of the following month is recorded and flagged late.
func (s *Service) Report(ctx context.Context, p *auth.Principal, n NewReport) (store.QuotaReport, error) {
	if err := auth.Require(p, auth.ReportProduction); err != nil {
		return store.QuotaReport{}, err
	}
	if p.Role == auth.Enterprise && n.EnterpriseID != p.EnterpriseID {
		return store.QuotaReport{}, apperr.New(apperr.Forbidden, "other_enterprise", "quota.err.other_enterprise").
			With("enterprise_id", "quota.err.other_enterprise")
	}
	e := apperr.New(apperr.Invalid, "bad_report", "quota.err.report")
	c := ledger.Commodity(n.Commodity)
	pr, perr := parsePeriod(c, n.Period)
	var ae *apperr.Error
	if errors.As(perr, &ae) {
		e.Fields = append(e.Fields, ae.Fields...)
	}
	amount, f := ledger.ParseTonnes(n.AmountT)
	if f != nil || amount <= 0 {
		e.With("amount_t", "quota.err.amount", n.AmountT)
	}
	if n.EnterpriseID <= 0 {
		e.With("enterprise_id", "quota.err.enterprise_required")
	}
	if len(e.Fields) > 0 {
		return store.QuotaReport{}, e
	}
	now := s.Now()
	var out store.QuotaReport
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.EnterpriseByID(ctx, n.EnterpriseID); errors.Is(err, store.ErrNotFound) {
			return invalid("unknown_enterprise", "enterprise_id", "quota.err.unknown_enterprise", n.EnterpriseID)
		} else if err != nil {
			return err
		}
		l, err := tx.LedgerByKey(ctx, n.Commodity, string(ledger.Mining), pr.year)
		if errors.Is(err, store.ErrNotFound) {
			return invalid("no_quota_ledger", "period", "quota.err.no_quota_ledger", n.Commodity, pr.year)
		} else if err != nil {
			return err
		}
		key := ledger.Ledger{Commodity: c, Kind: ledger.Mining, Year: pr.year}.Key()
		if closed, err := tx.PeriodClosed(ctx, l.ID, n.Period); err != nil {
			return err
		} else if closed {
			return invalid("period_closed", "period", "quota.err.period_closed", n.Period, key)
		}
		acct, err := tx.EnterpriseLedgerAccount(ctx, l.ID, n.EnterpriseID)
		if errors.Is(err, store.ErrNotFound) {
			return invalid("no_quota_account", "enterprise_id", "quota.err.no_quota_account", key)
		} else if err != nil {
			return err
		}
		sink, err := tx.SinkAccount(ctx, l.ID, ledger.Consumed)
		if errors.Is(err, store.ErrNotFound) {
			return invalid("no_consumed_sink", "commodity", "quota.err.no_consumed_sink", key)
		} else if err != nil {
			return err
		}
		allowOver, err := tx.ReportRule(ctx, l.ID)
		if err != nil {
			return err
		}
		avail := acct.CreditsPosted - acct.DebitsPosted - acct.DebitsPending
		r := store.QuotaReport{EnterpriseID: n.EnterpriseID, LedgerID: l.ID, Account: acct.Code, Period: n.Period, AmountG: amount,
			ConsumedG: amount, Late: now.In(ledger.ChinaTime).Format("2006-01-02") > pr.due(), DueOn: pr.due(), Note: strings.TrimSpace(n.Note),
			CreatedBy: p.Username, CreatedAt: now}
		if amount > avail {
			if !allowOver {
				return invalid("exceeds_quota", "amount_t", "quota.err.exceeds_quota", ledger.FormatTonnes(amount), acct.Code,
					ledger.FormatTonnes(max(avail, 0)))
			}
			r.ConsumedG, r.OverG = max(avail, 0), amount-max(avail, 0)
		}
		if r.ConsumedG > 0 {
			id := ledger.NewID(now)
			if _, err := s.Ledger.CreateTransfersTx(ctx, tx, p, []ledger.Transfer{{ID: id, DebitAccount: acct.Code,
				CreditAccount: sink.Code, Amount: r.ConsumedG, Code: ledger.CodeConsume,
				Ref: "生产报告 / production report " + n.Period}}); err != nil {
				return err
			}
			r.TransferID = id.String()
		}
		rid, err := tx.InsertQuotaReport(ctx, r)
		if store.IsUniqueViolation(err) {
			return apperr.New(apperr.Conflict, "report_exists", "quota.err.report_exists", n.Period).
				With("period", "quota.err.report_exists", n.Period)
		} else if err != nil {
			return err
		}
		r.ID = rid
		if err := audit.Record(ctx, tx, now, p, "quota.report", "quota_report", itoa(rid), nil, r); err != nil {
			return err
		}
		out = r
		return nil
	})
	if err != nil {
		return store.QuotaReport{}, err
	}
	return s.DB.QuotaReportByID(ctx, out.ID)
}

// Reports lists the reports p may see: an enterprise user its own only.
func (s *Service) Reports(ctx context.Context, p *auth.Principal, flagged bool, q store.ListQuery) (store.Page[store.QuotaReport], error) {
	if err := auth.Require(p, auth.ReadQuota); err != nil {
		return store.Page[store.QuotaReport]{}, err
	}
	f := store.ReportFilter{Flagged: flagged}
	if p.Role == auth.Enterprise {
		if p.EnterpriseID == 0 {
			return store.Page[store.QuotaReport]{}, nil
		}
		f.EnterpriseID = p.EnterpriseID
	}
	return s.DB.ListQuotaReports(ctx, f, q)
}

// ReportByID reads one report; another enterprise's is "not found" to an enterprise user,
// exactly like a missing one.
func (s *Service) ReportByID(ctx context.Context, p *auth.Principal, id int64) (store.QuotaReport, error) {
	if err := auth.Require(p, auth.ReadQuota); err != nil {
		return store.QuotaReport{}, err
	}
	r, err := s.DB.QuotaReportByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && p.Role == auth.Enterprise && r.EnterpriseID != p.EnterpriseID) {
		return store.QuotaReport{}, notFound("unknown_report", "quota.err.unknown_report", id)
	}
	return r, err
}

// Violation is an enterprise's over-quota production in one commodity and year.
type Violation struct {
	EnterpriseID   int64  `json:"enterprise_id"`
	EnterpriseName string `json:"enterprise_name"`
	Commodity      string `json:"commodity"`
	Year           int    `json:"year"`
	Reports        int    `json:"reports"`
	OverG          int64  `json:"over_g"`
	NextYear       int    `json:"next_year"`
	// CutNextYearG is the proposed cut of next year's grant: the excess itself, so that
	// over the two years the enterprise mines no more than it was granted. The regulator
	// decides; this is the figure it starts from.
	CutNextYearG int64 `json:"cut_next_year_g"`
}

// Violations lists the over-quota production of a year by enterprise and commodity: an
// enterprise user sees its own only.
func (s *Service) Violations(ctx context.Context, p *auth.Principal, year int) ([]Violation, error) {
	pg, err := s.Reports(ctx, p, true, store.ListQuery{Sort: "enterprise"})
	if err != nil {
		return nil, err
	}
	var out []Violation
	idx := map[string]int{}
	for _, r := range pg.Rows {
		c, _, y, err := ledger.ParseLedgerKey(r.LedgerKey)
		if err != nil || y != year || r.OverG == 0 {
			continue
		}
		k := itoa(r.EnterpriseID) + "/" + string(c)
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, Violation{EnterpriseID: r.EnterpriseID, EnterpriseName: r.EnterpriseName, Commodity: string(c),
				Year: y, NextYear: y + 1})
		}
		out[i].Reports++
		out[i].OverG += r.OverG
		out[i].CutNextYearG += r.OverG
	}
	return out, nil
}
