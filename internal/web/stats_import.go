package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/export"
	"zhanxin/internal/i18n"
	"zhanxin/internal/stats"
	"zhanxin/internal/store"
)

// Statistics import pages: download the template, upload a file, see the dry run's
// problems by row, column and reason (and export them), then commit the same file. The
// uploaded file is kept in the database (import_jobs), bound to the user and session that
// uploaded it and expiring after a day, so that any server sharing a PostgreSQL can show
// the result and run the commit. Dry runs and commits run in the background; the page
// polls a small endpoint for progress.

// importJobTTL is how long an uploaded file is kept for its commit.
const importJobTTL = 24 * time.Hour

// importStale is how long a running job may go without a progress update before it is
// taken as interrupted (a server stopped mid-way). SQLite's single writer cannot record
// progress while a commit holds it, but there the one server answers from memory.
const importStale = 3 * time.Minute

// importLive is the progress of the imports running in this process. The database row is
// updated too, but SQLite has one writer, which a running commit holds; the process that
// runs an import can always answer from memory.
type importLive struct {
	mu sync.Mutex
	m  map[string]stats.ImportProgress
}

func (l *importLive) set(id string, p stats.ImportProgress) {
	l.mu.Lock()
	l.m[id] = p
	l.mu.Unlock()
}

func (l *importLive) get(id string) (stats.ImportProgress, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	p, ok := l.m[id]
	return p, ok
}

func (l *importLive) done(id string) {
	l.mu.Lock()
	delete(l.m, id)
	l.mu.Unlock()
}

type importHandlers struct {
	s    *Server
	live *importLive
}

func (s *Server) statsImportRoutes() {
	h := &importHandlers{s: s, live: &importLive{m: map[string]stats.ImportProgress{}}}
	s.handle("GET /stats/import", s.adapt(h.page))
	s.handle("GET /stats/import/template.xlsx", s.adapt(h.template("xlsx")))
	s.handle("GET /stats/import/template.csv", s.adapt(h.template("csv")))
	s.handle("POST /stats/import", s.adapt(h.upload))
	s.handle("GET /stats/import/{id}", s.adapt(h.job))
	s.handle("GET /stats/import/{id}/progress", s.adapt(h.progress))
	s.handle("GET /stats/import/{id}/problems", s.adapt(h.problems))
	s.handle("POST /stats/import/{id}/commit", s.adapt(h.commit))
}

// Labels of job states and progress phases.
var (
	importStates = map[string]string{"checking": "import.state.checking", "checked": "import.state.checked",
		"importing": "import.state.importing", "done": "import.state.done", "failed": "import.state.failed"}
	importPhases = map[string]string{"read": "import.phase.read", "check": "import.phase.check", "write": "import.phase.write"}
)

func requireImporter(r *http.Request) (*auth.Principal, error) {
	p, err := requireUser(r)
	if err != nil {
		return nil, err
	}
	return p, auth.Require(p, auth.EnterStats)
}

type importPageView struct {
	Page
	MaxMB int
}

func (h *importHandlers) page(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireImporter(r); err != nil {
		return err
	}
	h.s.render(w, r, http.StatusOK, "stats_import", importPageView{
		Page:  h.s.page(w, r, "import.title", Crumb{Label: "import.title"}),
		MaxMB: stats.ImportMaxBytes >> 20})
	return nil
}

func (h *importHandlers) template(format string) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if _, err := requireImporter(r); err != nil {
			return err
		}
		inds, err := h.s.db.Indicators(r.Context())
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := stats.WriteImportTemplate(&buf, format, inds); err != nil {
			return err
		}
		ctype := "text/csv; charset=utf-8"
		if format == "xlsx" {
			ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		}
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Content-Disposition", "attachment; filename=\"import-template."+format+"\"; filename*=UTF-8''"+
			url.PathEscape("统计数据导入模板."+format))
		_, err = w.Write(buf.Bytes())
		return err
	}
}

// sessionHash binds a job to the session that uploaded it.
func sessionHash(r *http.Request) string {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256([]byte(c.Value))
	return hex.EncodeToString(sum[:])
}

func newJobID() string { return auth.NewSecret() }

// upload stores the file and starts its dry run.
func (h *importHandlers) upload(w http.ResponseWriter, r *http.Request) error {
	p, err := requireImporter(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		return apperr.New(apperr.Invalid, "no_file", "import.err.no_file").With("file", "import.err.no_file")
	}
	defer file.Close()
	// The server's body limit is larger than an import's: refuse here, before reading.
	if hdr.Size > stats.ImportMaxBytes {
		return apperr.New(apperr.TooLarge, "import_too_large", "import.err.too_large",
			fmt.Sprintf("%.1f", float64(hdr.Size)/(1<<20)), stats.ImportMaxBytes>>20)
	}
	content, err := io.ReadAll(io.LimitReader(file, stats.ImportMaxBytes+1))
	if err != nil {
		return err
	}
	if len(content) > stats.ImportMaxBytes {
		return apperr.New(apperr.TooLarge, "import_too_large", "import.err.too_large",
			fmt.Sprintf("%.1f", float64(len(content))/(1<<20)), stats.ImportMaxBytes>>20)
	}
	if len(content) == 0 {
		return apperr.New(apperr.Invalid, "import_empty", "import.err.empty").With("file", "import.err.empty")
	}
	format := "csv"
	if bytes.HasPrefix(content, []byte("PK\x03\x04")) {
		format = "xlsx"
	}
	sum := sha256.Sum256(content)
	now := h.s.now()
	name := filepath.Base(strings.ReplaceAll(hdr.Filename, "\\", "/"))
	if r := []rune(name); len(r) > 100 {
		name = string(r[:100])
	}
	job := store.ImportJob{ID: newJobID(), UserID: p.ID, SessionHash: sessionHash(r), FileName: name, Format: format,
		Size: int64(len(content)), SHA256: hex.EncodeToString(sum[:]), Reason: strings.TrimSpace(r.PostFormValue("reason")),
		State: "checking", CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(importJobTTL)}
	if err := h.s.db.CreateImportJob(r.Context(), job, content); err != nil {
		return err
	}
	go h.run(context.WithoutCancel(r.Context()), p, job, content, false)
	http.Redirect(w, r, "/stats/import/"+job.ID, http.StatusSeeOther)
	return nil
}

// jobResult is what a finished dry run or commit left in the job row.
type jobResult struct {
	Report  *stats.ImportReport `json:"report,omitempty"`
	ErrCode string              `json:"err_code,omitempty"`
	ErrKey  string              `json:"err_key,omitempty"`
	ErrArgs []any               `json:"err_args,omitempty"`
}

// run does a dry run or a commit in the background, recording progress and the result.
func (h *importHandlers) run(ctx context.Context, p *auth.Principal, job store.ImportJob, content []byte, commit bool) {
	defer h.live.done(job.ID)
	svc := &stats.Service{DB: h.s.db, Now: h.s.now}
	var mu sync.Mutex
	var lastWrite time.Time
	progress := func(pr stats.ImportProgress) {
		h.live.set(job.ID, pr)
		mu.Lock()
		due := time.Since(lastWrite) > 500*time.Millisecond
		if due {
			lastWrite = time.Now()
		}
		mu.Unlock()
		if due {
			// Best effort, for the other servers of a cluster: a busy writer (SQLite
			// while the commit holds it) just skips this update.
			go func() {
				c, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
				defer cancel()
				h.s.db.UpdateImportJob(c, job.ID, "", pr.Total, pr.Done, "", h.s.now())
			}()
		}
	}
	h.live.set(job.ID, stats.ImportProgress{Phase: "read", Total: job.Size})
	src := stats.ImportSource{Name: job.FileName, R: bytes.NewReader(content), Size: int64(len(content))}
	opt := stats.ImportOptions{Reason: job.Reason, Progress: progress}
	var rep *stats.ImportReport
	var err error
	if commit {
		rep, err = svc.Import(ctx, p, src, opt)
	} else {
		rep, err = svc.CheckImport(ctx, p, src, opt)
	}
	res := jobResult{Report: rep}
	state := "checked"
	switch e := apperr.From(err); {
	case err == nil && commit:
		state = "done"
	case err == nil:
	case e.Code == "import_invalid":
		// The commit found problems (the data changed since the dry run): nothing was
		// written; show them as a dry run would.
	default:
		state = "failed"
		if e.Kind == apperr.Internal {
			h.s.log.ErrorContext(ctx, "import failed", "job", job.ID, "err", err)
		}
		res.ErrCode, res.ErrKey, res.ErrArgs = e.Code, e.Key, e.Args
	}
	b, _ := json.Marshal(res)
	var total, done int64
	if rep != nil {
		total, done = int64(rep.Rows), int64(rep.Rows)
	}
	if err := h.s.db.UpdateImportJob(ctx, job.ID, state, total, done, string(b), h.s.now()); err != nil {
		h.s.log.ErrorContext(ctx, "import job update", "job", job.ID, "err", err)
	}
}

// loadJob returns the caller's job: another user's or another session's is not found,
// exactly like one that does not exist or has expired.
func (h *importHandlers) loadJob(r *http.Request, p *auth.Principal) (store.ImportJob, error) {
	j, err := h.s.db.ImportJobByID(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) || (err == nil && (j.UserID != p.ID || j.SessionHash != sessionHash(r) || h.s.now().After(j.ExpiresAt))) {
		return j, apperr.New(apperr.NotFound, "import_not_found", "import.err.not_found")
	}
	return j, err
}

func decodeResult(j store.ImportJob) jobResult {
	var res jobResult
	if j.Report != "" {
		json.Unmarshal([]byte(j.Report), &res)
	}
	return res
}

// importProgressView is the progress of a running job.
type importProgressView struct {
	ID      string
	Running bool
	State   string
	Phase   string
	Done    int64
	Total   int64
	Percent int
}

// label is the catalogue label of v in a closed set.
func (h *importHandlers) label(lang i18n.Lang, set map[string]string, v string) string {
	if k, ok := set[v]; ok {
		return h.s.cat.T(lang, k)
	}
	return v
}

func (h *importHandlers) progressOf(j store.ImportJob) importProgressView {
	v := importProgressView{ID: j.ID, Running: j.State == "checking" || j.State == "importing", State: j.State}
	pr, ok := h.live.get(j.ID)
	if v.Running && !ok && h.s.now().Sub(j.UpdatedAt) > importStale {
		// No server has reported progress for minutes: the one running it stopped (its
		// transaction was rolled back, so nothing was written).
		v.Running, v.State, v.Percent = false, "failed", 100
		return v
	}
	if !ok {
		pr = stats.ImportProgress{Phase: "write", Done: j.Done, Total: j.Total}
		if j.State == "checking" {
			pr.Phase = "check"
		}
	}
	v.Phase, v.Done, v.Total = pr.Phase, pr.Done, pr.Total
	// The phases share the bar: reading up to 20%, checking up to 50% (a dry run: 100%),
	// writing the rest.
	frac := 0.0
	if pr.Total > 0 {
		frac = float64(pr.Done) / float64(pr.Total)
	}
	lo, hi := 0.0, 0.2
	switch {
	case pr.Phase == "check" && j.State == "checking":
		lo, hi = 0.2, 1
	case pr.Phase == "check":
		lo, hi = 0.2, 0.5
	case pr.Phase == "write":
		lo, hi = 0.5, 1
	}
	v.Percent = int(100 * (lo + (hi-lo)*min(frac, 1)))
	if !v.Running {
		v.Percent = 100
	}
	return v
}

// progressFragment is what the page's progress area is replaced with on each poll.
var progressFragment = template.Must(template.New("progress").Parse(`<div id="import-progress" data-testid="import-progress"
{{- if .V.Running}} hx-get="/stats/import/{{.V.ID}}/progress" hx-trigger="every 1s" hx-swap="outerHTML"{{end}}>
<p>{{.State}}{{if .Phase}} · {{.Phase}}{{end}}{{if .V.Total}} · {{.V.Done}} / {{.V.Total}}{{end}}</p>
<progress max="100" value="{{.V.Percent}}">{{.V.Percent}}%</progress>
</div>`))

// progress answers the page's poll: JSON for scripts and tests, else the HTML fragment
// for htmx, which reloads the page once the job is no longer running.
func (h *importHandlers) progress(w http.ResponseWriter, r *http.Request) error {
	p, err := requireImporter(r)
	if err != nil {
		return err
	}
	j, err := h.loadJob(r, p)
	if err != nil {
		return err
	}
	lang := h.s.lang(r)
	v := h.progressOf(j)
	w.Header().Set("Cache-Control", "no-store")
	if strings.HasPrefix(r.Header.Get("Accept"), "application/json") {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		return json.NewEncoder(w).Encode(map[string]any{"state": v.State, "running": v.Running, "phase": v.Phase,
			"done": v.Done, "total": v.Total, "percent": v.Percent})
	}
	if !v.Running && r.Header.Get("HX-Request") != "" {
		w.Header().Set("HX-Refresh", "true")
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	return progressFragment.Execute(w, map[string]any{"V": v, "State": h.label(lang, importStates, v.State),
		"Phase": h.label(lang, importPhases, v.Phase)})
}

type importJobView struct {
	Page
	Job       store.ImportJob
	Progress  importProgressView
	Report    *stats.ImportReport
	Error     string
	ErrCode   string
	Table     TableView
	Warnings  [][3]string
	Shown     int
	CanCommit bool
	StateText string
}

// job shows a job: its progress while it runs, then the dry run's result with the
// problem list and the commit button, or the commit's result.
func (h *importHandlers) job(w http.ResponseWriter, r *http.Request) error {
	p, err := requireImporter(r)
	if err != nil {
		return err
	}
	j, err := h.loadJob(r, p)
	if err != nil {
		return err
	}
	lang := h.s.lang(r)
	v := importJobView{Page: h.s.page(w, r, "import.job_title", Crumb{Label: "import.title", Href: "/stats/import"}, Crumb{Label: j.FileName}),
		Job: j, Progress: h.progressOf(j), StateText: h.label(lang, importStates, j.State)}
	res := decodeResult(j)
	v.Report = res.Report
	if v.Progress.State == "failed" && j.State != "failed" {
		v.StateText = h.label(lang, importStates, "failed")
		res.ErrCode, res.ErrKey, res.ErrArgs = "import_interrupted", "import.err.interrupted", nil
	}
	if res.ErrKey != "" {
		v.Error, v.ErrCode = h.s.cat.T(lang, res.ErrKey, res.ErrArgs...), res.ErrCode
	}
	if rep := v.Report; rep != nil && !v.Progress.Running {
		const shown = 1000
		v.Table = TableView{NoFilter: true, Page: 1, Pages: 1, Total: rep.ProblemCount(), TestID: "import-problems",
			ExportXLSX: "/stats/import/" + j.ID + "/problems?format=xlsx", ExportCSV: "/stats/import/" + j.ID + "/problems?format=csv"}
		for _, c := range problemColumns {
			v.Table.Columns = append(v.Table.Columns, ColumnView{Label: h.s.cat.T(lang, c.Label), Num: c.Num})
		}
		for i, pr := range rep.Problems {
			if i == shown {
				break
			}
			v.Table.Rows = append(v.Table.Rows, h.problemCells(lang, pr))
		}
		v.Shown = len(v.Table.Rows)
		for i, wn := range rep.Warnings {
			if i == shown {
				break
			}
			c := h.problemCells(lang, wn)
			v.Warnings = append(v.Warnings, [3]string{c[0].Text, c[1].Text, c[2].Text})
		}
		v.CanCommit = j.State == "checked" && rep.ProblemCount() == 0 && rep.ToWrite() > 0
	}
	h.s.render(w, r, http.StatusOK, "stats_import_job", v)
	return nil
}

var problemColumns = []Column{{Label: "import.col.row", Num: true}, {Label: "import.col.column"}, {Label: "import.col.reason"},
	{Label: "import.col.code"}}

func (h *importHandlers) problemCells(l i18n.Lang, pr stats.Problem) []Cell {
	row := h.s.cat.T(l, "import.whole_file")
	if pr.Row > 0 {
		row = strconv.Itoa(pr.Row)
	}
	col := pr.Column
	switch {
	case col != "" && pr.Letter != "":
		col += " (" + pr.Letter + ")"
	case col == "" && pr.Letter != "":
		col = pr.Letter
	case col == "":
		col = h.s.cat.T(l, "import.whole_row")
	}
	return []Cell{{Value: pr.Row, Text: row, Num: true}, TextCell(col), TextCell(h.s.cat.T(l, pr.Key, pr.Args...)), TextCell(pr.Code)}
}

// problems exports the problem list (and the warnings) as XLSX or CSV.
func (h *importHandlers) problems(w http.ResponseWriter, r *http.Request) error {
	p, err := requireImporter(r)
	if err != nil {
		return err
	}
	j, err := h.loadJob(r, p)
	if err != nil {
		return err
	}
	f, ok := export.ParseFormat(r.URL.Query().Get("format"))
	if !ok {
		f = export.XLSX
	}
	lang := h.s.lang(r)
	res := decodeResult(j)
	t := export.Table{Title: h.s.cat.T(lang, "import.problems_title")}
	for _, c := range problemColumns {
		t.Headers = append(t.Headers, h.s.cat.T(lang, c.Label))
	}
	t.Headers = append(t.Headers, h.s.cat.T(lang, "import.col.kind"))
	if rep := res.Report; rep != nil {
		add := func(kind string, list []stats.Problem) {
			for _, pr := range list {
				c := h.problemCells(lang, pr)
				t.Rows = append(t.Rows, []any{pr.Row, c[1].Text, c[2].Text, pr.Code, h.s.cat.T(lang, kind)})
			}
		}
		add("import.kind.problem", rep.Problems)
		add("import.kind.warning", rep.Warnings)
	}
	return export.Serve(w, f, h.s.cat.T(lang, "import.problems_title")+"-"+strings.TrimSuffix(j.FileName, filepath.Ext(j.FileName)), t)
}

// commit runs the import of a checked file in the background.
func (h *importHandlers) commit(w http.ResponseWriter, r *http.Request) error {
	p, err := requireImporter(r)
	if err != nil {
		return err
	}
	j, err := h.loadJob(r, p)
	if err != nil {
		return err
	}
	res := decodeResult(j)
	if res.Report == nil || res.Report.ProblemCount() > 0 {
		return apperr.New(apperr.Conflict, "import_not_ready", "import.err.not_ready")
	}
	ok, err := h.s.db.ClaimImportJob(r.Context(), j.ID, "checked", "importing", h.s.now())
	if err != nil {
		return err
	}
	if !ok {
		return apperr.New(apperr.Conflict, "import_not_ready", "import.err.not_ready")
	}
	content, err := h.s.db.ImportJobContent(r.Context(), j.ID)
	if err != nil {
		return err
	}
	go h.run(context.WithoutCancel(r.Context()), p, j, content, true)
	http.Redirect(w, r, "/stats/import/"+j.ID, http.StatusSeeOther)
	return nil
}
