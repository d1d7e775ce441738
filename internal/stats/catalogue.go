package stats

import (
	"context"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/store"
)

// The read use cases behind the catalogue and approval pages and their API twins. Each
// checks the caller's permission itself, as Enter does, so a handler cannot forget to: the
// catalogues are what the figures are made of and go to whoever may read statistics; the
// approval list is cut to the caller's fact scope (a county its own region, an enterprise
// the periods it has figures in, a viewer the approved ones).

// Indicators returns every indicator in display order.
func (s *Service) Indicators(ctx context.Context, p *auth.Principal) ([]store.Indicator, error) {
	if _, err := Scope(p); err != nil {
		return nil, err
	}
	return s.DB.Indicators(ctx)
}

// Industries returns the industry hierarchy, each parent before its children.
func (s *Service) Industries(ctx context.Context, p *auth.Principal) ([]store.IndustryNode, error) {
	if _, err := Scope(p); err != nil {
		return nil, err
	}
	all, err := s.DB.Industries(ctx)
	if err != nil {
		return nil, err
	}
	return store.IndustryTree(all), nil
}

// Approvals lists the region × period pairs p may see with their approval state; the
// filter's own scope is replaced by p's.
func (s *Service) Approvals(ctx context.Context, p *auth.Principal, f store.ApprovalFilter, q store.ListQuery) (store.Page[store.PeriodApproval], error) {
	scope, err := Scope(p)
	if err != nil {
		return store.Page[store.PeriodApproval]{}, err
	}
	f.Scope = scope
	return s.DB.ListPeriodApprovals(ctx, f, q)
}

// Approval returns one region's period, if p may see it. A period outside p's scope and
// one that does not exist answer alike, so guessing codes reveals nothing.
func (s *Service) Approval(ctx context.Context, p *auth.Principal, region, period string) (store.PeriodApproval, error) {
	if per, err := ParsePeriod(period); err == nil {
		period = per.String()
	}
	res, err := s.Approvals(ctx, p, store.ApprovalFilter{Region: region, Period: period}, store.ListQuery{Limit: 1})
	if err != nil {
		return store.PeriodApproval{}, err
	}
	if len(res.Rows) == 0 {
		return store.PeriodApproval{}, apperr.New(apperr.NotFound, "not_found", "statsweb.err.no_period")
	}
	return res.Rows[0], nil
}
