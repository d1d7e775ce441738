// Package lead holds chain-based investment attraction (产业链招商): leads — enterprises
// outside the region, each tied to the chain link whose gap it would fill — moving
// 线索 → 接洽 → 洽谈 → 签约, and the conversion of a signed lead into a project.
package lead

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/audit"
	"zhanxin/internal/auth"
	"zhanxin/internal/enterprise"
	"zhanxin/internal/project"
	"zhanxin/internal/stage"
	"zhanxin/internal/store"
)

// Stages in order. A lead reaches "signed" only by Convert, which creates its project in
// the same transaction, so no signed lead is ever without its project.
var Stages = []string{"lead", "contact", "negotiation", "signed"}

// Pipeline is the stage rule: forward only; a lead that went cold is closed, not moved back.
var Pipeline = stage.Machine{Stages: Stages, Prefix: "lead"}

// Service runs the lead use cases.
type Service struct {
	DB  *store.DB
	Now func() time.Time
}

// List lists leads, in one stage when stage is not empty.
func (s *Service) List(ctx context.Context, p *auth.Principal, stage string, q store.ListQuery) (store.Page[store.Lead], error) {
	if err := auth.Require(p, auth.ReadLeads); err != nil {
		return store.Page[store.Lead]{}, err
	}
	if stage != "" && !Pipeline.Valid(stage) {
		return store.Page[store.Lead]{}, apperr.New(apperr.Invalid, "invalid_query", "lead.err.stage", stage).With("stage", "lead.err.stage", stage)
	}
	return s.DB.ListLeads(ctx, stage, q)
}

// Get reads a lead.
func (s *Service) Get(ctx context.Context, p *auth.Principal, id int64) (store.Lead, error) {
	if err := auth.Require(p, auth.ReadLeads); err != nil {
		return store.Lead{}, err
	}
	l, err := s.DB.LeadByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return l, apperr.Missing("lead")
	}
	return l, err
}

// Input is a new lead.
type Input struct {
	TargetName string
	TargetUSCC string
	Origin     string
	LinkID     int64
	RegionCode string
	ParkCode   string
	Owner      string
	Note       string
}

// within reports whether region lies in (or is) area, following parent codes upward.
func within(ctx context.Context, tx *store.Tx, region, area string) (bool, error) {
	for seen := 0; region != "" && seen < 16; seen++ {
		if region == area {
			return true, nil
		}
		g, err := tx.RegionByCode(ctx, region)
		if errors.Is(err, store.ErrNotFound) {
			return false, nil
		} else if err != nil {
			return false, err
		}
		region = g.ParentCode
	}
	return false, nil
}

// alreadyHere returns the registered enterprise the lead names when it is known to be in
// the region, with the region it is known to be in: registered in area or below it, or the
// investor of a project there (a signed lead's investor keeps its home place). An entry
// whose place is not recorded proves nothing either way, so it does not stop the lead;
// Warnings points it out instead.
func alreadyHere(ctx context.Context, tx *store.Tx, name, uscc, area string) (store.Enterprise, string, error) {
	ents, err := tx.EnterprisesMatching(ctx, name, uscc)
	if err != nil {
		return store.Enterprise{}, "", err
	}
	for _, e := range ents {
		places, err := tx.ProjectRegionsOfEnterprise(ctx, e.ID)
		if err != nil {
			return e, "", err
		}
		if e.RegionCode != "" {
			places = append([]string{e.RegionCode}, places...)
		}
		for _, pl := range places {
			in, err := within(ctx, tx, pl, area)
			if err != nil {
				return e, "", err
			}
			if in {
				return e, pl, nil
			}
		}
	}
	return store.Enterprise{}, "", nil
}

// Warning is something to check about a lead that did not stop it.
type Warning struct {
	Code  string
	Field string
	Key   string
	Args  []any
}

// Warnings lists what a planner should check about a lead that is still open: a
// registered enterprise of the same name or code whose place is not recorded may be local
// already. It is computed on read, so it disappears once the place is recorded (and the
// lead would then be refused if the place is inside the region).
func (s *Service) Warnings(ctx context.Context, l store.Lead) ([]Warning, error) {
	if l.Stage == "signed" {
		return nil, nil
	}
	ents, err := s.DB.EnterprisesMatching(ctx, l.TargetName, l.TargetUSCC)
	if err != nil {
		return nil, err
	}
	var out []Warning
	for _, e := range ents {
		if e.RegionCode != "" {
			continue
		}
		field := "target_name"
		if l.TargetUSCC != "" && e.USCC == l.TargetUSCC {
			field = "target_uscc"
		}
		out = append(out, Warning{Code: "place_unknown", Field: field, Key: "lead.warn.place_unknown", Args: []any{e.NameZh, e.ID}})
	}
	return out, nil
}

// Create adds a lead. A lead for an enterprise already in the region is refused: there is
// nothing to attract.
func (s *Service) Create(ctx context.Context, p *auth.Principal, in Input) (int64, error) {
	if err := auth.Require(p, auth.ManageLeads); err != nil {
		return 0, err
	}
	l := store.Lead{TargetName: strings.TrimSpace(in.TargetName), TargetUSCC: strings.ToUpper(strings.TrimSpace(in.TargetUSCC)),
		Origin: strings.TrimSpace(in.Origin), LinkID: in.LinkID, RegionCode: strings.TrimSpace(in.RegionCode), ParkCode: strings.TrimSpace(in.ParkCode),
		Stage: "lead", Owner: strings.TrimSpace(in.Owner), Note: strings.TrimSpace(in.Note)}
	e := apperr.New(apperr.Invalid, "invalid_lead", "lead.err.invalid")
	if l.TargetName == "" {
		e.With("target_name", "lead.err.name")
	}
	if l.TargetUSCC != "" {
		if err := enterprise.ValidateUSCC(l.TargetUSCC); err != nil {
			ue := apperr.From(err)
			e.With("target_uscc", ue.Key, ue.Args...)
		}
	}
	if l.LinkID == 0 {
		e.With("link_id", "lead.err.link_required")
	}
	if l.RegionCode == "" {
		e.With("region_code", "lead.err.region_required")
	}
	now := s.Now()
	var id int64
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		if l.LinkID != 0 {
			if _, err := tx.ChainLinkByID(ctx, l.LinkID); errors.Is(err, store.ErrNotFound) {
				e.With("link_id", "project.err.link", l.LinkID)
			} else if err != nil {
				return err
			}
		}
		regionOK := false
		if l.RegionCode != "" {
			if _, err := tx.RegionByCode(ctx, l.RegionCode); errors.Is(err, store.ErrNotFound) {
				e.With("region_code", "project.err.region", l.RegionCode)
			} else if err != nil {
				return err
			} else {
				regionOK = true
			}
		}
		if l.ParkCode != "" {
			if _, err := tx.ParkByCode(ctx, l.ParkCode); errors.Is(err, store.ErrNotFound) {
				e.With("park_code", "project.err.park", l.ParkCode)
			} else if err != nil {
				return err
			}
		}
		if regionOK && l.TargetName != "" {
			ent, where, err := alreadyHere(ctx, tx, l.TargetName, l.TargetUSCC, l.RegionCode)
			if err != nil {
				return err
			}
			if where != "" {
				field := "target_name"
				if l.TargetUSCC != "" && ent.USCC == l.TargetUSCC {
					field = "target_uscc"
				}
				e.With(field, "lead.err.in_region", ent.NameZh, where, l.RegionCode)
			}
		}
		if len(e.Fields) > 0 {
			return e
		}
		l.CreatedAt, l.UpdatedAt = now, now
		var err error
		if id, err = tx.InsertLead(ctx, l); err != nil {
			return err
		}
		l.ID = id
		return audit.Record(ctx, tx, now, p, "lead.create", "lead", fmt.Sprint(id), nil, l)
	})
	return id, err
}

// Advance moves a lead forward to contact or negotiation; signing is Convert.
func (s *Service) Advance(ctx context.Context, p *auth.Principal, id int64, to string) error {
	if err := auth.Require(p, auth.ManageLeads); err != nil {
		return err
	}
	now := s.Now()
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		l, err := tx.LeadByID(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return apperr.Missing("lead")
		} else if err != nil {
			return err
		}
		switch {
		case to == "signed":
			return apperr.New(apperr.Invalid, "sign_by_convert", "lead.err.sign_by_convert").With("stage", "lead.err.sign_by_convert")
		case !Pipeline.Valid(to):
			return Pipeline.Unknown(to)
		case l.Stage == "signed":
			return apperr.New(apperr.Conflict, "lead_signed", "lead.err.already_signed", l.ID, l.ProjectID)
		}
		if err := Pipeline.Move(l.Stage, to, ""); err != nil {
			return err
		}
		if err := tx.SetLeadStage(ctx, id, to, 0, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, p, "lead.stage", "lead", fmt.Sprint(id), map[string]string{"stage": l.Stage}, map[string]string{"stage": to})
	})
}

// Signing is what a signed lead's project starts with.
type Signing struct {
	ProjectName   string
	Unit          string
	InvestPlanned string
	JobsPlanned   int64
	StartPlanned  string
	FinishPlanned string
	Note          string
}

// Convert signs a lead: in one transaction it finds or registers the investing
// enterprise, creates the project in stage 签约 on the lead's link, region and park, and
// marks the lead signed and pointing at the project, each write audited. Nothing is
// written if any part is refused.
func (s *Service) Convert(ctx context.Context, p *auth.Principal, id int64, sg Signing) (int64, error) {
	if err := auth.Require(p, auth.ManageLeads); err != nil {
		return 0, err
	}
	if err := auth.Require(p, auth.ManageProjects); err != nil {
		return 0, err
	}
	now := s.Now()
	var pid int64
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		l, err := tx.LeadByID(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return apperr.Missing("lead")
		} else if err != nil {
			return err
		}
		if l.Stage == "signed" {
			return apperr.New(apperr.Conflict, "lead_signed", "lead.err.already_signed", l.ID, l.ProjectID)
		}
		link, err := tx.ChainLinkByID(ctx, l.LinkID)
		if err != nil {
			return err
		}
		// The investor: the registered enterprise of that code or name outside the region,
		// or a new registry entry whose place is recorded when it registers locally.
		var entID int64
		ents, err := tx.EnterprisesMatching(ctx, l.TargetName, l.TargetUSCC)
		if err != nil {
			return err
		}
		if len(ents) > 0 {
			entID = ents[0].ID
		} else {
			ent := store.Enterprise{NameZh: l.TargetName, USCC: l.TargetUSCC, Note: fmt.Sprintf("招商线索 #%d 签约引进；来自%s", l.ID, l.Origin),
				Source: fmt.Sprintf("lead:%d", l.ID), CreatedAt: now}
			if entID, err = tx.InsertEnterprise(ctx, ent); err != nil {
				return err
			}
			ent.ID = entID
			if err := audit.Record(ctx, tx, now, p, "enterprise.create", "enterprise", fmt.Sprint(entID), nil, ent); err != nil {
				return err
			}
		}
		name := strings.TrimSpace(sg.ProjectName)
		if name == "" {
			name = l.TargetName + "·" + link.NameZh
		}
		if pid, err = project.CreateInTx(ctx, tx, p, now, project.Input{NameZh: name, Stage: "signed", IndustryCode: link.IndustryCode,
			LinkID: l.LinkID, RegionCode: l.RegionCode, ParkCode: l.ParkCode, EnterpriseID: entID, Unit: sg.Unit,
			InvestPlanned: sg.InvestPlanned, JobsPlanned: sg.JobsPlanned, StartPlanned: sg.StartPlanned, FinishPlanned: sg.FinishPlanned,
			Note: sg.Note, Source: fmt.Sprintf("lead:%d", l.ID)}); err != nil {
			return err
		}
		if err := tx.SetLeadStage(ctx, id, "signed", pid, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, p, "lead.convert", "lead", fmt.Sprint(id),
			map[string]any{"stage": l.Stage}, map[string]any{"stage": "signed", "project_id": pid})
	})
	return pid, err
}
