package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/xuri/excelize/v2"

	"zhanxin/internal/auth"
	"zhanxin/internal/stats/gen"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
	"zhanxin/internal/web"
	"zhanxin/internal/webtest"
)

// upload posts a file as the import form does (multipart, with the page's CSRF token
// unless csrf is false).
func upload(t *testing.T, c *webtest.Client, name string, content []byte, csrf bool, accept string) *http.Response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if csrf {
		mw.WriteField("csrf", c.CSRF)
	}
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(content)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.Env.HTTP.URL+"/stats/import", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	return c.Do(req)
}

func postCSRF(t *testing.T, c *webtest.Client, path string, csrf bool) *http.Response {
	t.Helper()
	form := "csrf=" + c.CSRF
	if !csrf {
		form = ""
	}
	req, _ := http.NewRequest(http.MethodPost, c.Env.HTTP.URL+path, strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.Do(req)
}

// waitJob polls the progress endpoint until the job stops running and returns its state.
func waitJob(t *testing.T, c *webtest.Client, jobPath string) string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		req, _ := http.NewRequest(http.MethodGet, c.Env.HTTP.URL+jobPath+"/progress", nil)
		req.Header.Set("Accept", "application/json")
		resp := c.Do(req)
		var p struct {
			State   string `json:"state"`
			Running bool   `json:"running"`
			Percent int    `json:"percent"`
		}
		b := webtest.ReadBody(resp)
		if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(b), &p) != nil {
			t.Fatalf("progress: %d %s", resp.StatusCode, b)
		}
		if !p.Running {
			if p.Percent != 100 {
				t.Fatalf("finished job at %d%%", p.Percent)
			}
			return p.State
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("the import job did not finish within a minute")
	return ""
}

func doc(t *testing.T, resp *http.Response) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader(webtest.ReadBody(resp)))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func jobCount(t *testing.T, db *store.DB) int64 {
	t.Helper()
	n, err := db.CountRows(context.Background(), "import_jobs")
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestImportUploadFlow walks the import pages as a browser does: the template downloads,
// an upload without the CSRF token is refused and stores nothing, a file with a bad row
// gets its problem list (row, column, reason) and no import button, the problem list
// exports to XLSX and CSV and opens back, a good file's dry run offers "import these N
// rows", whose commit needs the CSRF token too and then writes the rows; another user or
// another session cannot see the job; a file over 50 MB gets 413 in the error shape; a
// viewer cannot import.
func TestImportUploadFlow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ds := gen.Small().Reference()
		if err := ds.Load(context.Background(), db); err != nil {
			t.Fatal(err)
		}
		env := webtest.Start(t, db, web.Config{MaxBodyBytes: 64 << 20})
		env.AddUser("planner", auth.Planner, "", 0)
		env.AddUser("county", auth.County, ds.Counties[0], 0)
		env.AddUser("viewer", auth.Viewer, "", 0)
		c := env.Login("planner")

		resp := c.Get("/stats/import")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /stats/import: %d", resp.StatusCode)
		}
		d := doc(t, resp)
		if d.Find(`[data-testid="template-xlsx"]`).Length() != 1 || d.Find(`form[data-testid="import-form"][enctype="multipart/form-data"] input[name="csrf"]`).Length() != 1 {
			t.Fatal("the import page lacks the template link or the upload form with its CSRF field")
		}
		resp = c.Get("/stats/import/template.xlsx")
		x, err := excelize.OpenReader(resp.Body)
		if err != nil {
			t.Fatalf("template: %v", err)
		}
		head, _ := x.GetRows("数据")
		if len(head) == 0 || head[0][0] != "指标代码" || head[0][3] != "企业统一社会信用代码" {
			t.Fatalf("template header %v", head)
		}
		resp = c.Get("/stats/import/template.csv")
		if b := webtest.ReadBody(resp); !strings.HasPrefix(b, "\xEF\xBB\xBF指标代码,行政区代码") {
			t.Fatalf("CSV template: %q", b)
		}

		var good bytes.Buffer
		if _, err := ds.WriteFacts(&good, gen.Slice{ToEnterprise: 3, ToMonth: 2}); err != nil {
			t.Fatal(err)
		}
		wantRows := 3 * ds.Config.Indicators * 2

		// No CSRF token: 403, nothing stored.
		if resp := upload(t, c, "good.csv", good.Bytes(), false, ""); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("upload without CSRF: %d", resp.StatusCode)
		}
		if n := jobCount(t, db); n != 0 {
			t.Fatalf("a refused upload stored %d jobs", n)
		}

		// A file with a bad row: the problem list, no import button.
		bad := strings.Replace(good.String(), ds.Enterprises[1].USCC, ds.Enterprises[1].USCC[:17]+"0", 1)
		if bad == good.String() || ds.Enterprises[1].USCC[17] == '0' {
			t.Fatal("could not spoil a USCC")
		}
		resp = upload(t, c, "bad.csv", []byte(bad), true, "")
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("upload: %d %s", resp.StatusCode, webtest.ReadBody(resp))
		}
		badJob := resp.Header.Get("Location")
		if st := waitJob(t, c, badJob); st != "checked" {
			t.Fatalf("dry run state %s", st)
		}
		d = doc(t, c.Get(badJob))
		rows := d.Find(`[data-testid="import-problems"] tbody tr`)
		badLine := 2 + ds.Config.Indicators*2 // the first row of enterprise 1
		if rows.Length() != 1 || strings.TrimSpace(rows.Find("td").Eq(0).Text()) != fmt.Sprint(badLine) ||
			strings.TrimSpace(rows.Find("td").Eq(1).Text()) != "企业统一社会信用代码 (D)" || !strings.Contains(rows.Find("td").Eq(2).Text(), "校验位") {
			t.Fatalf("problem table: %d rows: %q", rows.Length(), rows.Text())
		}
		if d.Find(`[data-testid="commit-form"]`).Length() != 0 {
			t.Fatal("a file with problems offers the import button")
		}
		resp = c.Get(badJob + "/problems?format=xlsx")
		x, err = excelize.OpenReader(resp.Body)
		if err != nil {
			t.Fatalf("problem export: %v", err)
		}
		sheet := x.GetSheetList()[0]
		got, _ := x.GetRows(sheet)
		if len(got) != 2 || got[0][0] != "行" || got[1][0] != fmt.Sprint(badLine) || got[1][1] != "企业统一社会信用代码 (D)" ||
			!strings.Contains(got[1][2], "校验位") || got[1][3] != "invalid_uscc" {
			t.Fatalf("exported problems: %v", got)
		}
		if b := webtest.ReadBody(c.Get(badJob + "/problems?format=csv")); !strings.Contains(b, "invalid_uscc") {
			t.Fatalf("CSV problem export: %q", b)
		}
		if resp := postCSRF(t, c, badJob+"/commit", true); resp.StatusCode != http.StatusConflict {
			t.Fatalf("committing a file with problems: %d", resp.StatusCode)
		}

		// The good file: dry run, then commit with the token.
		resp = upload(t, c, "good.csv", good.Bytes(), true, "")
		job := resp.Header.Get("Location")
		if !regexp.MustCompile(`^/stats/import/[A-Za-z0-9_-]{20,}$`).MatchString(job) {
			t.Fatalf("job location %q", job)
		}
		waitJob(t, c, job)
		// The htmx poll gets the progress fragment, and the page reload once done.
		req, _ := http.NewRequest(http.MethodGet, env.HTTP.URL+job+"/progress", nil)
		req.Header.Set("HX-Request", "true")
		resp = c.Do(req)
		if b := webtest.ReadBody(resp); !strings.Contains(b, `<progress max="100" value="100">`) || resp.Header.Get("HX-Refresh") != "true" {
			t.Fatalf("progress fragment: %s %v", b, resp.Header)
		}
		d = doc(t, c.Get(job))
		button := d.Find(`[data-testid="commit-form"] button`)
		if !strings.Contains(button.Text(), fmt.Sprintf("导入这 %d 行", wantRows)) {
			t.Fatalf("commit button %q", button.Text())
		}
		if n, _ := db.CountRows(context.Background(), "facts"); n != 0 {
			t.Fatalf("the dry run wrote %d facts", n)
		}
		if resp := postCSRF(t, c, job+"/commit", false); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("commit without CSRF: %d", resp.StatusCode)
		}
		if resp := postCSRF(t, c, job+"/commit", true); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("commit: %d %s", resp.StatusCode, webtest.ReadBody(resp))
		}
		if st := waitJob(t, c, job); st != "done" {
			t.Fatalf("commit state %s: %s", st, webtest.ReadBody(c.Get(job)))
		}
		if n, _ := db.CountRows(context.Background(), "facts"); n != int64(wantRows) {
			t.Fatalf("%d facts after the commit, want %d", n, wantRows)
		}
		if d := doc(t, c.Get(job)); d.Find(`[data-testid="import-done"]`).Length() != 1 {
			t.Fatal("the job page does not say the import is done")
		}
		if resp := postCSRF(t, c, job+"/commit", true); resp.StatusCode != http.StatusConflict {
			t.Fatalf("committing twice: %d", resp.StatusCode)
		}
		a, err := db.ListAudit(context.Background(), store.AuditFilter{Action: "fact.import"}, store.ListQuery{})
		if err != nil || a.Total != 1 || a.Rows[0].Actor != "planner" || !strings.Contains(a.Rows[0].After, `"file":"good.csv"`) {
			t.Fatalf("audit: %+v %v", a.Rows, err)
		}

		// Another user, or the same user in another session, finds nothing.
		for _, other := range []*webtest.Client{env.Login("county"), env.Login("planner")} {
			if resp := other.Get(job); resp.StatusCode != http.StatusNotFound {
				t.Fatalf("another session reading the job: %d", resp.StatusCode)
			}
		}

		// Over 50 MB (under the server's 64 MB body limit): 413 in the error shape.
		big := append([]byte("指标代码,行政区代码,产业代码,报告期,数值,单位,来源\n"), bytes.Repeat([]byte("SYN01,Z,SYN-I1,2020-01,1,亿元,x\n"), (51<<20)/30)...)
		resp = upload(t, c, "big.csv", big, true, "application/json")
		var e struct {
			Error struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge || json.Unmarshal(b, &e) != nil || e.Error.Code != "import_too_large" || !strings.Contains(e.Error.Message, "50") {
			t.Fatalf("51 MB upload: %d %s", resp.StatusCode, b)
		}
		if n := jobCount(t, db); n != 2 {
			t.Fatalf("%d jobs stored, want the 2 accepted uploads", n)
		}

		// Viewers cannot import.
		v := env.Login("viewer")
		if resp := v.Get("/stats/import"); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("viewer GET /stats/import: %d", resp.StatusCode)
		}
		if resp := upload(t, v, "good.csv", good.Bytes(), true, ""); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("viewer upload: %d", resp.StatusCode)
		}
	})
}
