package web

import (
	"net/http"
	"net/url"

	"zhanxin/internal/api"
	"zhanxin/internal/apperr"
)

// fail answers a request with err: the API's JSON shape, or an error page. The internal
// cause is logged with the request id; the user sees only the catalogue message.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	e := apperr.From(err)
	ctx := r.Context()
	if e.Kind == apperr.Internal {
		s.log.ErrorContext(ctx, "internal error", "err", err, "path", r.URL.Path)
	} else {
		s.log.InfoContext(ctx, "request refused", "code", e.Code, "err", err)
	}
	lang := s.lang(r)
	if isAPI(r) || r.Header.Get("Authorization") != "" {
		api.WriteJSON(w, e.Kind.Status(), api.NewError(s.cat, lang, e, w.Header().Get("X-Request-Id")))
		return
	}
	if e.Kind == apperr.Unauthenticated && r.Method == http.MethodGet {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	s.render(w, r, e.Kind.Status(), "error", errorView{Page: s.page(w, r, "err.title"),
		Message: s.cat.T(lang, e.Key, e.Args...), Code: e.Code, Fields: api.Fields(s.cat, lang, e)})
}

type errorView struct {
	Page
	Message string
	Code    string
	Fields  []api.FieldError
}

// handler is an HTTP handler that returns an error for the adapter to show.
type handler func(w http.ResponseWriter, r *http.Request) error

func (s *Server) adapt(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.fail(w, r, err)
		}
	}
}
