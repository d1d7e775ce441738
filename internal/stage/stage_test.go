package stage_test

import (
	"testing"

	"zhanxin/internal/apperr"
	"zhanxin/internal/stage"
)

// TestMoves walks every pair of stages of both kinds of machine: a forward-only machine
// refuses staying and going back whatever the reason; a machine with Back refuses staying,
// and going back only when no reason is given. Each refusal carries the pipeline's own
// message key and names the field the user must fix.
func TestMoves(t *testing.T) {
	st := []string{"a", "b", "c"}
	fwd := stage.Machine{Stages: st, Prefix: "lead"}
	back := stage.Machine{Stages: st, Back: true, Prefix: "project"}
	for fi, from := range st {
		for ti, to := range st {
			for _, reason := range []string{"", "资金未到位"} {
				err := fwd.Move(from, to, reason)
				if ti > fi && err != nil {
					t.Errorf("forward-only %s→%s: %v", from, to, err)
				}
				if ti <= fi {
					e := apperr.From(err)
					if err == nil || e.Code != "lead_not_forward" || e.Key != "lead.err.not_forward" || len(e.Fields) != 1 || e.Fields[0].Name != "stage" {
						t.Errorf("forward-only %s→%s (%q): %#v", from, to, reason, err)
					}
				}
				err = back.Move(from, to, reason)
				e := apperr.From(err)
				switch {
				case ti == fi:
					if e == nil || e.Code != "same_stage" || e.Key != "project.err.same_stage" || e.Fields[0].Name != "stage" {
						t.Errorf("back %s→%s: %#v", from, to, err)
					}
				case ti < fi && reason == "":
					if e == nil || e.Code != "backwards_without_reason" || e.Key != "project.err.backwards" || e.Fields[0].Name != "reason" ||
						e.Args[0] != from || e.Args[1] != to {
						t.Errorf("back %s→%s without reason: %#v", from, to, err)
					}
				default:
					if err != nil {
						t.Errorf("back %s→%s (%q): %v", from, to, reason, err)
					}
				}
			}
		}
	}
	for _, m := range []stage.Machine{fwd, back} {
		e := apperr.From(m.Move("a", "z", "r"))
		if e == nil || e.Code != "invalid_stage" || e.Key != m.Prefix+".err.stage" || e.Args[0] != "z" {
			t.Errorf("%s unknown stage: %#v", m.Prefix, e)
		}
		if m.Valid("z") || !m.Valid("c") || m.Index("b") != 1 || m.Index("") != -1 {
			t.Errorf("%s Valid/Index wrong", m.Prefix)
		}
	}
}
