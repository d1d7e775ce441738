package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"zhanxin/internal/auth"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
	"zhanxin/internal/web"
	"zhanxin/internal/webtest"
)

// The user page links to the changes made to that user: the audit log filtered by entity
// and entity id, which keeps the filter when the form is submitted again.
func TestUserPageLinksToItsChangeHistory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{})
		env.AddUser("root", auth.Admin, "", 0)
		target := env.AddUser("zhou", auth.Viewer, "", 0)
		other := env.AddUser("qian", auth.Viewer, "", 0)
		c := env.Login("root")
		for _, name := range []string{"zhou", "qian"} {
			resp := c.PostForm("/admin/users/"+name+"/disable", url.Values{})
			admSeeOther(t, resp, "/admin/users/"+name, "disable "+name)
		}
		doc := admExpect(t, c.Get("/admin/users/zhou"), http.StatusOK, "user page")
		href, ok := doc.Find(`[data-testid=history-link]`).Attr("href")
		if !ok {
			t.Fatal("no history link on the user page")
		}
		doc = admExpect(t, c.Get(href), http.StatusOK, "history")
		rows := doc.Find(`[data-testid=audit-table] tbody tr`)
		var actions []string
		rows.Each(func(_ int, r *goquery.Selection) {
			cells := admCellTexts(r)
			if len(cells) < 5 {
				t.Fatalf("history row has %d cells: %v", len(cells), cells)
			}
			if cells[4] != itoa(target.ID) {
				t.Errorf("history of user %d shows a row of entity %s", target.ID, cells[4])
			}
			actions = append(actions, cells[2])
		})
		if strings.Join(actions, ",") != "user.disable,user.create" {
			t.Fatalf("history of zhou: %v (qian is %d)", actions, other.ID)
		}
		if v, _ := doc.Find(`input[name=entity_id]`).Attr("value"); v != itoa(target.ID) {
			t.Fatalf("the filter form lost entity_id: %q", v)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
