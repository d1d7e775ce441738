package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"zhanxin/internal/auth"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
	"zhanxin/internal/web"
	"zhanxin/internal/webtest"
)

// TestStatsAPIIssueBadInputList posts each case of issue 3's "Bad input" list that a JSON
// client can make, in Chinese and in English: each answers with its status and code, names
// the field and the bad value in the client's language, and writes nothing.
func TestStatsAPIIssueBadInputList(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{})
		seedRegions(t, db)
		stSeed(t, db)
		a := seedEnterprise(t, db, "章贡甲磁材", "360702")
		b := seedEnterprise(t, db, "南康乙电机", "360703")
		env.AddUser("planner", auth.Planner, "", 0)
		env.AddUser("county-a", auth.County, "360702", 0)
		env.AddUser("ent-a", auth.Enterprise, "", a)
		env.AddUser("ent-b", auth.Enterprise, "", b)
		planner, county, entA, entB := env.Token("planner"), env.Token("county-a"), env.Token("ent-a"), env.Token("ent-b")
		mustPost := func(tok, path string, body any, want int) {
			t.Helper()
			if status, _, got := postJSON(t, env, path, tok, body); status != want {
				t.Fatalf("POST %s: %d, want %d\n%s", path, status, want, got)
			}
		}
		// 360702/2014 approved and locked; B's own figure for 2016.
		mustPost(county, "/api/v1/facts", stFact("360702", "2014", "10"), http.StatusCreated)
		mustPost(county, "/api/v1/periods/360702/2014/submit", nil, http.StatusOK)
		mustPost(planner, "/api/v1/periods/360702/2014/approve", nil, http.StatusOK)
		mustPost(entB, "/api/v1/facts", stFact("", "2016", "7.25", "industry", "RE-MAG", "enterprise_id", b), http.StatusCreated)
		current, entries := stCountFacts(t, db)
		for _, c := range []struct {
			name   string
			tok    string
			path   string
			body   map[string]any
			status int
			code   string
			field  string // "" for a refusal of the whole request
			names  string
		}{
			{"unknown region", planner, "/api/v1/facts", stFact("369999", "2016", "1"), 422, "unknown_region", "region", "369999"},
			{"unknown indicator", planner, "/api/v1/facts", stFact("360702", "2016", "1", "indicator", "REVX"), 422, "unknown_indicator", "indicator", "REVX"},
			{"value in the wrong unit", planner, "/api/v1/facts", stFact("360702", "2016", "5", "unit", "吨"), 422, "wrong_unit", "unit", "吨"},
			{"text in the number", planner, "/api/v1/facts", stFact("360702", "2016", "约五亿"), 422, "bad_value", "value", "约五亿"},
			{"a month for an annual indicator", planner, "/api/v1/facts", stFact("360702", "2016-07", "1"), 422, "period_type", "period", "2016-07"},
			{"county entering for another county", county, "/api/v1/facts", stFact("360703", "2016", "1"), 403, "other_region", "", "360703"},
			{"county submitting for another county", county, "/api/v1/periods/360703/2016/submit", nil, 403, "other_region", "", "360703"},
			{"enterprise overwriting another's value", entA, "/api/v1/facts", stFact("", "2016", "1", "industry", "RE-MAG", "enterprise_id", b), 403, "other_enterprise", "", ""},
			{"change to an approved, locked value", planner, "/api/v1/facts", stFact("360702", "2014", "11", "reason", "更正"), 409, "period_locked", "", "2014"},
			{"a bad qualifier", planner, "/api/v1/facts", stFact("360702", "2016", "1", "qualifier", "大约"), 422, "bad_qualifier", "qualifier", "大约"},
		} {
			for _, lang := range []string{"zh", "en"} {
				t.Run(c.name+"/"+lang, func(t *testing.T) {
					body := "{}"
					if c.body != nil {
						j, _ := json.Marshal(c.body)
						body = string(j)
					}
					status, hdr, got := call(t, env, http.MethodPost, c.path, c.tok, "application/json", strings.NewReader(body), "Accept-Language", lang)
					e := wantError(t, c.name, status, hdr, got, c.status, c.code)
					msg := e.Error.Message
					if c.field != "" {
						msg = ""
						for _, f := range e.Error.Fields {
							if f.Field == c.field {
								msg = f.Message
							}
						}
					}
					if msg == "" || strings.HasPrefix(msg, "[") || !strings.Contains(msg, c.names) {
						t.Fatalf("message %q at %q does not name %q\n%s", msg, c.field, c.names, got)
					}
					// Chinese messages say it in Chinese; English ones in English words (units
					// such as 亿元 stay as they are written).
					rest := strings.ReplaceAll(msg, c.names, "")
					han := strings.ContainsFunc(rest, func(r rune) bool { return r >= 0x4e00 && r <= 0x9fff })
					latin := strings.Count(strings.Map(func(r rune) rune {
						if r >= 'a' && r <= 'z' {
							return 'a'
						}
						return -1
					}, rest), "a")
					if (lang == "zh" && !han) || (lang == "en" && latin < 10) {
						t.Fatalf("%s message in the wrong language: %q", lang, msg)
					}
				})
			}
		}
		if c2, e2 := stCountFacts(t, db); c2 != current || e2 != entries {
			t.Fatalf("refused requests wrote something: %d→%d facts, %d→%d entries", current, c2, entries, e2)
		}
		// Reading by guessed ids: A asks for B's figures by filter and by key.
		var list stFactList
		getJSON(t, env, fmt.Sprintf("/api/v1/facts?enterprise_id=%d", b), entA, http.StatusOK, &list)
		getJSON(t, env, "/api/v1/facts?region=360703", entA, http.StatusOK, &list)
		if len(list.Data) != 0 || list.Page.Total != 0 {
			t.Fatalf("A lists B's county: %+v", list)
		}
		getJSON(t, env, fmt.Sprintf("/api/v1/facts/history?indicator=REV&region=360703&industry=RE-MAG&period=2016&enterprise_id=%d", b), entA, 404, nil)
	})
}
