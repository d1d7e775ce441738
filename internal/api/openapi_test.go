package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"zhanxin/internal/api"
	"zhanxin/internal/auth"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
	"zhanxin/internal/web"
	"zhanxin/internal/webtest"
)

type doc = map[string]any

func loadDoc(t *testing.T) doc {
	t.Helper()
	var d doc
	dec := json.NewDecoder(bytes.NewReader(api.OpenAPI))
	dec.UseNumber()
	if err := dec.Decode(&d); err != nil {
		t.Fatalf("openapi.json is not JSON: %v", err)
	}
	return d
}

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

var muxWildcard = regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_]*)(\.\.\.)?\}`)

// openAPIKey turns a ServeMux pattern ("GET /api/v1/regions/{code}") into the form the
// document uses ("get /api/v1/regions/{code}"): {name...} becomes {name}, {$} goes.
func openAPIKey(method, pattern string) string {
	p := strings.ReplaceAll(pattern, "{$}", "")
	p = muxWildcard.ReplaceAllString(p, "{$1}")
	return strings.ToLower(method) + " " + p
}

func docOperations(d doc) map[string]doc {
	ops := map[string]doc{}
	for path, item := range d["paths"].(doc) {
		for _, m := range httpMethods {
			if op, ok := item.(doc)[m]; ok {
				ops[m+" "+path] = op.(doc)
			}
		}
	}
	return ops
}

// resolve follows a local $ref ("#/components/…") to its target.
func resolve(t *testing.T, d doc, v doc) doc {
	t.Helper()
	for i := 0; i < 10; i++ {
		ref, ok := v["$ref"].(string)
		if !ok {
			return v
		}
		target := any(d)
		for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			m, ok := target.(doc)
			if !ok {
				t.Fatalf("$ref %s does not resolve", ref)
			}
			if target, ok = m[part]; !ok {
				t.Fatalf("$ref %s does not resolve: no %q", ref, part)
			}
		}
		v = target.(doc)
	}
	t.Fatalf("$ref chain too long at %v", v)
	return nil
}

// TestOpenAPIMatchesRoutes fails when the server has an API route the document does not
// describe, or the document describes one the server does not have.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{})
		d := loadDoc(t)
		inMux := map[string]bool{}
		for _, r := range env.Server.Routes() {
			if r.API {
				inMux[openAPIKey(r.Method, r.Pattern)] = true
			}
		}
		if len(inMux) < 12 {
			t.Fatalf("only %d API routes registered; is the API mounted?", len(inMux))
		}
		inDoc := docOperations(d)
		var missing, extra []string
		for k := range inMux {
			if _, ok := inDoc[k]; !ok {
				missing = append(missing, k)
			}
		}
		for k := range inDoc {
			if !inMux[k] {
				extra = append(extra, k)
			}
		}
		sort.Strings(missing)
		sort.Strings(extra)
		if len(missing) > 0 {
			t.Errorf("routes in the mux but missing from openapi.json:\n  %s", strings.Join(missing, "\n  "))
		}
		if len(extra) > 0 {
			t.Errorf("operations in openapi.json that the mux does not have:\n  %s", strings.Join(extra, "\n  "))
		}
	})
}

// TestOpenAPIDocument checks the document's own soundness: version, security schemes,
// every $ref resolving, path parameters declared, and every 4xx/5xx answer in the error shape.
func TestOpenAPIDocument(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{})
		d := loadDoc(t)
		if d["openapi"] != "3.1.0" {
			t.Fatalf("openapi = %v, want 3.1.0", d["openapi"])
		}
		info, _ := d["info"].(doc)
		if info["title"] == nil || info["version"] == nil {
			t.Fatalf("info needs title and version: %v", info)
		}
		comp := d["components"].(doc)
		ss := comp["securitySchemes"].(doc)
		if b := ss["bearerAuth"].(doc); b["type"] != "http" || b["scheme"] != "bearer" || !strings.HasPrefix(b["bearerFormat"].(string), "zx_") {
			t.Errorf("bearerAuth = %v, want http bearer with format zx_…", b)
		}
		if c := ss["cookieAuth"].(doc); c["type"] != "apiKey" || c["in"] != "cookie" || c["name"] != "zx_session" {
			t.Errorf("cookieAuth = %v, want apiKey in cookie zx_session", c)
		}

		// Every $ref anywhere in the document resolves.
		var walk func(v any)
		walk = func(v any) {
			switch v := v.(type) {
			case doc:
				if _, ok := v["$ref"]; ok {
					resolve(t, d, v)
				}
				for _, x := range v {
					walk(x)
				}
			case []any:
				for _, x := range v {
					walk(x)
				}
			}
		}
		walk(d)

		// The paging parameters say what the code enforces.
		params := comp["parameters"].(doc)
		per := params["per_page"].(doc)["schema"].(doc)
		if per["maximum"].(json.Number).String() != fmt.Sprint(api.MaxPerPage) || per["default"].(json.Number).String() != fmt.Sprint(api.DefaultPerPage) {
			t.Errorf("per_page schema %v disagrees with MaxPerPage %d / DefaultPerPage %d", per, api.MaxPerPage, api.DefaultPerPage)
		}
		pageInfo := comp["schemas"].(doc)["PageInfo"].(doc)["properties"].(doc)
		for _, k := range []string{"page", "per_page", "total"} {
			if pageInfo[k] == nil {
				t.Errorf("PageInfo lacks %q", k)
			}
		}

		ids := map[string]string{}
		for key, op := range docOperations(d) {
			path := strings.SplitN(key, " ", 2)[1]
			if !strings.HasPrefix(path, "/api/v1/") && !strings.HasPrefix(path, "/epcis/") {
				t.Errorf("%s: the document covers /api/v1 and the EPCIS binding /epcis only", key)
			}
			id, _ := op["operationId"].(string)
			if id == "" {
				t.Errorf("%s: no operationId", key)
			} else if prev, dup := ids[id]; dup {
				t.Errorf("%s: operationId %q also used by %s", key, id, prev)
			}
			ids[id] = key

			// Path template names and declared path parameters agree.
			var inTemplate, declared []string
			for _, m := range muxWildcard.FindAllStringSubmatch(path, -1) {
				inTemplate = append(inTemplate, m[1])
			}
			ps, _ := op["parameters"].([]any)
			for _, p := range ps {
				p := resolve(t, d, p.(doc))
				if p["in"] == "path" {
					if p["required"] != true {
						t.Errorf("%s: path parameter %v must be required", key, p["name"])
					}
					declared = append(declared, p["name"].(string))
				}
				if p["schema"] == nil {
					t.Errorf("%s: parameter %v has no schema", key, p["name"])
				}
			}
			sort.Strings(inTemplate)
			sort.Strings(declared)
			if !sameStrings(inTemplate, declared) {
				t.Errorf("%s: path has parameters %v but declares %v", key, inTemplate, declared)
			}

			responses, _ := op["responses"].(doc)
			if len(responses) == 0 {
				t.Errorf("%s: no responses", key)
				continue
			}
			has4xx, has2xx := false, false
			for code, r := range responses {
				r := resolve(t, d, r.(doc))
				if r["description"] == nil {
					t.Errorf("%s %s: no description", key, code)
				}
				switch {
				case strings.HasPrefix(code, "2"):
					has2xx = true
					if code != "204" && jsonSchema(r) == nil {
						t.Errorf("%s %s: no application/json schema", key, code)
					}
				case strings.HasPrefix(code, "4"), strings.HasPrefix(code, "5"):
					has4xx = has4xx || code[0] == '4'
					s := jsonSchema(r)
					if s == nil || s["$ref"] != "#/components/schemas/Error" {
						t.Errorf("%s %s: must answer with the Error schema, has %v", key, code, s)
					}
				}
			}
			if !has2xx || !has4xx {
				t.Errorf("%s: needs a 2xx and a 4xx response, has %v", key, responses)
			}
			if body, ok := op["requestBody"].(doc); ok {
				if s := jsonSchema(body); s == nil {
					t.Errorf("%s: request body has no application/json schema", key)
				}
				for _, code := range []string{"400", "413", "415", "422"} {
					if responses[code] == nil {
						t.Errorf("%s: takes a JSON body, so it must document %s", key, code)
					}
				}
			}
		}

		// The served document is the embedded one, readable without logging in.
		status, hdr, b := call(t, env, http.MethodGet, "/api/v1/openapi.json", "", "", nil)
		if status != http.StatusOK || !strings.HasPrefix(hdr.Get("Content-Type"), "application/json") || !bytes.Equal(b, api.OpenAPI) {
			t.Fatalf("GET /api/v1/openapi.json: %d %s, %d bytes (want the embedded %d)", status, hdr.Get("Content-Type"), len(b), len(api.OpenAPI))
		}
	})
}

func jsonSchema(r doc) doc {
	c, _ := r["content"].(doc)
	j, _ := c["application/json"].(doc)
	s, _ := j["schema"].(doc)
	return s
}

// validate checks v against a schema of the subset of JSON Schema the document uses:
// $ref, type (one or a list), enum, required, properties, additionalProperties: false,
// items, and format date-time. It returns every mismatch, each with its JSON path.
func validate(t *testing.T, d doc, s doc, v any, at string) []string {
	s = resolve(t, d, s)
	var errs []string
	if ty, ok := s["type"]; ok {
		var types []string
		switch ty := ty.(type) {
		case string:
			types = []string{ty}
		case []any:
			for _, x := range ty {
				types = append(types, x.(string))
			}
		}
		got := jsonTypeOf(v)
		okType := false
		for _, w := range types {
			if w == got || (w == "number" && got == "integer") {
				okType = true
			}
		}
		if !okType {
			return []string{fmt.Sprintf("%s: %s, want %v", at, got, types)}
		}
	}
	if enum, ok := s["enum"].([]any); ok {
		found := false
		for _, e := range enum {
			if fmt.Sprint(e) == fmt.Sprint(v) {
				found = true
			}
		}
		if !found {
			errs = append(errs, fmt.Sprintf("%s: %v not in %v", at, v, enum))
		}
	}
	if s["format"] == "date-time" {
		if str, ok := v.(string); ok {
			if _, err := time.Parse(time.RFC3339Nano, str); err != nil {
				errs = append(errs, fmt.Sprintf("%s: %q is not an RFC 3339 date-time", at, str))
			}
		}
	}
	switch v := v.(type) {
	case map[string]any:
		props, _ := s["properties"].(doc)
		req, _ := s["required"].([]any)
		for _, r := range req {
			if _, ok := v[r.(string)]; !ok {
				errs = append(errs, fmt.Sprintf("%s: required %q missing", at, r))
			}
		}
		for k, x := range v {
			ps, ok := props[k].(doc)
			if !ok {
				if s["additionalProperties"] == false {
					errs = append(errs, fmt.Sprintf("%s: %q is not in the schema", at, k))
				}
				continue
			}
			errs = append(errs, validate(t, d, ps, x, at+"."+k)...)
		}
	case []any:
		if items, ok := s["items"].(doc); ok {
			for i, x := range v {
				errs = append(errs, validate(t, d, items, x, fmt.Sprintf("%s[%d]", at, i))...)
			}
		}
	}
	return errs
}

func jsonTypeOf(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case json.Number:
		if f, err := v.Float64(); err == nil && f == math.Trunc(f) && !strings.ContainsAny(v.String(), ".eE") {
			return "integer"
		}
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// TestResponsesMatchDocument calls every operation for real and checks each answer against
// the schema the document gives for its status, so the document cannot drift from what
// the handlers write. It also tries every documented sort key, and one that is not.
func TestResponsesMatchDocument(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{})
		d := loadDoc(t)
		ops := docOperations(d)
		seedRegions(t, db)
		ent := seedEnterprise(t, db, "赣州稀土集团", "360702")
		seedEnterprise(t, db, "无代码企业", "")
		env.AddUser("root", auth.Admin, "", 0)
		env.AddUser("reporter", auth.Enterprise, "", ent)
		tok := env.Token("root")

		covered := map[string]bool{}
		check := func(method, path, docPath, token string, body any, wantStatus int) []byte {
			t.Helper()
			var status int
			var b []byte
			if body != nil {
				status, _, b = sendJSON(t, env, method, path, token, body)
			} else {
				status, _, b = call(t, env, method, path, token, "", nil)
			}
			if status != wantStatus {
				t.Fatalf("%s %s: status %d, want %d\n%s", method, path, status, wantStatus, b)
			}
			key := strings.ToLower(method) + " " + docPath
			op, ok := ops[key]
			if !ok {
				t.Fatalf("%s: not in the document", key)
			}
			covered[key] = true
			r, ok := op["responses"].(doc)[fmt.Sprint(status)].(doc)
			if !ok {
				t.Fatalf("%s answered %d, which the document does not list", key, status)
			}
			s := jsonSchema(resolve(t, d, r))
			if s == nil {
				if len(bytes.TrimSpace(b)) != 0 {
					t.Fatalf("%s %d: documented without a body, answered %s", key, status, b)
				}
				return b
			}
			var v any
			dec := json.NewDecoder(bytes.NewReader(b))
			dec.UseNumber()
			if err := dec.Decode(&v); err != nil {
				t.Fatalf("%s: %v\n%s", key, err, b)
			}
			if errs := validate(t, d, s, v, "$"); len(errs) > 0 {
				t.Fatalf("%s %d does not match the document:\n  %s\n%s", key, status, strings.Join(errs, "\n  "), b)
			}
			return b
		}

		check("GET", "/api/v1/openapi.json", "/api/v1/openapi.json", "", nil, 200)
		check("GET", "/api/v1/me", "/api/v1/me", tok, nil, 200)
		check("GET", "/api/v1/me", "/api/v1/me", "", nil, 401)
		check("GET", "/api/v1/regions", "/api/v1/regions", tok, nil, 200)
		check("GET", "/api/v1/regions?page=0", "/api/v1/regions", tok, nil, 422)
		check("GET", "/api/v1/regions/360703", "/api/v1/regions/{code}", tok, nil, 200)
		check("GET", "/api/v1/regions/999999", "/api/v1/regions/{code}", tok, nil, 404)
		check("GET", "/api/v1/enterprises", "/api/v1/enterprises", tok, nil, 200)
		check("GET", fmt.Sprintf("/api/v1/enterprises/%d", ent), "/api/v1/enterprises/{id}", tok, nil, 200)
		check("GET", "/api/v1/users", "/api/v1/users", tok, nil, 200)
		check("POST", "/api/v1/users", "/api/v1/users", tok, map[string]any{"username": "li", "display_name": "李",
			"role": "county", "region_code": "360702", "password": webtest.Password}, 201)
		check("POST", "/api/v1/users", "/api/v1/users", tok, map[string]any{"username": "li", "display_name": "李",
			"role": "county", "region_code": "360702", "password": webtest.Password}, 409)
		check("POST", "/api/v1/users", "/api/v1/users", tok, map[string]any{"username": "li2"}, 422)
		check("POST", "/api/v1/users", "/api/v1/users", tok, map[string]any{"usrname": "li2"}, 400)
		var created api.CreatedToken
		json.Unmarshal(check("POST", "/api/v1/tokens", "/api/v1/tokens", tok, map[string]any{"name": "ci", "ttl": "30d"}, 201), &created)
		check("GET", "/api/v1/tokens?all=true", "/api/v1/tokens", tok, nil, 200)
		check("DELETE", fmt.Sprintf("/api/v1/tokens/%d", created.ID), "/api/v1/tokens/{id}", tok, nil, 204)
		check("DELETE", "/api/v1/tokens/999999", "/api/v1/tokens/{id}", tok, nil, 404)
		check("GET", "/api/v1/tokens", "/api/v1/tokens", tok, nil, 200) // now with revoked_at and last_used_at set
		check("GET", "/api/v1/audit", "/api/v1/audit", tok, nil, 200)
		check("GET", "/api/v1/audit?from=2024-02-30", "/api/v1/audit", tok, nil, 422)
		check("GET", "/api/v1/audit", "/api/v1/audit", env.Token("reporter"), nil, 403)
		statsDocChecks(t, env, db, check)
		parksDocChecks(t, env, db, check)
		cultDocChecks(t, env, db, check)
		finDocChecks(t, env, db, check)
		innoDocChecks(t, env, db, check)
		polDocChecks(t, env, db, check)
		resourcesDocChecks(t, env, db, check)
		reservesDocChecks(t, env, db, check)
		planDocChecks(t, env, db, check)
		epcisDocChecks(t, env, db, check)
		chainsDocChecks(t, env, db, check)
		relDocChecks(t, env, db, check)
		flowDocChecks(t, env, db, check)

		for key := range ops {
			if !covered[key] {
				t.Errorf("%s was not exercised against its schema", key)
			}
		}

		// Every documented sort key works and an undocumented one is refused, on every list.
		for key, op := range ops {
			method, path, _ := strings.Cut(key, " ")
			if method != "get" {
				continue
			}
			ps, _ := op["parameters"].([]any)
			for _, p := range ps {
				p := resolve(t, d, p.(doc))
				if p["name"] != "sort" {
					continue
				}
				for _, k := range p["schema"].(doc)["enum"].([]any) {
					for _, dir := range []string{"asc", "desc"} {
						check("GET", fmt.Sprintf("%s?sort=%s&dir=%s", path, k, dir), path, tok, nil, 200)
					}
				}
				var e errBody
				json.Unmarshal(check("GET", path+"?sort=no_such_key", path, tok, nil, 422), &e)
				if !sameStrings(e.fieldNames(), []string{"sort"}) {
					t.Errorf("%s?sort=no_such_key: fields %v, want [sort]", path, e.fieldNames())
				}
			}
		}
	})
}
