package stats_test

import (
	"strings"
	"testing"

	"zhanxin/internal/i18n"

	"zhanxin/internal/enterprise"
)

// validUSCC completes a stem to 17 characters with zeros and appends its check character.
func validUSCC(stem string) string {
	first := (stem + strings.Repeat("0", 17))[:17]
	c, ok := enterprise.USCCCheckChar(first)
	if !ok {
		panic("bad USCC stem " + stem)
	}
	return first + string(c)
}

// wrongCheck is code with its check character replaced by a wrong one.
func wrongCheck(code string) string {
	c := byte('0')
	if code[17] == '0' {
		c = '1'
	}
	return code[:17] + string(c)
}

var testCat *i18n.Catalog

// cat is the message catalogue, to check that problems read well in both languages.
func (f *fixture) cat() *i18n.Catalog {
	if testCat == nil {
		c, err := i18n.Load()
		if err != nil {
			panic(err)
		}
		testCat = c
	}
	return testCat
}

var _ = testing.Short
