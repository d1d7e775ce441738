package flow

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"zhanxin/internal/apperr"
	"zhanxin/internal/audit"
	"zhanxin/internal/auth"
	"zhanxin/internal/store"
	"zhanxin/internal/trace"
)

// Statuses of an anomaly: open when found, assigned once someone is on it, closed with a
// reason.
var Statuses = []string{"open", "assigned", "closed"}

// Anomalies lists anomalies. Enterprise users see only their own sites'.
func (s *Service) Anomalies(ctx context.Context, p *auth.Principal, f store.FlowAnomalyFilter, q store.ListQuery) (store.Page[store.FlowAnomaly], error) {
	if err := auth.Require(p, auth.ReadFlow); err != nil {
		return store.Page[store.FlowAnomaly]{}, err
	}
	e := apperr.New(apperr.Invalid, "bad_anomaly_filter", "flow.err.filter")
	if f.Kind != "" && !contains(Kinds, f.Kind) {
		e.With("kind", "flow.err.kind", f.Kind, strings.Join(Kinds, ", "))
	}
	if f.Status != "" && !contains(Statuses, f.Status) {
		e.With("status", "flow.err.status", f.Status, strings.Join(Statuses, ", "))
	}
	if len(e.Fields) > 0 {
		return store.Page[store.FlowAnomaly]{}, e
	}
	f.Site = trace.CanonLocation(f.Site)
	f.EnterpriseID = 0
	if p.Role == auth.Enterprise {
		f.EnterpriseID = p.EnterpriseID
	}
	return s.DB.ListFlowAnomalies(ctx, f, q)
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// AnomalyDetail is an anomaly with its evidence and comments.
type AnomalyDetail struct {
	store.FlowAnomaly
	EvidenceIDs []string
	Comments    []store.FlowComment
}

// Anomaly reads one anomaly. Another enterprise's anomaly is missing to an enterprise user.
func (s *Service) Anomaly(ctx context.Context, p *auth.Principal, id int64) (AnomalyDetail, error) {
	if err := auth.Require(p, auth.ReadFlow); err != nil {
		return AnomalyDetail{}, err
	}
	a, err := s.DB.FlowAnomalyByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !visible(p, a)) {
		return AnomalyDetail{}, apperr.Missing("flow_anomaly")
	}
	if err != nil {
		return AnomalyDetail{}, err
	}
	d := AnomalyDetail{FlowAnomaly: a}
	if err := json.Unmarshal([]byte(a.Evidence), &d.EvidenceIDs); err != nil {
		return d, err
	}
	d.Comments, err = s.DB.FlowComments(ctx, id)
	return d, err
}

func visible(p *auth.Principal, a store.FlowAnomaly) bool {
	return p.Role != auth.Enterprise || (a.EnterpriseID != 0 && a.EnterpriseID == p.EnterpriseID)
}

// act runs one workflow step on an anomaly in a transaction with its audit record. A
// caller who may not act learns nothing about whether the id exists: an enterprise user
// gets the same 404 as for a missing id, any other non-acting role a 403.
func (s *Service) act(ctx context.Context, p *auth.Principal, id int64, action string, fn func(tx *store.Tx, a *store.FlowAnomaly) (any, error)) (store.FlowAnomaly, error) {
	if err := auth.Require(p, auth.ReadFlow); err != nil {
		return store.FlowAnomaly{}, err
	}
	if p.Role == auth.Enterprise {
		a, err := s.DB.FlowAnomalyByID(ctx, id)
		if errors.Is(err, store.ErrNotFound) || (err == nil && !visible(p, a)) {
			return store.FlowAnomaly{}, apperr.Missing("flow_anomaly")
		}
	}
	if err := auth.Require(p, auth.ManageFlow); err != nil {
		return store.FlowAnomaly{}, err
	}
	var out store.FlowAnomaly
	now := s.Now().UTC()
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		a, err := tx.FlowAnomalyForUpdate(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return apperr.Missing("flow_anomaly")
		} else if err != nil {
			return err
		}
		before := a
		a.UpdatedAt = now
		after, err := fn(tx, &a)
		if err != nil {
			return err
		}
		out = a
		return audit.Record(ctx, tx, now, p, action, "flow_anomaly", strconv.FormatInt(id, 10), workflowState(before), after)
	})
	return out, err
}

func workflowState(a store.FlowAnomaly) map[string]any {
	return map[string]any{"status": a.Status, "assignee_id": a.AssigneeID, "close_reason": a.CloseReason}
}

// Assign gives the anomaly to a user who may act on anomalies.
func (s *Service) Assign(ctx context.Context, p *auth.Principal, id, userID int64) (store.FlowAnomaly, error) {
	return s.act(ctx, p, id, "flow.anomaly.assign", func(tx *store.Tx, a *store.FlowAnomaly) (any, error) {
		if a.Status == "closed" {
			return nil, apperr.New(apperr.Conflict, "anomaly_closed", "flow.err.closed", a.ID).With("status", "flow.err.closed", a.ID)
		}
		u, err := s.DB.UserByID(ctx, userID)
		if err != nil || !(&auth.Principal{Role: auth.Role(u.Role)}).Can(auth.ManageFlow) || u.Disabled {
			return nil, apperr.New(apperr.Invalid, "bad_assignee", "flow.err.assignee", userID).With("user_id", "flow.err.assignee", userID)
		}
		a.AssigneeID, a.Status, a.Assignee = userID, "assigned", u.Username
		return workflowState(*a), tx.SetFlowAnomalyState(ctx, *a)
	})
}

// Comment adds a comment (1–4,000 characters).
func (s *Service) Comment(ctx context.Context, p *auth.Principal, id int64, body string) (store.FlowComment, error) {
	body = strings.TrimSpace(body)
	var c store.FlowComment
	_, err := s.act(ctx, p, id, "flow.anomaly.comment", func(tx *store.Tx, a *store.FlowAnomaly) (any, error) {
		if body == "" || len([]rune(body)) > 4000 {
			return nil, apperr.New(apperr.Invalid, "bad_comment", "flow.err.comment").With("body", "flow.err.comment")
		}
		c = store.FlowComment{AnomalyID: a.ID, UserID: p.ID, Author: p.Username, Body: body, CreatedAt: a.UpdatedAt}
		var err error
		c.ID, err = tx.InsertFlowComment(ctx, c)
		return c, err
	})
	return c, err
}

// Close closes the anomaly with a reason (required: what was found and done).
func (s *Service) Close(ctx context.Context, p *auth.Principal, id int64, reason string) (store.FlowAnomaly, error) {
	reason = strings.TrimSpace(reason)
	return s.act(ctx, p, id, "flow.anomaly.close", func(tx *store.Tx, a *store.FlowAnomaly) (any, error) {
		if reason == "" || len([]rune(reason)) > 4000 {
			return nil, apperr.New(apperr.Invalid, "bad_close_reason", "flow.err.reason").With("reason", "flow.err.reason")
		}
		if a.Status == "closed" {
			return nil, apperr.New(apperr.Conflict, "anomaly_closed", "flow.err.closed", a.ID).With("status", "flow.err.closed", a.ID)
		}
		a.Status, a.CloseReason = "closed", reason
		return workflowState(*a), tx.SetFlowAnomalyState(ctx, *a)
	})
}
