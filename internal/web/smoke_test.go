package web_test

import (
	"net/http"
	"strings"
	"testing"

	"zhanxin/internal/auth"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
	"zhanxin/internal/web"
	"zhanxin/internal/webtest"
)

func TestLoginAndHome(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{})
		env.AddUser("alice", auth.Planner, "", 0)
		c := env.Login("alice")
		resp := c.Get("/")
		body := webtest.ReadBody(resp)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="current-user"`) {
			t.Fatalf("home: %d\n%s", resp.StatusCode, body)
		}
	})
}
