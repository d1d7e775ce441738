package api

import (
	"encoding/json"
	"strings"
	"testing"
	"testing/fstest"
)

func TestMergeOpenAPIFragments(t *testing.T) {
	base := `{"openapi":"3.1.0","tags":[{"name":"a"}],"paths":{"/x":{}},"components":{"schemas":{"X":{}}}}`
	t.Run("merges", func(t *testing.T) {
		b, err := mergeOpenAPI(fstest.MapFS{
			"openapi/base.json": {Data: []byte(base)},
			"openapi/m.json":    {Data: []byte(`{"tags":[{"name":"m"}],"paths":{"/m":{}},"components":{"schemas":{"M":{}}}}`)},
		})
		if err != nil {
			t.Fatal(err)
		}
		var d struct {
			Tags       []struct{ Name string }
			Paths      map[string]any
			Components struct{ Schemas map[string]any }
		}
		if err := json.Unmarshal(b, &d); err != nil {
			t.Fatal(err)
		}
		if len(d.Tags) != 2 || d.Paths["/m"] == nil || d.Paths["/x"] == nil || d.Components.Schemas["M"] == nil || d.Components.Schemas["X"] == nil {
			t.Fatalf("merged document lacks a part: %s", b)
		}
	})
	for name, frag := range map[string]string{
		"duplicate path":   `{"paths":{"/x":{}}}`,
		"duplicate schema": `{"components":{"schemas":{"X":{}}}}`,
		"unknown key":      `{"info":{}}`,
		"not JSON":         `{`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := mergeOpenAPI(fstest.MapFS{
				"openapi/base.json": {Data: []byte(base)},
				"openapi/m.json":    {Data: []byte(frag)},
			})
			if err == nil || !strings.Contains(err.Error(), "openapi/m.json") {
				t.Fatalf("want an error naming openapi/m.json, got %v", err)
			}
		})
	}
}
