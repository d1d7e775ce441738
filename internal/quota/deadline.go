package quota

import (
	"context"
	"errors"
	"strconv"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/audit"
	"zhanxin/internal/auth"
	"zhanxin/internal/ledger"
	"zhanxin/internal/store"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// PassDownDays is the number of working days within which a province (and the city
// after it) must pass a batch of quota down (REFERENCE.md §1: "passed down by provinces
// within 20 working days").
const PassDownDays = 20

// Calendar says which days are working days: Monday to Friday, except the configured
// holidays, plus the configured weekend workdays (调休).
type Calendar map[string]string // day → "holiday" | "workday"

// Workday reports whether a day is a working day.
func (c Calendar) Workday(t time.Time) bool {
	switch c[t.Format("2006-01-02")] {
	case "holiday":
		return false
	case "workday":
		return true
	}
	return t.Weekday() != time.Saturday && t.Weekday() != time.Sunday
}

// AddWorkdays returns the day n working days after day (day itself not counted).
func (c Calendar) AddWorkdays(day string, n int) (string, error) {
	t, err := time.Parse("2006-01-02", day)
	if err != nil {
		return "", err
	}
	for n > 0 {
		t = t.AddDate(0, 0, 1)
		if c.Workday(t) {
			n--
		}
	}
	return t.Format("2006-01-02"), nil
}

// Calendar reads the configured exceptions.
func (s *Service) Calendar(ctx context.Context, p *auth.Principal) ([]store.CalendarDay, error) {
	if err := auth.Require(p, auth.ReadQuota); err != nil {
		return nil, err
	}
	return s.DB.CalendarDays(ctx)
}

func (s *Service) calendar(ctx context.Context) (Calendar, error) {
	days, err := s.DB.CalendarDays(ctx)
	c := Calendar{}
	for _, d := range days {
		c[d.Day] = d.Kind
	}
	return c, err
}

// SetCalendarDay sets a day as a holiday or a (weekend) workday.
func (s *Service) SetCalendarDay(ctx context.Context, p *auth.Principal, d store.CalendarDay) error {
	if err := auth.Require(p, auth.ManageQuota); err != nil {
		return err
	}
	e := apperr.New(apperr.Invalid, "bad_calendar_day", "quota.err.calendar")
	if !validDate(d.Day) {
		e.With("day", "quota.err.date", d.Day)
	}
	if d.Kind != "holiday" && d.Kind != "workday" {
		e.With("kind", "quota.err.calendar_kind", d.Kind)
	}
	if len(e.Fields) > 0 {
		return e
	}
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		if err := tx.UpsertCalendarDay(ctx, d); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.Now(), p, "quota.calendar.set", "work_calendar", d.Day, nil, d)
	})
}

// DeleteCalendarDay removes an exception: the day follows the Monday–Friday rule again.
func (s *Service) DeleteCalendarDay(ctx context.Context, p *auth.Principal, day string) error {
	if err := auth.Require(p, auth.ManageQuota); err != nil {
		return err
	}
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		ok, err := tx.DeleteCalendarDay(ctx, day)
		if err != nil {
			return err
		}
		if !ok {
			return notFound("unknown_calendar_day", "quota.err.unknown_calendar_day", day)
		}
		return audit.Record(ctx, tx, s.Now(), p, "quota.calendar.delete", "work_calendar", day, day, nil)
	})
}

// Deadline is the pass-down duty of one grant received by a province or city account.
type Deadline struct {
	Grant    store.QuotaGrant `json:"-"`
	GrantID  int64            `json:"grant_id"`
	Account  string           `json:"account"`
	Batch    string           `json:"batch"`
	Received string           `json:"received_on"`
	AmountG  int64            `json:"amount_g"`
	Due      string           `json:"due_on"`
	PassedG  int64            `json:"passed_g"`  // granted on from this account in this batch
	PassedOn string           `json:"passed_on"` // day the whole amount had been passed on ("" not yet)
	Status   string           `json:"status"`    // done, done_late, open, overdue
	WorkDays int              `json:"work_days"` // working days allowed
}

// Deadlines tracks, for every grant into a province or city account, whether it was
// passed on in full within PassDownDays working days. Within one account and batch,
// receipts are matched to the grants passed on first in, first out: a receipt is passed on
// in full on the day the batch's grants passed on first add up to all that was received
// up to and including it.
func (s *Service) Deadlines(ctx context.Context, p *auth.Principal) ([]Deadline, error) {
	if err := auth.Require(p, auth.ReadQuota); err != nil {
		return nil, err
	}
	if p.Role == auth.Enterprise {
		// the duty is the provinces' and the city's; an enterprise has no business with it
		return nil, apperr.Forbid()
	}
	cal, err := s.calendar(ctx)
	if err != nil {
		return nil, err
	}
	gs, err := s.DB.AllQuotaGrants(ctx) // in date order
	if err != nil {
		return nil, err
	}
	type key struct{ acct, batch string }
	passed := map[key][]store.QuotaGrant{}
	received := map[key]int64{}
	for _, g := range gs {
		k := key{g.FromAccount, g.Batch}
		passed[k] = append(passed[k], g)
	}
	today := s.Now().In(ledger.ChinaTime).Format("2006-01-02")
	var res []Deadline
	for _, g := range gs {
		if g.ToHolder != "province" && g.ToHolder != "city" {
			continue
		}
		k := key{g.ToAccount, g.Batch}
		received[k] += g.AmountG
		d := Deadline{Grant: g, GrantID: g.ID, Account: g.ToAccount, Batch: g.Batch, Received: g.GrantedOn, AmountG: g.AmountG,
			WorkDays: PassDownDays}
		var cum int64
		for _, x := range passed[k] {
			cum += x.AmountG
			if d.PassedOn == "" && cum >= received[k] {
				d.PassedOn = x.GrantedOn
			}
		}
		d.PassedG = cum
		if g.GrantedOn == "" {
			// a published grant whose source gives no date: no deadline can be computed
			d.Status = "no_date"
			res = append(res, d)
			continue
		}
		due, err := cal.AddWorkdays(g.GrantedOn, PassDownDays)
		if err != nil {
			return nil, err
		}
		d.Due = due
		switch {
		case d.PassedOn != "" && d.PassedOn <= due:
			d.Status = "done"
		case d.PassedOn != "":
			d.Status = "done_late"
		case today > due:
			d.Status = "overdue"
		default:
			d.Status = "open"
		}
		res = append(res, d)
	}
	return res, nil
}

// SetReportRule sets whether a ledger's over-quota reports are recorded as violations
// (the regulator allows it) rather than refused.
func (s *Service) SetReportRule(ctx context.Context, p *auth.Principal, ledgerKey string, allowOver bool) error {
	if err := auth.Require(p, auth.ManageQuota); err != nil {
		return err
	}
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		l, err := ledgerTx(ctx, tx, ledgerKey)
		if err != nil {
			return err
		}
		if err := tx.SetReportRule(ctx, l.ID, allowOver); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.Now(), p, "quota.rule.set", "ledger", ledgerKey, nil, map[string]bool{"allow_over": allowOver})
	})
}

// ClosePeriod closes a reporting period of a ledger: no report for it is accepted after.
func (s *Service) ClosePeriod(ctx context.Context, p *auth.Principal, ledgerKey, period string) error {
	if err := auth.Require(p, auth.ManageQuota); err != nil {
		return err
	}
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		l, err := ledgerTx(ctx, tx, ledgerKey)
		if err != nil {
			return err
		}
		pr, err := parsePeriod(ledger.Commodity(l.Commodity), period)
		if err != nil {
			return err
		}
		if pr.year != l.Year {
			return invalid("period_not_in_ledger_year", "period", "quota.err.period_year", period, l.Year)
		}
		if err := tx.ClosePeriod(ctx, l.ID, period, p.Username, s.Now()); store.IsUniqueViolation(err) {
			return apperr.New(apperr.Conflict, "period_already_closed", "quota.err.period_already_closed", period)
		} else if err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.Now(), p, "quota.period.close", "ledger", ledgerKey, nil, period)
	})
}

func ledgerTx(ctx context.Context, tx *store.Tx, key string) (store.Ledger, error) {
	c, k, y, err := ledger.ParseLedgerKey(key)
	if err != nil {
		return store.Ledger{}, err
	}
	l, err := tx.LedgerByKey(ctx, string(c), string(k), y)
	if errors.Is(err, store.ErrNotFound) {
		return l, invalid("unknown_ledger", "ledger", "quota.err.unknown_ledger", key)
	}
	return l, err
}
