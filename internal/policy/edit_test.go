package policy_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/dataset"
	"zhanxin/internal/policy"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

// polState is everything an edit could touch: the documents and instruments as stored,
// and the audit log's size.
func polState(t *testing.T, db *store.DB) string {
	t.Helper()
	ctx := context.Background()
	d, err := db.PolicyDocuments(ctx)
	if err != nil {
		t.Fatal(err)
	}
	i, err := db.PolicyInstruments(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a, err := db.ListAudit(ctx, store.AuditFilter{}, store.ListQuery{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal([]any{d, i, a.Total}) // rates are pointers: compare what they point at
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestPolicyEditingRefusesBadInputAndWritesNothing: every bad document and instrument is
// refused naming its field(s) — and nothing is written, audit included; roles other than
// admin and planner are refused; a code in use, an edit of a missing code, a retirement
// without reason or a second retirement are refused too.
func TestPolicyEditingRefusesBadInputAndWritesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := dataset.Load(ctx, db, auth.CLI("test"), time.Now(), dataset.Default()); err != nil {
			t.Fatal(err)
		}
		s := &policy.Service{DB: db, Now: time.Now}
		before := polState(t, db)
		good := policy.InstrumentInput{Code: "inst:x", DocumentCode: "miit_2013_69", NameZh: "测试", Kind: "subsidy", Source: "t"}
		for name, c := range map[string]struct {
			doc    *policy.DocumentInput
			inst   *policy.InstrumentInput
			create bool
			fields []string
			kind   apperr.Kind
		}{
			"doc: bad code, no title, no source":  {doc: &policy.DocumentInput{Code: "Bad Code"}, create: true, fields: []string{"code", "title_zh", "source"}},
			"doc: negative areas, bad sort order": {doc: &policy.DocumentInput{Code: "d:x", TitleZh: "x", Source: "t", Areas: "-1", SortOrder: "一"}, create: true, fields: []string{"sort_order", "areas"}},
			"doc: code in use":                    {doc: &policy.DocumentInput{Code: "miit_2013_69", TitleZh: "x", Source: "t"}, create: true, fields: []string{"code"}, kind: apperr.Conflict},
			"doc: edit of a missing code":         {doc: &policy.DocumentInput{Code: "d:none", TitleZh: "x", Source: "t"}, kind: apperr.NotFound},
			"inst: unknown kind and document":     {inst: &policy.InstrumentInput{Code: "i:x", DocumentCode: "d:none", NameZh: "x", Kind: "gift", Source: "t"}, create: true, fields: []string{"kind", "document_code"}},
			"inst: one rate only":                 {inst: func() *policy.InstrumentInput { x := good; x.StandardRate = "25"; return &x }(), create: true, fields: []string{"reduced_rate"}},
			"inst: rate over 100":                 {inst: func() *policy.InstrumentInput { x := good; x.StandardRate, x.ReducedRate = "125", "15"; return &x }(), create: true, fields: []string{"standard_rate"}},
			"inst: reduced above standard":        {inst: func() *policy.InstrumentInput { x := good; x.StandardRate, x.ReducedRate = "15", "25"; return &x }(), create: true, fields: []string{"reduced_rate"}},
			"inst: unknown class and indicator": {inst: func() *policy.InstrumentInput {
				x := good
				x.EligibilityClass, x.BaseIndicator = "nope", "NOPE"
				return &x
			}(), create: true, fields: []string{"eligibility_class", "base_indicator"}},
			"inst: code in use": {inst: func() *policy.InstrumentInput { x := good; x.Code = "cit_15"; return &x }(), create: true, fields: []string{"code"}, kind: apperr.Conflict},
		} {
			var err error
			if c.doc != nil {
				_, err = s.SaveDocument(ctx, planner, *c.doc, c.create)
			} else {
				_, err = s.SaveInstrument(ctx, planner, *c.inst, c.create)
			}
			e := apperr.From(err)
			want := c.kind
			if want == 0 {
				want = apperr.Invalid
			}
			if e == nil || e.Kind != want {
				t.Errorf("%s: %v, want kind %v", name, err, want)
				continue
			}
			got := map[string]bool{}
			for _, f := range e.Fields {
				got[f.Name] = true
			}
			for _, f := range c.fields {
				if !got[f] {
					t.Errorf("%s: fields %+v lack %s", name, e.Fields, f)
				}
			}
		}
		for _, role := range []auth.Role{auth.Regulator, auth.County, auth.Enterprise, auth.Viewer} {
			p := &auth.Principal{ID: 9, Username: "x", Role: role, RegionCode: "360702", EnterpriseID: 1}
			if _, err := s.SaveDocument(ctx, p, policy.DocumentInput{Code: "d:x", TitleZh: "x", Source: "t"}, true); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("%s creates a document: %v", role, err)
			}
			if err := s.RetireInstrument(ctx, p, "cit_15", "x"); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("%s retires an instrument: %v", role, err)
			}
		}
		if err := s.RetireDocument(ctx, planner, "miit_2013_69", " "); apperr.From(err).Fields[0].Name != "retired_note" {
			t.Errorf("retire without reason: %v", err)
		}
		if after := polState(t, db); after != before {
			t.Fatalf("refusals wrote:\n%s\n%s", before, after)
		}
	})
}

// TestPolicyEditingAndRetirement: a planner adds a document and an instrument, edits the
// instrument's rates, and retires the document; its instrument is retired with it, each
// step audited, and the retired instrument no longer appears among an enterprise's
// benefits, while the record stays readable.
func TestPolicyEditingAndRetirement(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := dataset.Load(ctx, db, auth.CLI("test"), time.Now(), dataset.Default()); err != nil {
			t.Fatal(err)
		}
		day := time.Date(2015, 3, 2, 9, 0, 0, 0, time.UTC)
		s := &policy.Service{DB: db, Now: func() time.Time { return day }}
		if _, err := s.SaveDocument(ctx, planner, policy.DocumentInput{Code: "d:test", TitleZh: "测试文件", Areas: "2", Source: "t"}, true); err != nil {
			t.Fatal(err)
		}
		in := policy.InstrumentInput{Code: "i:test", DocumentCode: "d:test", NameZh: "测试补贴", Kind: "tax_rate", StandardRate: "25", ReducedRate: "15",
			BaseIndicator: "PROFIT", Source: "t"}
		if _, err := s.SaveInstrument(ctx, planner, in, true); err != nil {
			t.Fatal(err)
		}
		in.ReducedRate = "12.5"
		if _, err := s.SaveInstrument(ctx, planner, in, false); err != nil {
			t.Fatal(err)
		}
		ents, _ := db.AllEnterprises(ctx, store.EnterpriseScope{All: true})
		benefits := func() map[string]bool {
			_, bs, err := s.ForEnterprise(ctx, planner, ents[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]bool{}
			for _, b := range bs {
				out[b.Instrument.Code] = true
			}
			return out
		}
		if !benefits()["i:test"] {
			t.Fatal("the new instrument is not judged for an enterprise")
		}
		if err := s.RetireDocument(ctx, planner, "d:test", "被新文件替代"); err != nil {
			t.Fatal(err)
		}
		cat, err := s.Documents(ctx, planner)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range cat.Documents {
			if d.Code == "d:test" && (d.Retired != "2015-03-02" || d.RetiredNote != "被新文件替代") {
				t.Errorf("retired document %+v", d)
			}
		}
		for _, i := range cat.Instruments {
			if i.Code == "i:test" && (i.Retired != "2015-03-02" || *i.ReducedRate != 12_500_000) {
				t.Errorf("instrument after the document's retirement %+v", i)
			}
			if i.Code == "cit_15" && i.Retired != "" {
				t.Errorf("another document's instrument was retired: %+v", i)
			}
		}
		if b := benefits(); b["i:test"] || !b["cit_15"] {
			t.Errorf("benefits after retirement: %v", b)
		}
		if err := s.RetireInstrument(ctx, planner, "i:test", "again"); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("retiring twice: %v", err)
		}
		if _, err := s.SaveInstrument(ctx, planner, policy.InstrumentInput{Code: "i:late", DocumentCode: "d:test", NameZh: "x", Kind: "other", Source: "t"}, true); apperr.From(err).Fields[0].Key != "pol.err.document_retired" {
			t.Errorf("new instrument on a retired document: %v", err)
		}
		a, _ := db.ListAudit(ctx, store.AuditFilter{}, store.ListQuery{})
		var actions []string
		for i := len(a.Rows) - 1; i >= 0; i-- {
			if strings.HasPrefix(a.Rows[i].Action, "policy_") {
				actions = append(actions, a.Rows[i].Action+" "+a.Rows[i].EntityID)
			}
		}
		want := "[policy_document.create d:test policy_instrument.create i:test policy_instrument.update i:test policy_instrument.retire i:test policy_document.retire d:test]"
		if fmt.Sprint(actions) != want {
			t.Errorf("audit %v\nwant  %s", actions, want)
		}
	})
}
