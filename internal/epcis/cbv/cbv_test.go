package cbv_test

import (
	"encoding/json"
	"sort"
	"testing"

	"zhanxin/internal/epcis/cbv"
	"zhanxin/internal/epcis/schema"
)

// The term lists must be the official JSON schema's enums: one source of truth checked
// against the other.
func TestTermsMatchSchema(t *testing.T) {
	var s struct {
		Definitions map[string]struct {
			AnyOf []struct {
				Enum []string `json:"enum"`
			} `json:"anyOf"`
		} `json:"definitions"`
	}
	if err := json.Unmarshal(schema.Source, &s); err != nil {
		t.Fatal(err)
	}
	for def, v := range map[string]*cbv.Vocab{
		"bizStep": cbv.BizStep, "disposition": cbv.Disposition, "bizTransaction-type": cbv.BizTransactionType,
		"source-dest-type": cbv.SourceDestType, "error-reason": cbv.ErrorReason, "measurementType": cbv.MeasurementType,
		"sensorAlertType": cbv.SensorAlertType, "component": cbv.Component,
	} {
		var enum []string
		for _, a := range s.Definitions[def].AnyOf {
			enum = append(enum, a.Enum...)
		}
		got := v.Terms()
		sort.Strings(enum)
		sort.Strings(got)
		if len(enum) == 0 || len(got) != len(enum) {
			t.Errorf("%s: %d terms, schema has %d", def, len(got), len(enum))
			continue
		}
		for i := range got {
			if got[i] != enum[i] {
				t.Errorf("%s: term %q, schema has %q", def, got[i], enum[i])
			}
		}
	}
}

func TestSpellings(t *testing.T) {
	for _, s := range []string{"shipping", "urn:epcglobal:cbv:bizstep:shipping", "https://ref.gs1.org/cbv/BizStep-shipping", "cbv:BizStep-shipping"} {
		if got := cbv.BizStep.Short(s); got != "shipping" {
			t.Errorf("Short(%q) = %q", s, got)
		}
		if got := cbv.BizStep.Full(s); got != "https://ref.gs1.org/cbv/BizStep-shipping" {
			t.Errorf("Full(%q) = %q", s, got)
		}
	}
	for _, s := range []string{"https://ref.gs1.org/cbv/Bizstep-shipping", "https://ns.gs1.org/cbv/BizStep-shipping", "https://example.com/shipping"} {
		if _, in, _ := cbv.BizStep.Split(s); in {
			t.Errorf("%q taken as a CBV spelling", s)
		}
		if cbv.BizStep.Short(s) != s {
			t.Errorf("%q rewritten", s)
		}
	}
	if _, in, known := cbv.BizStep.Split("shiping"); !in || known {
		t.Error("an unknown bare word must be in the vocabulary's namespace and unknown")
	}
	if got := cbv.MeasurementType.Short("gs1:Temperature"); got != "Temperature" {
		t.Errorf("gs1:Temperature → %q", got)
	}
	if got := cbv.URNToWeb("urn:epcglobal:cbv:disp:in_transit"); got != "https://ref.gs1.org/cbv/Disp-in_transit" {
		t.Errorf("URNToWeb → %q", got)
	}
}
