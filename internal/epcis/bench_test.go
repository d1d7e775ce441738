package epcis_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"zhanxin/internal/epcis"
	"zhanxin/internal/epcis/epcistest"
)

// Benchmarks: reading a capture document (limits, schema, model, rules, hash ID) against
// only decoding the same bytes with encoding/json. Run with
//
//	go test -run '^$' -bench . -benchtime 3s ./internal/epcis/
//
// Each reports events/s; the ratio of the two is the cost of everything capture does to an
// event beyond parsing it. Two documents: every event of the 47 GS1 examples (sensor data,
// all fields, extensions: large events), and a typical rare-earth shipment event.

// corpusMix is one document with every event of the GS1 JSON examples, repeated.
func corpusMix(b *testing.B, repeat int) ([]byte, int) {
	r := newReader(b)
	var all []*epcis.Event
	for _, f := range benchFiles {
		doc, _ := r.ReadJSONBytes(readFile(b, epcistest.Path(b, "gs1", "JSON", f)))
		if doc == nil {
			b.Fatalf("%s not read", f)
		}
		all = append(all, doc.Events...)
	}
	var events []*epcis.Event
	for i := 0; i < repeat; i++ {
		events = append(events, all...)
	}
	return writeDoc(b, events), len(events)
}

// shipment is a document of n rare-earth concentrate shipments with one extension each.
func shipment(b *testing.B, n int) ([]byte, int) {
	var buf bytes.Buffer
	buf.WriteString(`{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",{"zx":"https://zhanxin.example.cn/epcis/"}],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2024-03-01T08:00:00+08:00","epcisBody":{"eventList":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			buf.WriteByte(',')
		}
		fmt.Fprintf(&buf, `{"type":"ObjectEvent","eventTime":"2024-03-01T08:%02d:%02d.000+08:00","eventTimeZoneOffset":"+08:00","action":"OBSERVE","bizStep":"shipping","disposition":"in_transit",`+
			`"quantityList":[{"epcClass":"urn:epc:class:lgtin:6901234.012345.L%d","quantity":%d.5,"uom":"TNE"}],`+
			`"readPoint":{"id":"urn:epc:id:sgln:6901234.00001.0"},"bizLocation":{"id":"urn:epc:id:sgln:6901234.00001.0"},`+
			`"bizTransactionList":[{"type":"desadv","bizTransaction":"urn:epcglobal:cbv:bt:6901234000016:%d"}],`+
			`"sourceList":[{"type":"owning_party","source":"urn:epc:id:pgln:6901234.00001"}],"destinationList":[{"type":"owning_party","destination":"urn:epc:id:pgln:6901235.00002"}],`+
			`"zx:reoContent":"0.92"}`, i/60%60, i%60, i, 10+i%50, i)
	}
	buf.WriteString(`]}}`)
	return buf.Bytes(), n
}

var benchFiles = []string{
	"Example_9.6.1-ObjectEvent.jsonld", "Example_9.6.2-ObjectEvent.jsonld", "Example_9.6.3-AggregationEvent.jsonld",
	"Example_9.6.4-TransformationEvent.jsonld", "Example-TransactionEvents-2020_07_03y.jsonld",
	"AssociationEvent/AssociationEvent-a.jsonld", "WithSensorData/SensorDataExample1.jsonld",
	"WithSensorData/SensorDataExample8.jsonld", "WithFullCombinationOfFields/object_event_all_possible_fields.jsonld",
	"WithErrorDeclaration/ErrorDeclarationAndCorrectiveEvent.jsonld",
}

func writeDoc(b *testing.B, events []*epcis.Event) []byte {
	var buf bytes.Buffer
	doc := &epcis.Document{Type: epcis.EPCISDocument, SchemaVersion: "2.0", CreationDate: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), Events: events}
	if err := epcis.WriteJSON(&buf, doc); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

func benchDocs(b *testing.B) map[string]func(*testing.B) ([]byte, int) {
	return map[string]func(*testing.B) ([]byte, int){
		"gs1-mix":  func(b *testing.B) ([]byte, int) { return corpusMix(b, 20) },
		"shipment": func(b *testing.B) ([]byte, int) { return shipment(b, 1000) },
	}
}

func BenchmarkRead(b *testing.B) {
	for name, mk := range benchDocs(b) {
		b.Run(name, func(b *testing.B) {
			in, n := mk(b)
			r := newReader(b)
			if _, err := r.ReadJSONBytes(in); err != nil && err.(*epcis.Error).Fatal() {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(in)))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				doc, _ := r.ReadJSONBytes(in)
				if len(doc.Events) != n {
					b.Fatal("events lost")
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// BenchmarkReadParallel: the reader is safe for concurrent use; this shows the rate with
// every core reading (GOMAXPROCS, 2 on the target machine).
func BenchmarkReadParallel(b *testing.B) {
	in, n := shipment(b, 1000)
	r := newReader(b)
	b.SetBytes(int64(len(in)))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if doc, _ := r.ReadJSONBytes(in); len(doc.Events) != n {
				panic("events lost")
			}
		}
	})
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkDecodeOnly is the baseline: encoding/json into interface values, numbers kept.
func BenchmarkDecodeOnly(b *testing.B) {
	for name, mk := range benchDocs(b) {
		b.Run(name, func(b *testing.B) {
			in, n := mk(b)
			b.SetBytes(int64(len(in)))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				d := json.NewDecoder(bytes.NewReader(in))
				d.UseNumber()
				var v any
				if err := d.Decode(&v); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// BenchmarkStages splits the read into its stages, to show where the time goes.
func BenchmarkStages(b *testing.B) {
	in, n := shipment(b, 1000)
	full := newReader(b)
	noSchema := epcis.NewReader(nil, epcis.Limits{}, epcis.Rules{})
	b.Run("all", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			full.ReadJSONBytes(in)
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	})
	b.Run("without-schema", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			noSchema.ReadJSONBytes(in)
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	})
}
