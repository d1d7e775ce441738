// Package i18n is zhanxin's message catalogue: Simplified Chinese first, English second.
// Every UI string lives in catalog/*.json as {"key": {"zh": "…", "en": "…"}}, one file per
// area so that modules add their strings without touching each other's.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

//go:embed catalog/*.json
var catalogFS embed.FS

// Lang is a UI language.
type Lang string

const (
	Zh Lang = "zh"
	En Lang = "en"
)

// Langs are the supported languages, default first.
var Langs = []Lang{Zh, En}

// Parse returns the language named by s, or Chinese.
func Parse(s string) Lang {
	if strings.HasPrefix(strings.ToLower(s), "en") {
		return En
	}
	return Zh
}

// Catalog holds every message in every language.
type Catalog struct {
	msgs  map[string]map[Lang]string
	files map[string]string // key → file it came from, for error messages
}

// Load reads the embedded catalogue and fails on a key defined twice or missing a language.
func Load() (*Catalog, error) {
	c := &Catalog{msgs: map[string]map[Lang]string{}, files: map[string]string{}}
	files, err := fs.Glob(catalogFS, "catalog/*.json")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		b, err := fs.ReadFile(catalogFS, f)
		if err != nil {
			return nil, err
		}
		var m map[string]map[Lang]string
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		for k, v := range m {
			if prev, dup := c.files[k]; dup {
				return nil, fmt.Errorf("message key %q is defined in both %s and %s", k, prev, f)
			}
			c.msgs[k] = v
			c.files[k] = f
		}
	}
	return c, nil
}

// Problems lists every key that lacks a language or whose languages disagree on the number
// of fmt verbs; the test suite fails on any.
func (c *Catalog) Problems() []string {
	var out []string
	for k, v := range c.msgs {
		for _, l := range Langs {
			if strings.TrimSpace(v[l]) == "" {
				out = append(out, fmt.Sprintf("%s (%s): no %q text", k, c.files[k], l))
			}
		}
		if v[Zh] != "" && v[En] != "" && verbs(v[Zh]) != verbs(v[En]) {
			out = append(out, fmt.Sprintf("%s (%s): zh and en have different %% verbs", k, c.files[k]))
		}
	}
	sort.Strings(out)
	return out
}

func verbs(s string) int {
	return strings.Count(s, "%") - 2*strings.Count(s, "%%")
}

// Has reports whether key is in the catalogue.
func (c *Catalog) Has(key string) bool { _, ok := c.msgs[key]; return ok }

// Keys returns every key, sorted.
func (c *Catalog) Keys() []string {
	ks := make([]string, 0, len(c.msgs))
	for k := range c.msgs {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// T returns the message for key in lang, formatted with args. A missing key shows itself
// in brackets so that it is seen, never a blank.
func (c *Catalog) T(lang Lang, key string, args ...any) string {
	v, ok := c.msgs[key]
	if !ok {
		return "[" + key + "]"
	}
	s := v[lang]
	if s == "" {
		s = v[Zh]
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// Both returns "中文 / English", for the command line and logs that both kinds of reader see.
func (c *Catalog) Both(key string, args ...any) string {
	return c.T(Zh, key, args...) + " / " + c.T(En, key, args...)
}
