package api

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
)

// The OpenAPI document is kept as one base file plus one fragment per module
// (openapi/<module>.json holding its tags, paths and component schemas), so modules are
// documented beside each other without editing one shared file. They are merged once at
// start; a key defined twice is a programming error and stops the program.
//
//go:embed openapi/*.json
var openapiFiles embed.FS

// OpenAPI is the merged OpenAPI 3.1 document of this package's endpoints. The
// route-coverage test keeps it and Endpoints in step.
var OpenAPI = mustMergeOpenAPI(openapiFiles)

func mustMergeOpenAPI(fsys fs.FS) []byte {
	b, err := mergeOpenAPI(fsys)
	if err != nil {
		panic(err)
	}
	return b
}

func mergeOpenAPI(fsys fs.FS) ([]byte, error) {
	read := func(name string) (map[string]any, error) {
		raw, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		var m map[string]any
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return m, nil
	}
	doc, err := read("openapi/base.json")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(fsys, "openapi/*.json")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	for _, name := range names {
		if name == "openapi/base.json" {
			continue
		}
		frag, err := read(name)
		if err != nil {
			return nil, err
		}
		for key, val := range frag {
			switch key {
			case "tags":
				tags, _ := val.([]any)
				doc["tags"] = append(doc["tags"].([]any), tags...)
			case "paths":
				if err := mergeInto(doc, val, name, "paths"); err != nil {
					return nil, err
				}
			case "components":
				comps, _ := val.(map[string]any)
				for section, entries := range comps {
					if err := mergeInto(doc["components"].(map[string]any), entries, name, section); err != nil {
						return nil, err
					}
				}
			default:
				return nil, fmt.Errorf("%s: a fragment holds only tags, paths and components, not %q", name, key)
			}
		}
	}
	return json.MarshalIndent(doc, "", "  ")
}

// mergeInto adds the entries of val to parent[key], refusing a name already there.
func mergeInto(parent map[string]any, val any, file, key string) error {
	entries, ok := val.(map[string]any)
	if !ok {
		return fmt.Errorf("%s: %s must be an object", file, key)
	}
	dst, _ := parent[key].(map[string]any)
	if dst == nil {
		dst = map[string]any{}
		parent[key] = dst
	}
	for name, e := range entries {
		if _, dup := dst[name]; dup {
			return fmt.Errorf("%s: %s %q is already defined by another file", file, key, name)
		}
		dst[name] = e
	}
	return nil
}
