package cultivation_test

import (
	"context"
	"strings"
	"testing"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/cultivation"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

func TestSupportMeasuresAndBoundaries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ids := load(t, db)
		ctx := context.Background()
		s := svc(db) // today is 2026-11-25
		a, b := ids["虔东稀土"], ids["章源钨业"]
		enter(t, db, a, "360702", "RE-SMELT", "2013", "1", "") // puts 虔东稀土 in 章贡区
		mk := func(ent int64, due, status string) store.SupportMeasure {
			t.Helper()
			m, err := s.AddMeasure(ctx, planner, cultivation.NewMeasure{EnterpriseID: ent, Measure: "用地保障", Department: "市自然资源局",
				DueDate: due, Status: status})
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
		late := mk(a, "2026-06-30", "")
		mk(a, "2026-06-30", "done")
		mk(a, "2027-01-31", "in_progress")
		other := mk(b, "2025-12-31", "planned")
		if late.Status != "planned" || !cultivation.Overdue(late, s.Now()) {
			t.Errorf("late measure: %+v", late)
		}
		page, err := s.Measures(ctx, planner, cultivation.MeasureFilter{OverdueOnly: true}, store.ListQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != 2 || page.Rows[0].ID != other.ID || page.Rows[1].ID != late.ID {
			t.Errorf("overdue list: %+v", page.Rows)
		}
		if m, err := s.SetMeasureStatus(ctx, planner, late.ID, "done"); err != nil || m.Status != "done" || cultivation.Overdue(m, s.Now()) {
			t.Errorf("done: %+v %v", m, err)
		}

		// An enterprise user sees its own plan only; another enterprise's, asked for by id,
		// is "not found" exactly like an id that does not exist.
		ea := &auth.Principal{ID: 5, Username: "a", Role: auth.Enterprise, EnterpriseID: a}
		own, err := s.Measures(ctx, ea, cultivation.MeasureFilter{}, store.ListQuery{})
		if err != nil || own.Total != 3 {
			t.Fatalf("own measures: %d %v", own.Total, err)
		}
		for _, m := range own.Rows {
			if m.EnterpriseID != a {
				t.Errorf("enterprise user sees measure of %d", m.EnterpriseID)
			}
		}
		_, errOther := s.Measures(ctx, ea, cultivation.MeasureFilter{EnterpriseID: b}, store.ListQuery{})
		_, errNone := s.Measures(ctx, ea, cultivation.MeasureFilter{EnterpriseID: 987654}, store.ListQuery{})
		if !apperr.Is(errOther, apperr.NotFound) || apperr.From(errOther).Key != apperr.From(errNone).Key {
			t.Errorf("guessing another enterprise's plan: %v / %v", errOther, errNone)
		}
		if _, err := s.Evaluate(ctx, ea, b); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("guessing another enterprise's classification: %v", err)
		}
		if _, err := s.Evaluate(ctx, ea, a); err != nil {
			t.Errorf("own classification: %v", err)
		}
		_, reg, _, err := s.Register(ctx, ea, "leader", cultivation.RegisterFilter{}, store.ListQuery{})
		if err != nil || reg.Total != 1 || reg.Rows[0].Enterprise.ID != a {
			t.Errorf("enterprise user's register: %+v %v", reg, err)
		}
		if _, err := s.AddMeasure(ctx, ea, cultivation.NewMeasure{EnterpriseID: a, Measure: "x", Department: "y", DueDate: "2027-01-01"}); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("enterprise user adding a measure: %v", err)
		}
		if _, err := s.SetMeasureStatus(ctx, ea, other.ID, "done"); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("enterprise user changing a measure: %v", err)
		}
		// A county user sees its region's enterprises only (虔东稀土 is in 章贡区, 章源钨业 nowhere).
		cty := &auth.Principal{ID: 6, Username: "c", Role: auth.County, RegionCode: "360702"}
		cm, err := s.Measures(ctx, cty, cultivation.MeasureFilter{}, store.ListQuery{})
		if err != nil || cm.Total != 3 {
			t.Errorf("county measures: %d %v", cm.Total, err)
		}
		if _, err := s.Measures(ctx, &auth.Principal{Role: auth.Viewer}, cultivation.MeasureFilter{}, store.ListQuery{}); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("viewer reading plans: %v", err)
		}
	})
}

func TestBadMeasuresWriteNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ids := load(t, db)
		ctx := context.Background()
		s := svc(db)
		audits := auditCount(t, db)
		cases := []struct {
			in     cultivation.NewMeasure
			fields string
		}{
			{cultivation.NewMeasure{EnterpriseID: 987654, Measure: "m", Department: "d", DueDate: "2027-01-01"}, "enterprise_id"},
			{cultivation.NewMeasure{EnterpriseID: ids["虔东稀土"], DueDate: "2027-02-30", Status: "maybe"}, "measure,department,due_date,status"},
		}
		for _, c := range cases {
			_, err := s.AddMeasure(ctx, planner, c.in)
			e := apperr.From(err)
			var fields []string
			for _, f := range e.Fields {
				fields = append(fields, f.Name)
			}
			if e.Kind != apperr.Invalid || strings.Join(fields, ",") != c.fields {
				t.Errorf("%+v: %v fields %v, want %s", c.in, err, fields, c.fields)
			}
		}
		if err := s.AddToList(ctx, planner, "srdi", 987654, ""); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("unknown enterprise on a list: %v", err)
		}
		if _, err := s.SetMeasureStatus(ctx, planner, 987654, "done"); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("unknown measure: %v", err)
		}
		page, _ := s.Measures(ctx, planner, cultivation.MeasureFilter{}, store.ListQuery{})
		if page.Total != 0 || auditCount(t, db) != audits {
			t.Errorf("refused input wrote: %d measures, audit %d → %d", page.Total, audits, auditCount(t, db))
		}
		// The cultivation list: on, shown in the register, off again; each audited.
		if err := s.AddToList(ctx, planner, "srdi", ids["孚能科技"], "动力电池"); err != nil {
			t.Fatal(err)
		}
		_, reg, _, _ := s.Register(ctx, planner, "srdi", cultivation.RegisterFilter{OnList: true}, store.ListQuery{})
		if reg.Total != 1 || reg.Rows[0].Enterprise.NameZh != "孚能科技" || reg.Rows[0].Result.State != cultivation.NotQualify {
			t.Errorf("srdi list: %+v", reg)
		}
		if err := s.RemoveFromList(ctx, planner, "srdi", ids["孚能科技"]); err != nil {
			t.Fatal(err)
		}
		if err := s.RemoveFromList(ctx, planner, "srdi", ids["孚能科技"]); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("removing twice: %v", err)
		}
		if n := auditCount(t, db); n != audits+2 {
			t.Errorf("audit %d → %d, want two entries", audits, n)
		}
	})
}
