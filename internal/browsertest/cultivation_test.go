package browsertest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"zhanxin/internal/store"
)

// rowsJS reads the cells of the table with data-testid id as the browser renders them.
func rowsJS(id string) string {
	return fmt.Sprintf(`[...document.querySelectorAll('table[data-testid="%s"] tbody tr')].map(tr => [...tr.querySelectorAll('td')].map(td => td.innerText.trim()))`, id)
}

// enterpriseID finds an article enterprise's id in the session's database.
func enterpriseID(s *Session, name string) int64 {
	s.T.Helper()
	ents, err := s.Env.DB.AllEnterprises(context.Background(), store.EnterpriseScope{All: true})
	if err != nil {
		s.T.Fatal(err)
	}
	for _, e := range ents {
		if e.NameZh == name {
			return e.ID
		}
	}
	s.T.Fatalf("no enterprise %s in the default dataset", name)
	return 0
}

// TestBrowserCultivation opens the cultivation pages in Chromium on the default dataset:
// the nine classes, the 龙头 register with 虔东稀土 qualifying on the article's sentence,
// and 虔东稀土's own classification with its unknown USCC — with no console error.
func TestBrowserCultivation(t *testing.T) {
	s := Open(t)
	s.Login("admin")

	s.Open("/cultivation")
	var classes [][]string
	s.Eval("classes", rowsJS("classes"), &classes)
	if len(classes) != 9 {
		t.Fatalf("%d classes on /cultivation, want 9: %q", len(classes), classes)
	}
	names := ""
	for _, r := range classes {
		names += r[0] + " "
	}
	for _, want := range []string{"龙头企业", "专精特新", "规模以上工业企业"} {
		if !strings.Contains(names, want) {
			t.Errorf("classes lack %s: %s", want, names)
		}
	}
	s.Shot("cultivation.png", 1366)
	s.Check("/cultivation")

	s.Open("/cultivation/classes/leader")
	var reg [][]string
	s.Eval("leader register", rowsJS("register"), &reg)
	var qd []string
	for _, r := range reg {
		if len(r) > 4 && r[1] == "虔东稀土" {
			qd = r
		}
	}
	if qd == nil || qd[3] != "符合" || !strings.Contains(qd[4], "龙头企业虔东稀土拥有最完整的稀土产业链条") {
		t.Errorf("虔东稀土 in the 龙头 register: %q", qd)
	}
	s.Shot("cultivation-leader.png", 1366)
	s.Check("/cultivation/classes/leader")

	s.Open(fmt.Sprintf("/cultivation/enterprises/%d", enterpriseID(s, "虔东稀土")))
	var uscc string
	s.Eval("USCC", `document.querySelector('[data-testid=uscc]').innerText.trim()`, &uscc)
	if uscc != "未知" {
		t.Errorf("虔东稀土's USCC shown as %q, want 未知 (the article gives none)", uscc)
	}
	var cls [][]string
	s.Eval("classification", rowsJS("classification"), &cls)
	if len(cls) != 9 {
		t.Errorf("classification has %d rows, want one per class: %q", len(cls), cls)
	}
	s.Shot("cultivation-enterprise.png", 1366)
	s.Check("cultivation enterprise page")
}
