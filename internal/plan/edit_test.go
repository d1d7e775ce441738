package plan_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/dataset"
	"zhanxin/internal/i18n"
	"zhanxin/internal/plan"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

// planState is every stage and target of the default plan and the size of the audit log,
// so that "writes nothing" is checked on all of it.
func planState(t *testing.T, db *store.DB) string {
	t.Helper()
	stages, err := db.PlanStages(ctx, "gz-sei-2020")
	if err != nil {
		t.Fatal(err)
	}
	targets, err := db.AllPlanTargets(ctx, "gz-sei-2020")
	if err != nil {
		t.Fatal(err)
	}
	a, err := db.ListAudit(ctx, store.AuditFilter{}, store.ListQuery{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%+v\n%+v\naudit=%d", stages, targets, a.Total)
}

func goodTarget(changes ...string) plan.TargetInput {
	in := plan.TargetInput{Code: "t2020-nev-out", StageCode: "s2020", NameZh: "新能源汽车整车产量", Indicator: "OUT_NEV", Region: "360700",
		Industry: "NEV", Comparison: ">=", TargetValue: "300000", TargetYear: "2020", BaselineIndicator: "OUT_NEV", BaselinePeriod: "2017",
		Source: "article"}
	for i := 0; i+1 < len(changes); i += 2 {
		v := changes[i+1]
		switch changes[i] {
		case "code":
			in.Code = v
		case "stage":
			in.StageCode = v
		case "name_zh":
			in.NameZh = v
		case "indicator":
			in.Indicator = v
		case "region":
			in.Region = v
		case "industry":
			in.Industry = v
		case "comparison":
			in.Comparison = v
		case "target_value":
			in.TargetValue = v
		case "target_unit":
			in.TargetUnit = v
		case "target_year":
			in.TargetYear = v
		case "baseline_indicator":
			in.BaselineIndicator = v
		case "baseline_period":
			in.BaselinePeriod = v
		case "other_basis_indicator":
			in.OtherBasisIndicator = v
		case "source":
			in.Source = v
		default:
			panic(changes[i])
		}
	}
	return in
}

// TestPlanEditingRefusesBadInputAndWritesNothing: every rule of a stage and a target is
// refused at its field with a message in Chinese and English naming what is wrong, and
// nothing (stages, targets, audit log) changes; roles without plans.manage are refused.
func TestPlanEditingRefusesBadInputAndWritesNothing(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if _, err := dataset.Load(ctx, db, auth.CLI("t"), time.Now(), dataset.Default()); err != nil {
			t.Fatal(err)
		}
		svc := &plan.Service{DB: db, Now: time.Now}
		before := planState(t, db)
		check := func(name string, err error, kind apperr.Kind, code, field, names string) {
			t.Helper()
			e := apperr.From(err)
			if e.Kind != kind || e.Code != code {
				t.Errorf("%s: %v (%v/%s), want %v/%s", name, err, e.Kind, e.Code, kind, code)
				return
			}
			key, args := e.Key, e.Args
			if field != "" {
				found := false
				for _, f := range e.Fields {
					if f.Name == field {
						found, key, args = true, f.Key, f.Args
					}
				}
				if !found {
					t.Errorf("%s: no problem at %s: %+v", name, field, e.Fields)
					return
				}
			}
			zh, en := cat.T(i18n.Zh, key, args...), cat.T(i18n.En, key, args...)
			for _, m := range []string{zh, en} {
				if strings.HasPrefix(m, "[") || strings.Contains(m, "%!") || !strings.Contains(m, names) {
					t.Errorf("%s: message %q does not name %q", name, m, names)
				}
			}
			if zh == en {
				t.Errorf("%s: one message for both languages: %q", name, zh)
			}
			if after := planState(t, db); after != before {
				t.Fatalf("%s wrote something", name)
			}
		}
		for _, c := range []struct {
			name        string
			in          plan.TargetInput
			code, field string
			names       string
		}{
			{"target year after the stage", goodTarget("target_year", "2021"), "year_outside_stage", "target_year", "2021"},
			{"target year in the previous stage", goodTarget("target_year", "2017"), "year_outside_stage", "target_year", "2018"},
			{"target year not a year", goodTarget("target_year", "二〇二〇"), "bad_year", "target_year", "二〇二〇"},
			{"unknown indicator", goodTarget("indicator", "OUT_UFO"), "unknown_indicator", "indicator", "OUT_UFO"},
			{"unknown region", goodTarget("region", "369999"), "unknown_region", "region", "369999"},
			{"unknown industry", goodTarget("industry", "UFO"), "unknown_industry", "industry", "UFO"},
			{"unit that does not convert", goodTarget("target_unit", "亿元"), "wrong_unit", "target_unit", "亿元"},
			{"text as the target", goodTarget("target_value", "三十万"), "bad_value", "target_value", "三十万"},
			{"zero target", goodTarget("target_value", "0"), "target_not_positive", "target_value", "0"},
			{"share target above 100%", goodTarget("indicator", "VA_SHARE_GDP", "industry", "SEI", "target_value", "125",
				"baseline_indicator", "", "baseline_period", ""), "above_max", "target_value", "125"},
			{"baseline after the target", goodTarget("baseline_period", "2020"), "baseline_not_before", "baseline_period", "2020"},
			{"baseline not a year", goodTarget("baseline_period", "2017Q4"), "bad_year", "baseline_period", "2017Q4"},
			{"baseline period without an indicator", goodTarget("baseline_indicator", ""), "baseline_indicator_required", "baseline_indicator", ""},
			{"unknown baseline indicator", goodTarget("baseline_indicator", "UFO"), "unknown_indicator", "baseline_indicator", "UFO"},
			{"other basis is the same basis", goodTarget("other_basis_indicator", "OUT_NEV"), "same_basis", "other_basis_indicator", "OUT_NEV"},
			{"bad comparison", goodTarget("comparison", "=>"), "bad_comparison", "comparison", "=>"},
			{"unknown stage", goodTarget("stage", "s2099"), "unknown_stage", "stage", "s2099"},
			{"duplicate code", goodTarget("code", "t2020-va-gdp"), "duplicate_code", "code", "t2020-va-gdp"},
			{"malformed code", goodTarget("code", "目标 1"), "bad_code", "code", "目标 1"},
			{"no name", goodTarget("name_zh", " "), "name_required", "name_zh", ""},
			{"no source", goodTarget("source", ""), "source_required", "source", ""},
		} {
			_, err := svc.SaveTarget(ctx, planner, c.in, true)
			check(c.name, err, apperr.Invalid, c.code, c.field, c.names)
		}
		// Editing a target that does not exist, deleting one, a stage with targets.
		_, err := svc.SaveTarget(ctx, planner, goodTarget("code", "t-none"), false)
		check("edit a missing target", err, apperr.NotFound, "not_found", "", "")
		check("delete a missing target", svc.DeleteTarget(ctx, planner, "t-none"), apperr.NotFound, "not_found", "", "")
		check("delete a stage with targets", svc.DeleteStage(ctx, planner, "s2015"), apperr.Conflict, "stage_has_targets", "", "s2015")
		for _, c := range []struct {
			name   string
			in     plan.StageInput
			create bool
			code   string
			field  string
			names  string
		}{
			{"stage year after the plan", plan.StageInput{Code: "s2025", PlanCode: "gz-sei-2020", NameZh: "十三年", Year: "2025"}, true, "year_outside_plan", "year", "2025"},
			{"stage year at the base year", plan.StageInput{Code: "s2012", PlanCode: "gz-sei-2020", NameZh: "起点", Year: "2012"}, true, "year_outside_plan", "year", "2012"},
			{"stage year of another stage", plan.StageInput{Code: "s2017b", PlanCode: "gz-sei-2020", NameZh: "x", Year: "2017"}, true, "year_taken", "year", "s2017"},
			{"unknown plan", plan.StageInput{Code: "s2019", PlanCode: "gz-none", NameZh: "x", Year: "2019"}, true, "unknown_plan", "plan", "gz-none"},
			{"duplicate stage", plan.StageInput{Code: "s2017", PlanCode: "gz-sei-2020", NameZh: "x", Year: "2017"}, true, "duplicate_code", "code", "s2017"},
			// Moving 五年上台阶 to 2016 would leave its 2017 targets outside it.
			{"stage moved away from its targets", plan.StageInput{Code: "s2017", NameZh: "五年上台阶", Year: "2016"}, false, "targets_outside_stage", "year", "2017"},
		} {
			_, err := svc.SaveStage(ctx, planner, c.in, c.create)
			check(c.name, err, apperr.Invalid, c.code, c.field, c.names)
		}
		// Roles without plans.manage.
		for _, p := range []*auth.Principal{viewer, {ID: 7, Username: "county", Role: auth.County, RegionCode: "360702"},
			{ID: 8, Username: "reg", Role: auth.Regulator}, {ID: 9, Username: "ent", Role: auth.Enterprise, EnterpriseID: 1}} {
			_, err := svc.SaveTarget(ctx, p, goodTarget(), true)
			check(string(p.Role)+" creates a target", err, apperr.Forbidden, "forbidden", "", "")
			check(string(p.Role)+" deletes a target", svc.DeleteTarget(ctx, p, "t2020-va-gdp"), apperr.Forbidden, "forbidden", "", "")
			_, err = svc.SaveStage(ctx, p, plan.StageInput{Code: "s2019", PlanCode: "gz-sei-2020", NameZh: "x", Year: "2019"}, true)
			check(string(p.Role)+" creates a stage", err, apperr.Forbidden, "forbidden", "", "")
			check(string(p.Role)+" deletes a stage", svc.DeleteStage(ctx, p, "s2020"), apperr.Forbidden, "forbidden", "", "")
			if _, _, _, err := svc.EditList(ctx, p, ""); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("%s opens the editing list: %v", p.Role, err)
			}
		}
	})
}

// TestPlanEditingCreatesChangesAndDeletesAudited: a stage and a target are created,
// changed and deleted; the plan's overview assesses the new target from the facts; every
// step is one audit record with the state before and after.
func TestPlanEditingCreatesChangesAndDeletesAudited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if _, err := dataset.Load(ctx, db, auth.CLI("t"), time.Now(), dataset.Default()); err != nil {
			t.Fatal(err)
		}
		svc := &plan.Service{DB: db, Now: time.Now}
		st, err := svc.SaveStage(ctx, planner, plan.StageInput{Code: "s2019", PlanCode: "gz-sei-2020", NameZh: "七年中期", NameEn: "Midway", Year: "2019"}, true)
		if err != nil || st.Year != 2019 {
			t.Fatalf("create stage: %+v %v", st, err)
		}
		// 2018–2019 belong to the new stage now; 2020 to 八年大跨越.
		if _, err := svc.SaveTarget(ctx, planner, goodTarget("stage", "s2020", "target_year", "2019"), true); apperr.From(err).Code != "year_outside_stage" {
			t.Fatalf("2019 in 八年大跨越 after the new stage: %v", err)
		}
		tg, err := svc.SaveTarget(ctx, planner, goodTarget("stage", "s2019", "target_year", "2019"), true)
		if err != nil || tg.Target != 300000*1_000_000 || tg.TargetEntered != ">= 300000 辆" {
			t.Fatalf("create target: %+v %v", tg, err)
		}
		o, err := svc.Overview(ctx, planner, "")
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, v := range o.Targets() {
			if v.Code == "t2020-nev-out" {
				found = v.Stage.Code == "s2019" && v.Ind.Code == "OUT_NEV" && v.Progress.Status == plan.NoData
			}
		}
		if !found || len(o.Stages) != 4 {
			t.Fatalf("overview after create: %d stages, target found %v", len(o.Stages), found)
		}
		tg, err = svc.SaveTarget(ctx, planner, goodTarget("stage", "s2019", "target_year", "2019", "comparison", ">", "target_value", "25"), false)
		if err != nil || tg.Comparison != ">" || tg.Target != 25_000_000 {
			t.Fatalf("change target: %+v %v", tg, err)
		}
		if err := svc.DeleteStage(ctx, planner, "s2019"); apperr.From(err).Code != "stage_has_targets" {
			t.Fatalf("delete a stage with a target: %v", err)
		}
		if err := svc.DeleteTarget(ctx, planner, "t2020-nev-out"); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SaveStage(ctx, planner, plan.StageInput{Code: "s2019", NameZh: "七年中期", NameEn: "Midway", Year: "2018"}, false); err != nil {
			t.Fatal(err)
		}
		if err := svc.DeleteStage(ctx, planner, "s2019"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.PlanStageByCode(ctx, "s2019"); !errorsIsNotFound(err) {
			t.Fatalf("stage still there: %v", err)
		}
		a, err := db.ListAudit(ctx, store.AuditFilter{}, store.ListQuery{}) // newest first
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for i := len(a.Rows) - 1; i >= 0; i-- {
			r := a.Rows[i]
			if strings.HasPrefix(r.Action, "plan.") {
				got = append(got, r.Action+" "+r.EntityID+" "+r.Actor)
			}
		}
		want := "[plan.stage.create s2019 planner plan.target.create t2020-nev-out planner plan.target.update t2020-nev-out planner " +
			"plan.target.delete t2020-nev-out planner plan.stage.update s2019 planner plan.stage.delete s2019 planner]"
		if fmt.Sprint(got) != want {
			t.Fatalf("audit %v\nwant %s", got, want)
		}
		for _, r := range a.Rows {
			if r.Action == "plan.target.update" && (!strings.Contains(r.Before, "300000000000") || !strings.Contains(r.After, "25000000")) {
				t.Errorf("update audit lacks before/after: %s → %s", r.Before, r.After)
			}
		}
	})
}

func errorsIsNotFound(err error) bool { return err == store.ErrNotFound }
