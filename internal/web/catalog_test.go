package web_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"zhanxin/internal/auth"
	"zhanxin/internal/flow"
	"zhanxin/internal/i18n"
	"zhanxin/internal/lead"
	"zhanxin/internal/park"
	"zhanxin/internal/project"
	"zhanxin/internal/trace"
)

// The catalogue test reads the source itself: every key a template or Go code names must
// be in the catalogue in both languages, so a typo or a forgotten translation fails here
// rather than showing "[key]" to a user.

const catRoot = "../.." // the module root, seen from internal/web

// catDynamic lists the keys built at run time from a prefix and a closed set of values.
// A new prefix must be added here with its values, so that it is checked too.
func catDynamic(t *testing.T) map[string][]string {
	var roles []string
	for _, r := range auth.Roles {
		roles = append(roles, string(r))
	}
	return map[string][]string{"role.": roles, "region.kind.": catRegionKinds(t),
		"park.kind.": park.Kinds, "park.status.": park.Statuses, "park.fact_status.": {"draft", "submitted", "approved"},
		"project.stage.": project.Stages, "project.blocker.kind.": project.BlockerKinds,
		"project.blocker.status.": {"open", "resolved", "closed"}, "lead.stage.": lead.Stages,
		"flow.kind.": flow.Kinds, "flow.status.": flow.Statuses, "flow.site.": trace.LocationKinds}
}

// catRegionKinds reads the region kinds from the schema's CHECK constraint, the one place
// that defines them.
func catRegionKinds(t *testing.T) []string {
	b, err := os.ReadFile(filepath.Join(catRoot, "internal/store/migrations/sqlite/0001_foundation.sql"))
	if err != nil {
		t.Fatal(err)
	}
	table := regexp.MustCompile(`(?s)CREATE TABLE regions \((.*?)\n\);`).FindSubmatch(b)
	if table == nil {
		t.Fatal("no regions table in the SQLite migration")
	}
	check := regexp.MustCompile(`kind\s+TEXT[^\n]*CHECK \(kind IN \(([^)]*)\)\)`).FindSubmatch(table[1])
	if check == nil {
		t.Fatal("no CHECK on regions.kind in the SQLite migration")
	}
	var kinds []string
	for _, k := range strings.Split(string(check[1]), ",") {
		kinds = append(kinds, strings.Trim(strings.TrimSpace(k), "'"))
	}
	return kinds
}

// catUse is one place a key is named.
type catUse struct {
	key, where string
	prefix     bool // key is a prefix completed at run time
}

var (
	catTmplKey    = regexp.MustCompile(`(?:^|[\s({])(?:\$|\$?\.)?T\s+"([^"]+)"`)
	catTmplPrintf = regexp.MustCompile(`\(?\$?\.?T\s+\(printf\s+"([^"]*)"`)
	catKeyShape   = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$`)
)

func catTemplateUses(t *testing.T) []catUse {
	var out []catUse
	err := filepath.WalkDir(filepath.Join(catRoot, "internal"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			where := p + ":" + strconv.Itoa(i+1)
			for _, m := range catTmplKey.FindAllStringSubmatch(line, -1) {
				out = append(out, catUse{key: m[1], where: where})
			}
			for _, m := range catTmplPrintf.FindAllStringSubmatch(line, -1) {
				prefix, rest, ok := strings.Cut(m[1], "%s")
				if !ok || rest != "" {
					t.Errorf("%s: dynamic key %q is not PREFIX%%s; teach this test its values", where, m[1])
					continue
				}
				out = append(out, catUse{key: prefix, where: where, prefix: true})
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// catGoUses finds the keys Go code passes to the catalogue: X.T(lang, key), X.Both(key),
// apperr.New(kind, code, key), X.With(field, key), invalid(code, field, key), s.page(w,
// r, key), and the labels of Column, Crumb, TableSpec, navEntry and key maps.
func catGoUses(t *testing.T, cat *i18n.Catalog) (out []catUse, missingWhats []string) {
	fset := token.NewFileSet()
	err := filepath.WalkDir(filepath.Join(catRoot, "internal"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			return err
		}
		add := func(e ast.Expr) {
			where := fset.Position(e.Pos()).String()
			switch x := e.(type) {
			case *ast.BasicLit:
				if x.Kind == token.STRING {
					s, _ := strconv.Unquote(x.Value)
					out = append(out, catUse{key: s, where: where})
				}
			case *ast.BinaryExpr:
				if l, ok := x.X.(*ast.BasicLit); ok && x.Op == token.ADD && l.Kind == token.STRING {
					s, _ := strconv.Unquote(l.Value)
					out = append(out, catUse{key: s, where: where, prefix: true})
				}
			}
		}
		arg := func(c *ast.CallExpr, i int) {
			if i < len(c.Args) {
				add(c.Args[i])
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.CallExpr:
				switch fn := x.Fun.(type) {
				case *ast.SelectorExpr:
					recv, _ := fn.X.(*ast.Ident)
					switch {
					case fn.Sel.Name == "T" && len(x.Args) >= 2:
						arg(x, 1)
					case fn.Sel.Name == "Both":
						arg(x, 0)
					case fn.Sel.Name == "New" && recv != nil && recv.Name == "apperr":
						arg(x, 2)
					case fn.Sel.Name == "Missing" && recv != nil && recv.Name == "apperr" && len(x.Args) == 1:
						// Missing(what) says "no such what" with the key err.not_found.<what>.
						if lit, ok := x.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							what, _ := strconv.Unquote(lit.Value)
							missingWhats = append(missingWhats, what)
							out = append(out, catUse{key: "err.not_found." + what, where: fset.Position(lit.Pos()).String()})
						} else {
							t.Errorf("%s: apperr.Missing needs a literal, so that its key can be checked", fset.Position(x.Pos()))
						}
					case fn.Sel.Name == "With" && len(x.Args) >= 2:
						if _, lit := x.Args[1].(*ast.BasicLit); lit {
							arg(x, 1)
						}
					case fn.Sel.Name == "page" && len(x.Args) >= 3:
						arg(x, 2)
					}
				case *ast.Ident:
					switch {
					case fn.Name == "New" && f.Name.Name == "apperr":
						arg(x, 2)
					case fn.Name == "invalid":
						arg(x, 2)
					}
				}
			case *ast.CompositeLit:
				typ := x.Type
				if ix, ok := typ.(*ast.IndexExpr); ok {
					typ = ix.X
				}
				switch tt := typ.(type) {
				case *ast.Ident:
					if tt.Name == "Column" || tt.Name == "Crumb" || tt.Name == "TableSpec" {
						for _, el := range x.Elts {
							if kv, ok := el.(*ast.KeyValueExpr); ok {
								if k, ok := kv.Key.(*ast.Ident); ok && (k.Name == "Label" || k.Name == "Export") {
									add(kv.Value)
								}
							}
						}
					}
				case *ast.ArrayType:
					if el, ok := tt.Elt.(*ast.Ident); ok && el.Name == "Column" {
						for _, e := range x.Elts {
							if c, ok := e.(*ast.CompositeLit); ok {
								for _, f := range c.Elts {
									if kv, ok := f.(*ast.KeyValueExpr); ok {
										if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Label" {
											add(kv.Value)
										}
									}
								}
							}
						}
					}
					if el, ok := tt.Elt.(*ast.Ident); ok && el.Name == "navEntry" {
						for _, e := range x.Elts {
							if c, ok := e.(*ast.CompositeLit); ok && len(c.Elts) >= 2 {
								add(c.Elts[0])
								add(c.Elts[1])
							}
						}
					}
				case *ast.MapType:
					// A map whose values are catalogue keys (flash messages, states) must
					// have every value in the catalogue: one known value marks it as such.
					if v, ok := tt.Value.(*ast.Ident); ok && v.Name == "string" {
						var vals []ast.Expr
						shaped, known := true, false
						for _, e := range x.Elts {
							kv, ok := e.(*ast.KeyValueExpr)
							if !ok {
								shaped = false
								break
							}
							lit, ok := kv.Value.(*ast.BasicLit)
							if !ok || lit.Kind != token.STRING {
								shaped = false
								break
							}
							s, _ := strconv.Unquote(lit.Value)
							shaped = shaped && catKeyShape.MatchString(s)
							known = known || cat.Has(s)
							vals = append(vals, kv.Value)
						}
						if shaped && known {
							for _, v := range vals {
								add(v)
							}
						}
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out, missingWhats
}

func TestCatalogueHasEveryKeyInBothLanguages(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range cat.Problems() {
		t.Errorf("catalogue: %s", p)
	}
	tmpl := catTemplateUses(t)
	code, missingWhats := catGoUses(t, cat)
	dyn := catDynamic(t)
	dyn["err.not_found."] = missingWhats
	if len(tmpl) < 50 || len(code) < 50 {
		t.Fatalf("found only %d template and %d Go key uses: the scanner is broken", len(tmpl), len(code))
	}
	var missing []string
	seen := map[string]bool{}
	for _, u := range append(tmpl, code...) {
		if u.prefix {
			vals, ok := dyn[u.key]
			if !ok {
				t.Errorf("%s: key built at run time from %q: add its values to catDynamic", u.where, u.key)
				continue
			}
			for _, v := range vals {
				if k := u.key + v; !cat.Has(k) && !seen[k] {
					seen[k] = true
					missing = append(missing, u.where+": "+k)
				}
			}
			continue
		}
		if !cat.Has(u.key) && !seen[u.key] {
			seen[u.key] = true
			missing = append(missing, u.where+": "+u.key)
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("not in the catalogue: %s", m)
	}
	// The scanner must see the keys this package is known to use, or it proves nothing.
	found := map[string]bool{}
	for _, u := range append(tmpl, code...) {
		found[u.key] = true
	}
	for _, k := range []string{"table.summary", "admin.audit.title", "err.csrf", "err.user.username", "tokens.flash.revoked", "tokens.state.expired", "nav.users", "role.", "region.kind."} {
		if !found[k] {
			t.Errorf("the scanner did not find the use of %q", k)
		}
	}
}
