package trace_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"zhanxin/internal/auth"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
	"zhanxin/internal/trace"
)

// BenchmarkCapture measures sustained capture: a 1,000-event document of rare-earth
// shipments, captured by an enterprise user at its own registered location, with
// everything capture does (limits, official schema, model, platform rules, CBV hash,
// location rights, duplicate check, storage of events and items, Merkle log append, audit,
// signed checkpoint), against only decoding the same bytes with encoding/json. Each
// reports events/s; the ratio is what capture costs beyond parsing. Run with
//
//	ZHANXIN_TEST_POSTGRES=… go test -run '^$' -bench Capture -benchtime 10x ./internal/trace/
//
// Every iteration sends new events (a resent event would be skipped as a duplicate and
// flatter the figure), and the log grows as it would in production.
func BenchmarkCapture(b *testing.B) {
	const n = 1000
	b.Run("decode-only", func(b *testing.B) {
		body := shipments(n, 0)
		b.SetBytes(int64(len(body)))
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			var v map[string]any
			dec := json.NewDecoder(bytes.NewReader(body))
			dec.UseNumber()
			if err := dec.Decode(&v); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "events/s")
	})
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect+"/1-client", func(b *testing.B) {
			var db *store.DB
			if dialect == "sqlite" {
				db = storetest.SQLite(b)
			} else {
				db = storetest.Postgres(b)
			}
			svc, p := benchSetup(b, db)
			ctx := context.Background()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				body := shipments(n, i+1)
				b.StartTimer()
				res, err := svc.Capture(ctx, p, trace.CaptureRequest{Body: body, Binding: trace.JSON})
				if err != nil {
					b.Fatal(err)
				}
				if res.Capture.Stored != n {
					b.Fatalf("stored %d of %d", res.Capture.Stored, n)
				}
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "events/s")
		})
		// Two clients, as a server sees sustained capture: one document is validated
		// while another is written, so both cores work. Appends stay serialised by the
		// log head lock.
		b.Run(dialect+"/2-clients", func(b *testing.B) {
			var db *store.DB
			if dialect == "sqlite" {
				db = storetest.SQLite(b)
			} else {
				db = storetest.Postgres(b)
			}
			svc, p := benchSetup(b, db)
			ctx := context.Background()
			bodies := make(chan []byte, 2)
			go func() {
				for i := 0; i < b.N; i++ {
					bodies <- shipments(n, i+1)
				}
				close(bodies)
			}()
			b.ResetTimer()
			errs := make(chan error, 2)
			for w := 0; w < 2; w++ {
				go func() {
					for body := range bodies {
						res, err := svc.Capture(ctx, p, trace.CaptureRequest{Body: body, Binding: trace.JSON})
						if err == nil && res.Capture.Stored != n {
							err = fmt.Errorf("stored %d of %d", res.Capture.Stored, n)
						}
						if err != nil {
							errs <- err
							return
						}
					}
					errs <- nil
				}()
			}
			for w := 0; w < 2; w++ {
				if err := <-errs; err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "events/s")
			rep, err := trace.Verify(ctx, db)
			if err != nil || len(rep.Problems) > 0 || rep.Events != int64(n*b.N) {
				b.Fatalf("log after concurrent capture: %v %v %d events", err, rep.Problems, rep.Events)
			}
		})
	}
}

func benchSetup(b *testing.B, db *store.DB) (*trace.Service, *auth.Principal) {
	ctx := context.Background()
	var ent int64
	err := db.Write(ctx, func(tx *store.Tx) error {
		for _, g := range []store.Region{
			{Code: "360000", NameZh: "江西省", NameEn: "Jiangxi", Kind: "province", Source: "test"},
			{Code: "360700", NameZh: "赣州市", NameEn: "Ganzhou", Kind: "city", ParentCode: "360000", Source: "test"},
		} {
			if err := tx.UpsertRegion(ctx, g); err != nil {
				return err
			}
		}
		var err error
		ent, err = tx.InsertEnterprise(ctx, store.Enterprise{NameZh: "基准稀土厂", RegionCode: "360700", Source: "test", CreatedAt: time.Now()})
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	svc, err := trace.New(ctx, db, time.Now)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := svc.AddLocation(ctx, auth.CLI("bench"), trace.NewLocation{GLN: "6901234000016", NameZh: "分离厂",
		Kind: "separation_plant", RegionCode: "360700", EnterpriseID: ent}); err != nil {
		b.Fatal(err)
	}
	return svc, &auth.Principal{ID: 0, Username: "bench", Role: auth.Enterprise, EnterpriseID: ent}
}

// shipments is a document of n rare-earth concentrate shipments; seed makes them distinct.
func shipments(n, seed int) []byte {
	var buf bytes.Buffer
	buf.WriteString(`{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",{"zx":"https://zhanxin.example.cn/epcis/"}],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2024-03-01T08:00:00+08:00","epcisBody":{"eventList":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			buf.WriteByte(',')
		}
		fmt.Fprintf(&buf, `{"type":"ObjectEvent","eventTime":"2024-03-01T08:%02d:%02d.%03d+08:00","eventTimeZoneOffset":"+08:00","action":"OBSERVE","bizStep":"shipping","disposition":"in_transit",`+
			`"quantityList":[{"epcClass":"urn:epc:class:lgtin:6901234.012345.L%d","quantity":%d.5,"uom":"TNE"}],`+
			`"readPoint":{"id":"urn:epc:id:sgln:6901234.00001.0"},"bizLocation":{"id":"urn:epc:id:sgln:6901234.00001.0"},`+
			`"bizTransactionList":[{"type":"desadv","bizTransaction":"urn:epcglobal:cbv:bt:6901234000016:%d-%d"}],`+
			`"sourceList":[{"type":"owning_party","source":"urn:epc:id:pgln:6901234.00001"}],"destinationList":[{"type":"owning_party","destination":"urn:epc:id:pgln:6901235.00002"}],`+
			`"zx:reoContent":"0.92"}`, i/60%60, i%60, seed%1000, i, 10+i%50, seed, i)
	}
	buf.WriteString(`]}}`)
	return buf.Bytes()
}
