package enterprise_test

import (
	"testing"

	"zhanxin/internal/apperr"
	"zhanxin/internal/enterprise"
)

func TestValidateUSCC(t *testing.T) {
	// 91350100M000100Y43 is the worked example of GB 32100-2015's check character.
	if err := enterprise.ValidateUSCC("91350100M000100Y43"); err != nil {
		t.Fatalf("the standard's example was refused: %v", err)
	}
	if err := enterprise.ValidateUSCC(" 91350100m000100y43 "); err != nil {
		t.Fatalf("lower case and spaces should be normalised: %v", err)
	}
	for code, wantKey := range map[string]string{
		"91350100M000100Y44":  "err.uscc.check",
		"91350100M000100Y4":   "err.uscc.length",
		"91350100M000100Y433": "err.uscc.length",
		"9135010OM000100Y43":  "err.uscc.chars", // letter O is not in the alphabet
	} {
		err := enterprise.ValidateUSCC(code)
		e := apperr.From(err)
		if err == nil || e.Kind != apperr.Invalid || e.Key != wantKey || len(e.Fields) != 1 || e.Fields[0].Name != "uscc" {
			t.Errorf("%s: %v (key %s), want %s on field uscc", code, err, e.Key, wantKey)
		}
	}
	e := apperr.From(enterprise.ValidateUSCC("91350100M000100Y44"))
	if len(e.Args) != 2 || e.Args[1] != "3" {
		t.Errorf("the message should name the right check character 3: %v", e.Args)
	}
}
