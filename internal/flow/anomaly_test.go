package flow_test

import (
	"testing"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

// TestAnomalyWorkflowAndScope: a regulator assigns, comments and closes, each audited;
// an enterprise user lists only its own sites' anomalies, reads its own, gets the same
// 404 for another enterprise's id as for a missing one, and cannot act; bad input writes
// nothing.
func TestAnomalyWorkflowAndScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		// A: a transit loss at its separation plant; B: an export without licence.
		f.capture(t, "2024-04-05 09:00",
			ship(site(2), site(3), "L1", "2024-03-15 08:00", t3(oxide, "20", "TNE")),
			receive(site(3), "L1", "2024-03-16 08:00", t3(oxide, "10", "TNE")),
			receive(site(6), "", "2024-03-25 08:00", t3(metal, "1", "TNE")),
			ship(site(6), "https://id.gs1.org/414/4012345000009", "X1", "2024-03-26 08:00", t3(metal, "1", "TNE")))
		f.clk.Set("2024-04-06 09:00")
		if _, err := f.svc.Run(ctx, admin, site(2), "2024-03"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Run(ctx, admin, site(6), "2024-03"); err != nil {
			t.Fatal(err)
		}
		all, err := f.svc.Anomalies(ctx, admin, store.FlowAnomalyFilter{}, store.ListQuery{})
		// S2 shipped what it never received: its balance is off too.
		if err != nil || all.Total != 3 {
			t.Fatalf("anomalies %d %v", all.Total, err)
		}
		var ofA, ofB int64
		for _, a := range all.Rows {
			if a.Kind == "transit_loss" && a.EnterpriseID == f.a {
				ofA = a.ID
			} else if a.Kind == "export_unlicensed" && a.EnterpriseID == f.b {
				ofB = a.ID
			}
		}
		entA := &auth.Principal{ID: 50, Username: "ea", Role: auth.Enterprise, EnterpriseID: f.a}
		own, err := f.svc.Anomalies(ctx, entA, store.FlowAnomalyFilter{}, store.ListQuery{})
		if err != nil || own.Total != 2 || own.Rows[0].EnterpriseID != f.a || own.Rows[1].EnterpriseID != f.a {
			t.Fatalf("enterprise list %+v %v", own, err)
		}
		if d, err := f.svc.Anomaly(ctx, entA, ofA); err != nil || len(d.EvidenceIDs) != 2 {
			t.Fatalf("own anomaly %+v %v", d, err)
		}
		_, errOther := f.svc.Anomaly(ctx, entA, ofB)
		_, errMissing := f.svc.Anomaly(ctx, entA, 999999)
		if !apperr.Is(errOther, apperr.NotFound) || !apperr.Is(errMissing, apperr.NotFound) || errOther.Error() != errMissing.Error() {
			t.Fatalf("guessed id: %v vs %v", errOther, errMissing)
		}
		if _, err := f.svc.Close(ctx, entA, ofB, "x"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("enterprise closes another's: %v", err)
		}
		if _, err := f.svc.Close(ctx, entA, ofA, "x"); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("enterprise closes its own: %v", err)
		}
		if _, err := f.svc.Anomalies(ctx, admin, store.FlowAnomalyFilter{Kind: "nope", Status: "gone"}, store.ListQuery{}); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("bad filter: %v", err)
		}
		if got, _ := f.svc.Anomalies(ctx, admin, store.FlowAnomalyFilter{Kind: "export_unlicensed"}, store.ListQuery{}); got.Total != 1 || got.Rows[0].ID != ofB {
			t.Fatalf("kind filter %+v", got)
		}
		// The regulator who acts must exist; so must the assignee.
		reg, err := addUser(db, "reg1", "regulator")
		if err != nil {
			t.Fatal(err)
		}
		viewer, err := addUser(db, "view1", "viewer")
		if err != nil {
			t.Fatal(err)
		}
		rp := &auth.Principal{ID: reg, Username: "reg1", Role: auth.Regulator}
		n0, c0, _ := db.CountFlowAnomalies(ctx)
		a0, _ := db.ListAudit(ctx, store.AuditFilter{Entity: "flow_anomaly"}, store.ListQuery{})
		for _, bad := range []func() error{
			func() error { _, err := f.svc.Assign(ctx, rp, ofA, viewer); return err },
			func() error { _, err := f.svc.Assign(ctx, rp, ofA, 424242); return err },
			func() error { _, err := f.svc.Comment(ctx, rp, ofA, "   "); return err },
			func() error { _, err := f.svc.Close(ctx, rp, ofA, ""); return err },
		} {
			if err := bad(); !apperr.Is(err, apperr.Invalid) {
				t.Errorf("bad workflow input: %v", err)
			}
		}
		n1, c1, _ := db.CountFlowAnomalies(ctx)
		a1, _ := db.ListAudit(ctx, store.AuditFilter{Entity: "flow_anomaly"}, store.ListQuery{})
		if n1 != n0 || c1 != c0 || a1.Total != a0.Total {
			t.Fatalf("bad input wrote: %d/%d comments, %d/%d audit", c0, c1, a0.Total, a1.Total)
		}
		f.clk.Set("2024-04-07 09:00")
		if a, err := f.svc.Assign(ctx, rp, ofA, reg); err != nil || a.Status != "assigned" || a.AssigneeID != reg {
			t.Fatalf("assign %+v %v", a, err)
		}
		if _, err := f.svc.Comment(ctx, rp, ofA, "已电话核实：途中撒漏 / spillage confirmed by phone"); err != nil {
			t.Fatal(err)
		}
		if a, err := f.svc.Close(ctx, rp, ofA, "承运方赔付，已整改 / carrier compensated"); err != nil || a.Status != "closed" {
			t.Fatalf("close %+v %v", a, err)
		}
		if _, err := f.svc.Close(ctx, rp, ofA, "again"); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("close twice: %v", err)
		}
		d, err := f.svc.Anomaly(ctx, entA, ofA)
		if err != nil || d.Status != "closed" || len(d.Comments) != 1 || d.CloseReason == "" {
			t.Fatalf("after workflow %+v %v", d, err)
		}
		trail, _ := db.ListAudit(ctx, store.AuditFilter{Entity: "flow_anomaly"}, store.ListQuery{})
		var acts []string
		for _, e := range trail.Rows {
			acts = append(acts, e.Action)
		}
		if len(acts) != 3 {
			t.Fatalf("audit %v", acts)
		}
		// Running the check again keeps the closed anomaly closed.
		f.clk.Set("2024-04-08 09:00")
		if rep, err := f.svc.Run(ctx, admin, site(2), "2024-03"); err != nil || rep.New != 0 {
			t.Fatalf("rerun %+v %v", rep, err)
		}
		if d, _ := f.svc.Anomaly(ctx, admin, ofA); d.Status != "closed" {
			t.Fatalf("rerun reopened: %s", d.Status)
		}
	})
}

func addUser(db *store.DB, name, role string) (int64, error) {
	var id int64
	err := db.Write(ctx, func(tx *store.Tx) error {
		var err error
		id, err = tx.InsertUser(ctx, store.User{Username: name, DisplayName: name, Role: role, PasswordHash: "x", CreatedAt: time.Now(), UpdatedAt: time.Now()})
		return err
	})
	return id, err
}
