// Package project holds the project pipeline (谋划 → 签约 → 开工 → 在建 → 投产): who may
// read and change which projects, the rules of a project's figures and stage moves, the
// blockers log of the green channel (用地, 环保, 融资) and the overdue and stalled flags.
package project

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/audit"
	"zhanxin/internal/auth"
	"zhanxin/internal/stage"
	"zhanxin/internal/stats"
	"zhanxin/internal/store"
)

// Stages in pipeline order; a move to an earlier one needs a reason.
var Stages = []string{"planning", "signed", "started", "building", "operating"}

// BlockerKinds are the green channel's problem kinds (the article: 用地、环保、融资).
var BlockerKinds = []string{"land", "environment", "finance", "other"}

// DefaultStallDays is how long a project may keep its stage before it is flagged stalled
// when the service is given no other number.
const DefaultStallDays = 180

// MoneyUnit is the unit money is stored in; 亿元 entries are converted exactly.
const MoneyUnit = "万元"

// pipeline is the stage rule: forward freely, back only with a reason.
var pipeline = stage.Machine{Stages: Stages, Back: true, Prefix: "project"}

func oneOf(set []string, v string) bool {
	for _, x := range set {
		if x == v {
			return true
		}
	}
	return false
}

// Service runs the project use cases.
type Service struct {
	DB        *store.DB
	Now       func() time.Time
	StallDays int // 0: DefaultStallDays
}

// StallLimit is the number of days without a stage move after which a project is stalled.
func (s *Service) StallLimit() int { return s.stallDays() }

func (s *Service) stallDays() int {
	if s.StallDays > 0 {
		return s.StallDays
	}
	return DefaultStallDays
}

// Scope returns the projects p may read: enterprise users their own enterprise's, county
// users their region's, the other readers all.
func Scope(p *auth.Principal) (store.ProjectScope, error) {
	if err := auth.Require(p, auth.ReadProjects); err != nil {
		return store.ProjectScope{}, err
	}
	switch p.Role {
	case auth.Enterprise:
		return store.ProjectScope{EnterpriseID: p.EnterpriseID}, nil
	case auth.County:
		return store.ProjectScope{RegionCode: p.RegionCode}, nil
	}
	return store.ProjectScope{All: true}, nil
}

func inScope(sc store.ProjectScope, r store.ProjectRecord) bool {
	return sc.All || (sc.EnterpriseID != 0 && r.EnterpriseID == sc.EnterpriseID) || (sc.RegionCode != "" && r.RegionCode == sc.RegionCode)
}

// Flags says why a project needs attention.
type Flags struct {
	Overdue        bool
	OverdueReasons []string // "blocker" (an open blocker past due), "finish" (planned finish passed)
	Stalled        bool
	StalledDays    int // days since the last stage move
}

// FlagsOf computes the flags of r on today (YYYY-MM-DD) with the stall limit in days.
func FlagsOf(r store.ProjectRecord, now time.Time, stallDays int) Flags {
	var f Flags
	today := now.Format(time.DateOnly)
	if r.EarliestOpenDue != "" && r.EarliestOpenDue < today {
		f.Overdue, f.OverdueReasons = true, append(f.OverdueReasons, "blocker")
	}
	if r.FinishPlanned != "" && r.FinishPlanned < today && r.Stage != "operating" {
		f.Overdue, f.OverdueReasons = true, append(f.OverdueReasons, "finish")
	}
	f.StalledDays = int(now.Sub(r.StageChangedAt).Hours() / 24)
	f.Stalled = r.Stage != "operating" && now.Sub(r.StageChangedAt) > time.Duration(stallDays)*24*time.Hour
	return f
}

// Filter narrows a list: a stage, a park, and "overdue" or "stalled".
type Filter struct {
	Stage string
	Park  string
	Flag  string
}

// List lists the projects p may read.
func (s *Service) List(ctx context.Context, p *auth.Principal, f Filter, q store.ListQuery) (store.Page[store.ProjectRecord], error) {
	sc, err := Scope(p)
	if err != nil {
		return store.Page[store.ProjectRecord]{}, err
	}
	e := apperr.New(apperr.Invalid, "invalid_query", "project.err.filter")
	if f.Stage != "" && !pipeline.Valid(f.Stage) {
		e.With("stage", "project.err.stage", f.Stage)
	}
	if f.Flag != "" && f.Flag != "overdue" && f.Flag != "stalled" {
		e.With("flag", "project.err.flag", f.Flag)
	}
	if len(e.Fields) > 0 {
		return store.Page[store.ProjectRecord]{}, e
	}
	now := s.Now()
	return s.DB.ListProjects(ctx, store.ProjectFilter{Scope: sc, Stage: f.Stage, ParkCode: f.Park, Flag: f.Flag,
		Today: now.Format(time.DateOnly), StalledBefore: now.Add(-time.Duration(s.stallDays()) * 24 * time.Hour)}, q)
}

// Detail is a project with its years, stage log, blockers and flags.
type Detail struct {
	Project  store.ProjectRecord
	Years    []store.ProjectYear
	Log      []store.StageMove
	Blockers []store.Blocker
	Flags    Flags
}

// Get reads a project p may read. One outside p's scope is reported exactly like one that
// does not exist, so guessing ids reveals nothing.
func (s *Service) Get(ctx context.Context, p *auth.Principal, id int64) (Detail, error) {
	var d Detail
	sc, err := Scope(p)
	if err != nil {
		return d, err
	}
	r, err := s.DB.ProjectRecordByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !inScope(sc, r)) {
		return d, apperr.Missing("project")
	} else if err != nil {
		return d, err
	}
	d.Project = r
	if d.Years, err = s.DB.ProjectYears(ctx, id); err != nil {
		return d, err
	}
	if d.Log, err = s.DB.ProjectStageLog(ctx, id); err != nil {
		return d, err
	}
	if d.Blockers, err = s.DB.ProjectBlockers(ctx, id); err != nil {
		return d, err
	}
	d.Flags = FlagsOf(r, s.Now(), s.stallDays())
	return d, nil
}

// YearInput is one year's investment as entered.
type YearInput struct {
	Year      int
	Planned   string
	Completed string
}

// Input is a project as a planner enters it. Amounts are decimal strings in Unit (万元 or
// 亿元; "" is 万元), kept exact; dates are YYYY-MM-DD or empty.
type Input struct {
	NameZh          string
	NameEn          string
	Stage           string // on create only; "" is planning
	IndustryCode    string
	LinkID          int64
	RegionCode      string
	ParkCode        string
	EnterpriseID    int64
	Unit            string
	InvestPlanned   string
	InvestCompleted string
	Years           []YearInput
	StartPlanned    string
	FinishPlanned   string
	StartActual     string
	FinishActual    string
	JobsPlanned     int64
	JobsCreated     int64
	Support         string
	Note            string
	Source          string
}

// amount reads a non-negative amount in unit into millionths of 万元; "" is zero.
func amount(e *apperr.Error, field, v, unit string) int64 {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	m, err := stats.ParseValue(v, unit, MoneyUnit)
	if err != nil {
		e.With(field, "project.err.amount", v, unit)
		return 0
	}
	if m < 0 {
		e.With(field, "project.err.negative", v, unit)
		return 0
	}
	return int64(m)
}

func date(e *apperr.Error, field, v string) string {
	v = strings.TrimSpace(v)
	if v == "" {
		return ""
	}
	if _, err := time.Parse(time.DateOnly, v); err != nil {
		e.With(field, "project.err.date", v)
	}
	return v
}

// parsed is an Input checked and converted, ready for the store.
type parsed struct {
	core   store.Project
	detail store.ProjectDetail
	years  []store.ProjectYear
}

// check validates in without the database, collecting every problem under its field.
func (in Input) check(create bool) (parsed, *apperr.Error) {
	e := apperr.New(apperr.Invalid, "invalid_project", "project.err.invalid")
	var out parsed
	unit := strings.TrimSpace(in.Unit)
	if unit == "" {
		unit = MoneyUnit
	}
	if unit != "万元" && unit != "亿元" {
		e.With("unit", "project.err.unit", unit)
		unit = MoneyUnit
	}
	name := strings.TrimSpace(in.NameZh)
	if name == "" {
		e.With("name_zh", "project.err.name")
	}
	stage := in.Stage
	if stage == "" {
		stage = "planning"
	}
	if create && !pipeline.Valid(stage) {
		e.With("stage", "project.err.stage", stage)
	}
	source := strings.TrimSpace(in.Source)
	if source == "" {
		e.With("source", "project.err.source")
	}
	d := store.ProjectDetail{
		InvestPlanned:   amount(e, "invest_planned", in.InvestPlanned, unit),
		InvestCompleted: amount(e, "invest_completed", in.InvestCompleted, unit),
		StartPlanned:    date(e, "start_planned", in.StartPlanned),
		FinishPlanned:   date(e, "finish_planned", in.FinishPlanned),
		StartActual:     date(e, "start_actual", in.StartActual),
		FinishActual:    date(e, "finish_actual", in.FinishActual),
		JobsPlanned:     in.JobsPlanned,
		JobsCreated:     in.JobsCreated,
		Support:         strings.TrimSpace(in.Support),
	}
	if d.StartPlanned != "" && d.FinishPlanned != "" && d.FinishPlanned < d.StartPlanned {
		e.With("finish_planned", "project.err.finish_before_start", d.FinishPlanned, d.StartPlanned)
	}
	if in.JobsPlanned < 0 {
		e.With("jobs_planned", "project.err.jobs", in.JobsPlanned)
	}
	if in.JobsCreated < 0 {
		e.With("jobs_created", "project.err.jobs", in.JobsCreated)
	}
	seen := map[int]bool{}
	for i, y := range in.Years {
		field := fmt.Sprintf("years[%d]", i)
		if y.Year < 1900 || y.Year > 2200 {
			e.With(field+".year", "project.err.year", y.Year)
		} else if seen[y.Year] {
			e.With(field+".year", "project.err.year_twice", y.Year)
		}
		seen[y.Year] = true
		out.years = append(out.years, store.ProjectYear{Year: y.Year, Planned: amount(e, field+".planned", y.Planned, unit),
			Completed: amount(e, field+".completed", y.Completed, unit)})
	}
	out.core = store.Project{NameZh: name, NameEn: strings.TrimSpace(in.NameEn), Stage: stage, IndustryCode: strings.TrimSpace(in.IndustryCode),
		LinkID: in.LinkID, RegionCode: strings.TrimSpace(in.RegionCode), ParkCode: strings.TrimSpace(in.ParkCode), EnterpriseID: in.EnterpriseID,
		Note: strings.TrimSpace(in.Note), Source: source}
	out.detail = d
	if len(e.Fields) > 0 {
		return out, e
	}
	return out, nil
}

// references checks that every code and id the project names exists.
func references(ctx context.Context, tx *store.Tx, c store.Project, e *apperr.Error) error {
	type ref struct {
		field, key string
		arg        any
		get        func() error
	}
	refs := []ref{}
	if c.IndustryCode != "" {
		refs = append(refs, ref{"industry_code", "project.err.industry", c.IndustryCode, func() error { _, err := tx.IndustryByCode(ctx, c.IndustryCode); return err }})
	}
	if c.LinkID != 0 {
		refs = append(refs, ref{"link_id", "project.err.link", c.LinkID, func() error { _, err := tx.ChainLinkByID(ctx, c.LinkID); return err }})
	}
	if c.RegionCode != "" {
		refs = append(refs, ref{"region_code", "project.err.region", c.RegionCode, func() error { _, err := tx.RegionByCode(ctx, c.RegionCode); return err }})
	}
	if c.ParkCode != "" {
		refs = append(refs, ref{"park_code", "project.err.park", c.ParkCode, func() error { _, err := tx.ParkByCode(ctx, c.ParkCode); return err }})
	}
	if c.EnterpriseID != 0 {
		refs = append(refs, ref{"enterprise_id", "project.err.enterprise", c.EnterpriseID, func() error { _, err := tx.EnterpriseByID(ctx, c.EnterpriseID); return err }})
	}
	for _, r := range refs {
		if err := r.get(); errors.Is(err, store.ErrNotFound) {
			e.With(r.field, r.key, r.arg)
		} else if err != nil {
			return err
		}
	}
	return nil
}

// snapshot is what the audit log keeps of a project.
type snapshot struct {
	Project store.Project
	Detail  store.ProjectDetail
	Years   []store.ProjectYear
}

// CreateInTx checks in and writes a new project inside tx, audited: the one way a project
// is created, whether entered by a planner or converted from a signed lead.
func CreateInTx(ctx context.Context, tx *store.Tx, p *auth.Principal, now time.Time, in Input) (int64, error) {
	if err := auth.Require(p, auth.ManageProjects); err != nil {
		return 0, err
	}
	v, e := in.check(true)
	if e == nil {
		e = apperr.New(apperr.Invalid, "invalid_project", "project.err.invalid")
	}
	if err := references(ctx, tx, v.core, e); err != nil {
		return 0, err
	}
	if len(e.Fields) > 0 {
		return 0, e
	}
	v.core.CreatedAt, v.core.UpdatedAt = now, now
	id, err := tx.InsertProject(ctx, v.core)
	if err != nil {
		return 0, err
	}
	v.core.ID = id
	if err := tx.SetProjectDetail(ctx, id, v.detail, now); err != nil {
		return 0, err
	}
	if err := tx.SetProjectYears(ctx, id, v.years); err != nil {
		return 0, err
	}
	if err := tx.SetProjectStage(ctx, store.StageMove{ProjectID: id, From: "", To: v.core.Stage, Actor: p.Username, At: now}); err != nil {
		return 0, err
	}
	return id, audit.Record(ctx, tx, now, p, "project.create", "project", fmt.Sprint(id), nil, snapshot{v.core, v.detail, v.years})
}

// Create adds a project.
func (s *Service) Create(ctx context.Context, p *auth.Principal, in Input) (int64, error) {
	var id int64
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		var err error
		id, err = CreateInTx(ctx, tx, p, s.Now(), in)
		return err
	})
	return id, err
}

// Update rewrites a project's figures and references; its stage moves only through Move.
func (s *Service) Update(ctx context.Context, p *auth.Principal, id int64, in Input) error {
	if err := auth.Require(p, auth.ManageProjects); err != nil {
		return err
	}
	now := s.Now()
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		old, err := tx.ProjectRecordByID(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return apperr.Missing("project")
		} else if err != nil {
			return err
		}
		v, e := in.check(false)
		if e == nil {
			e = apperr.New(apperr.Invalid, "invalid_project", "project.err.invalid")
		}
		if err := references(ctx, tx, v.core, e); err != nil {
			return err
		}
		if len(e.Fields) > 0 {
			return e
		}
		oldYears, err := tx.ProjectYears(ctx, id)
		if err != nil {
			return err
		}
		v.core.ID, v.core.Stage, v.core.CreatedAt, v.core.UpdatedAt = id, old.Stage, old.CreatedAt, now
		if err := tx.UpdateProject(ctx, v.core); err != nil {
			return err
		}
		if err := tx.SetProjectDetail(ctx, id, v.detail, time.Time{}); err != nil {
			return err
		}
		if err := tx.SetProjectYears(ctx, id, v.years); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, p, "project.update", "project", fmt.Sprint(id),
			snapshot{old.Project, old.ProjectDetail, oldYears}, snapshot{v.core, v.detail, v.years})
	})
}

// Move moves a project to stage to. Moving backwards (a signed project falling back to
// planning) needs a reason, which the stage log keeps; staying put is refused.
func (s *Service) Move(ctx context.Context, p *auth.Principal, id int64, to, reason string) error {
	if err := auth.Require(p, auth.ManageProjects); err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	now := s.Now()
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		old, err := tx.ProjectRecordByID(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return apperr.Missing("project")
		} else if err != nil {
			return err
		}
		if err := pipeline.Move(old.Stage, to, reason); err != nil {
			return err
		}
		m := store.StageMove{ProjectID: id, From: old.Stage, To: to, Reason: reason, Actor: p.Username, At: now}
		if err := tx.SetProjectStage(ctx, m); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, p, "project.stage", "project", fmt.Sprint(id),
			map[string]string{"stage": old.Stage}, map[string]string{"stage": to, "reason": reason})
	})
}

// BlockerInput is a new entry of the blockers log.
type BlockerInput struct {
	Kind        string
	Description string
	Owner       string
	DueDate     string
}

// AddBlocker logs a blocker with its owner and due date.
func (s *Service) AddBlocker(ctx context.Context, p *auth.Principal, id int64, in BlockerInput) (int64, error) {
	if err := auth.Require(p, auth.ManageProjects); err != nil {
		return 0, err
	}
	e := apperr.New(apperr.Invalid, "invalid_blocker", "project.err.blocker")
	if !oneOf(BlockerKinds, in.Kind) {
		e.With("kind", "project.err.blocker_kind", in.Kind)
	}
	b := store.Blocker{ProjectID: id, Kind: in.Kind, Description: strings.TrimSpace(in.Description), Owner: strings.TrimSpace(in.Owner),
		DueDate: strings.TrimSpace(in.DueDate)}
	if b.Description == "" {
		e.With("description", "project.err.blocker_description")
	}
	if b.Owner == "" {
		e.With("owner", "project.err.blocker_owner")
	}
	if b.DueDate == "" {
		e.With("due_date", "project.err.blocker_due")
	} else {
		date(e, "due_date", b.DueDate)
	}
	now := s.Now()
	var bid int64
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.ProjectRecordByID(ctx, id); errors.Is(err, store.ErrNotFound) {
			return apperr.Missing("project")
		} else if err != nil {
			return err
		}
		if len(e.Fields) > 0 {
			return e
		}
		b.CreatedAt = now
		var err error
		if bid, err = tx.InsertBlocker(ctx, b); err != nil {
			return err
		}
		b.ID, b.Status = bid, "open"
		return audit.Record(ctx, tx, now, p, "project.blocker.add", "project_blocker", fmt.Sprint(bid), nil, b)
	})
	return bid, err
}

// CloseBlocker marks an open blocker of project id resolved or closed, with what was done.
func (s *Service) CloseBlocker(ctx context.Context, p *auth.Principal, id, blockerID int64, status, resolution string) error {
	if err := auth.Require(p, auth.ManageProjects); err != nil {
		return err
	}
	resolution = strings.TrimSpace(resolution)
	now := s.Now()
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		b, err := tx.BlockerByID(ctx, blockerID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && b.ProjectID != id) {
			return apperr.Missing("project_blocker")
		} else if err != nil {
			return err
		}
		e := apperr.New(apperr.Invalid, "invalid_blocker", "project.err.blocker")
		if status != "resolved" && status != "closed" {
			e.With("status", "project.err.blocker_status", status)
		}
		if resolution == "" {
			e.With("resolution", "project.err.blocker_resolution")
		}
		if len(e.Fields) > 0 {
			return e
		}
		if b.Status != "open" {
			return apperr.New(apperr.Conflict, "blocker_not_open", "project.err.blocker_not_open", b.ID)
		}
		if err := tx.CloseBlocker(ctx, blockerID, status, resolution, now); err != nil {
			return err
		}
		after := b
		after.Status, after.Resolution, after.ClosedAt = status, resolution, now
		return audit.Record(ctx, tx, now, p, "project.blocker."+status, "project_blocker", fmt.Sprint(blockerID), b, after)
	})
}

// SetYear enters one year's planned and completed investment of a project, in unit (万元 or
// 亿元; "" is 万元), exact: the year is added, or replaces what was entered for it. The
// project's other years and figures are untouched. Audited with the years before and
// after.
func (s *Service) SetYear(ctx context.Context, p *auth.Principal, id int64, y YearInput, unit string) error {
	if err := auth.Require(p, auth.ManageProjects); err != nil {
		return err
	}
	e := apperr.New(apperr.Invalid, "invalid_project", "project.err.invalid")
	unit = strings.TrimSpace(unit)
	if unit == "" {
		unit = MoneyUnit
	}
	if unit != "万元" && unit != "亿元" {
		e.With("unit", "project.err.unit", unit)
		unit = MoneyUnit
	}
	if y.Year < 1900 || y.Year > 2200 {
		e.With("year", "project.err.year", y.Year)
	}
	row := store.ProjectYear{Year: y.Year, Planned: amount(e, "planned", y.Planned, unit), Completed: amount(e, "completed", y.Completed, unit)}
	if strings.TrimSpace(y.Planned) == "" && strings.TrimSpace(y.Completed) == "" {
		e.With("planned", "project.err.year_empty", y.Year)
	}
	if len(e.Fields) > 0 {
		return e
	}
	now := s.Now()
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.ProjectRecordByID(ctx, id); errors.Is(err, store.ErrNotFound) {
			return apperr.Missing("project")
		} else if err != nil {
			return err
		}
		old, err := tx.ProjectYears(ctx, id)
		if err != nil {
			return err
		}
		years := make([]store.ProjectYear, 0, len(old)+1)
		for _, o := range old {
			if o.Year != row.Year {
				years = append(years, o)
			}
		}
		years = append(years, row)
		slices.SortFunc(years, func(a, b store.ProjectYear) int { return a.Year - b.Year })
		if err := tx.SetProjectYears(ctx, id, years); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, p, "project.years", "project", fmt.Sprint(id), old, years)
	})
}
