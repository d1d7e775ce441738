// Package stage is the one stage machine behind the pipelines that move through ordered
// stages (a lead 线索 → 签约, a project 谋划 → 投产): which stages exist, and whether a move
// from one to another is allowed. Each pipeline keeps its own messages under its own key
// prefix, so the refusals read in its words while the rule is written once.
package stage

import "zhanxin/internal/apperr"

// Machine is an ordered list of stages and the rule for going back.
type Machine struct {
	Stages []string
	// Back allows a move to an earlier stage when a reason is given (a signed project that
	// falls back to planning); without it only forward moves are allowed.
	Back bool
	// Prefix names the pipeline's messages: Prefix+".err.stage", ".err.same_stage",
	// ".err.backwards" (Back) or ".err.not_forward" (no Back).
	Prefix string
}

// Index is the position of s, or -1 when s is not a stage.
func (m Machine) Index(s string) int {
	for i, x := range m.Stages {
		if x == s {
			return i
		}
	}
	return -1
}

// Valid reports whether s is a stage.
func (m Machine) Valid(s string) bool { return m.Index(s) >= 0 }

// Unknown is the refusal of a stage that does not exist, under field "stage".
func (m Machine) Unknown(s string) *apperr.Error {
	return apperr.New(apperr.Invalid, "invalid_stage", m.Prefix+".err.stage", s).With("stage", m.Prefix+".err.stage", s)
}

// Move checks a move from → to. Staying put is refused; going back is refused unless the
// machine allows it and a reason is given. from must be a stage the record is in.
func (m Machine) Move(from, to, reason string) error {
	fi, ti := m.Index(from), m.Index(to)
	switch {
	case ti < 0:
		return m.Unknown(to)
	case !m.Back && ti <= fi:
		return apperr.New(apperr.Invalid, m.Prefix+"_not_forward", m.Prefix+".err.not_forward", from, to).
			With("stage", m.Prefix+".err.not_forward", from, to)
	case ti == fi:
		return apperr.New(apperr.Invalid, "same_stage", m.Prefix+".err.same_stage", to).With("stage", m.Prefix+".err.same_stage", to)
	case ti < fi && reason == "":
		return apperr.New(apperr.Invalid, "backwards_without_reason", m.Prefix+".err.backwards", from, to).
			With("reason", m.Prefix+".err.backwards", from, to)
	}
	return nil
}
