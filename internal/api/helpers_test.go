package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"zhanxin/internal/api"
	"zhanxin/internal/store"
	"zhanxin/internal/webtest"
)

// seedRegions writes a small tree: Jiangxi, Ganzhou, and two of its districts.
func seedRegions(t *testing.T, db *store.DB) {
	t.Helper()
	regions := []store.Region{
		{Code: "360000", NameZh: "江西省", NameEn: "Jiangxi", Kind: "province", Source: "test"},
		{Code: "360700", NameZh: "赣州市", NameEn: "Ganzhou", Kind: "city", ParentCode: "360000", Source: "test"},
		{Code: "360702", NameZh: "章贡区", NameEn: "Zhanggong", Kind: "county", ParentCode: "360700", Source: "test"},
		{Code: "360703", NameZh: "南康区", NameEn: "Nankang", Kind: "county", ParentCode: "360700", Aliases: "南康市, 南康县", Source: "test"},
	}
	err := db.Write(context.Background(), func(tx *store.Tx) error {
		for _, g := range regions {
			if err := tx.UpsertRegion(context.Background(), g); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("seed regions: %v", err)
	}
}

// seedEnterprise inserts one enterprise through the store and returns its id.
func seedEnterprise(t *testing.T, db *store.DB, name, region string) int64 {
	t.Helper()
	var id int64
	err := db.Write(context.Background(), func(tx *store.Tx) error {
		var err error
		id, err = tx.InsertEnterprise(context.Background(), store.Enterprise{NameZh: name, NameEn: "", RegionCode: region,
			Source: "test", CreatedAt: time.Now()})
		return err
	})
	if err != nil {
		t.Fatalf("seed enterprise %s: %v", name, err)
	}
	return id
}

// errBody is the API error shape as a client decodes it.
type errBody struct {
	Error struct {
		Code      string           `json:"code"`
		Message   string           `json:"message"`
		Fields    []api.FieldError `json:"fields"`
		RequestID string           `json:"request_id"`
	} `json:"error"`
}

func (e errBody) fieldNames() []string {
	var out []string
	for _, f := range e.Error.Fields {
		out = append(out, f.Field)
	}
	return out
}

// call sends a request with full control over headers and body, and returns the status,
// the response headers and the body.
func call(t *testing.T, env *webtest.Env, method, path, token, contentType string, body io.Reader, hdr ...string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, env.HTTP.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp.StatusCode, resp.Header, b
}

// getJSON GETs path with a token, requires status want, and decodes the body into out.
func getJSON(t *testing.T, env *webtest.Env, path, token string, want int, out any) []byte {
	t.Helper()
	status, _, b := call(t, env, http.MethodGet, path, token, "", nil)
	if status != want {
		t.Fatalf("GET %s: status %d, want %d\n%s", path, status, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("GET %s: %v\n%s", path, err, b)
		}
	}
	return b
}

// postJSON POSTs v as JSON with a token and returns the status, headers and body.
func postJSON(t *testing.T, env *webtest.Env, path, token string, v any) (int, http.Header, []byte) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return call(t, env, http.MethodPost, path, token, "application/json", strings.NewReader(string(b)))
}

// wantError checks that b is the error shape with the given status and code, and that
// its request id is the one in the X-Request-Id header.
func wantError(t *testing.T, what string, status int, hdr http.Header, b []byte, wantStatus int, wantCode string) errBody {
	t.Helper()
	if status != wantStatus {
		t.Fatalf("%s: status %d, want %d\n%s", what, status, wantStatus, b)
	}
	if ct := hdr.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("%s: Content-Type %q, want JSON\n%s", what, ct, b)
	}
	var e errBody
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		t.Fatalf("%s: body is not the error shape: %v\n%s", what, err, b)
	}
	if e.Error.Code != wantCode {
		t.Fatalf("%s: code %q, want %q\n%s", what, e.Error.Code, wantCode, b)
	}
	if e.Error.Message == "" || strings.HasPrefix(e.Error.Message, "[") {
		t.Fatalf("%s: message %q is empty or a missing catalogue key\n%s", what, e.Error.Message, b)
	}
	if e.Error.Fields == nil {
		t.Fatalf("%s: fields must be an array, even when empty\n%s", what, b)
	}
	if e.Error.RequestID == "" || e.Error.RequestID != hdr.Get("X-Request-Id") {
		t.Fatalf("%s: request_id %q does not match X-Request-Id %q", what, e.Error.RequestID, hdr.Get("X-Request-Id"))
	}
	return e
}

func countUsers(t *testing.T, db *store.DB) int {
	t.Helper()
	p, err := db.ListUsers(context.Background(), store.ListQuery{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return p.Total
}

func countAudit(t *testing.T, db *store.DB) int {
	t.Helper()
	p, err := db.ListAudit(context.Background(), store.AuditFilter{}, store.ListQuery{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return p.Total
}

func sameStrings(a, b []string) bool {
	return fmt.Sprint(a) == fmt.Sprint(b)
}
