package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"zhanxin/internal/apperr"
	"zhanxin/internal/store"
)

// Paging limits of every list endpoint; openapi.json states the same numbers.
const (
	DefaultPerPage = 50
	MaxPerPage     = 500
	maxFilterRunes = 200
)

// PageInfo is the "page" member of every list response.
type PageInfo struct {
	Page    int `json:"page"`
	PerPage int `json:"per_page"`
	Total   int `json:"total"`
}

// List is the one envelope of every list response: {"data":[…],"page":{…}}.
type List[T any] struct {
	Data []T      `json:"data"`
	Page PageInfo `json:"page"`
}

// listing is what one list endpoint accepts: its sort keys (the store's whitelist for that
// table, repeated here so that an unknown key is refused instead of silently ignored) and
// the order used when the client names none.
type listing struct {
	sorts       []string
	defaultSort string
	defaultDesc bool
}

func invalidQuery() *apperr.Error {
	return apperr.New(apperr.Invalid, "invalid_query", "api.err.query")
}

// parseList reads page, per_page, sort, dir and q. Every bad value is reported, each under
// its parameter's name, rather than clamped: a client that asks for 10000 rows and
// silently gets 500 would think it has them all.
func (l listing) parseList(r *http.Request) (store.ListQuery, PageInfo, error) {
	v := r.URL.Query()
	e := invalidQuery()
	info := PageInfo{Page: 1, PerPage: DefaultPerPage}
	if s, ok := v["page"]; ok {
		n, err := strconv.Atoi(s[0])
		if err != nil || n < 1 {
			e.With("page", "api.err.page", s[0])
		}
		info.Page = n
	}
	if s, ok := v["per_page"]; ok {
		n, err := strconv.Atoi(s[0])
		if err != nil || n < 1 || n > MaxPerPage {
			e.With("per_page", "api.err.per_page", s[0], MaxPerPage)
		}
		info.PerPage = n
	}
	sort, dir := v.Get("sort"), v.Get("dir")
	if sort != "" && !contains(l.sorts, sort) {
		e.With("sort", "api.err.sort", sort, strings.Join(l.sorts, ", "))
	}
	if dir != "" && dir != "asc" && dir != "desc" {
		e.With("dir", "api.err.dir", dir)
	}
	q := v.Get("q")
	if utf8.RuneCountInString(q) > maxFilterRunes {
		e.With("q", "api.err.q", maxFilterRunes)
	}
	if len(e.Fields) > 0 {
		return store.ListQuery{}, PageInfo{}, e
	}
	desc := dir == "desc"
	if sort == "" {
		// dir alone reverses the default order instead of being ignored.
		sort = l.defaultSort
		if dir == "" {
			desc = l.defaultDesc
		}
	}
	// The offset has to fit the store's int on every platform; no list comes near it.
	if info.Page-1 > (1<<31-1)/info.PerPage {
		return store.ListQuery{}, PageInfo{}, invalidQuery().With("page", "api.err.page", v.Get("page"))
	}
	return store.ListQuery{Sort: sort, Desc: desc, Filter: q, Limit: info.PerPage,
		Offset: (info.Page - 1) * info.PerPage}, info, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// page wraps a store page into the list envelope, converting each row with conv.
func page[T, U any](p store.Page[T], info PageInfo, conv func(T) U) List[U] {
	out := List[U]{Data: make([]U, 0, len(p.Rows)), Page: info}
	for _, row := range p.Rows {
		out.Data = append(out.Data, conv(row))
	}
	out.Page.Total = p.Total
	return out
}

// boolParam reads an optional true/false query parameter.
func boolParam(r *http.Request, name string) (bool, error) {
	switch s := r.URL.Query().Get(name); s {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	default:
		return false, invalidQuery().With(name, "api.err.bool", name, s)
	}
}

// decodeJSON reads the request body into dst, strictly: the body must be declared as JSON,
// be exactly one JSON object, and have no field that dst does not know. A typo in a field
// name is an error, not a silently ignored value.
func decodeJSON(r *http.Request, dst any) error {
	ct := r.Header.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" || (params["charset"] != "" && !strings.EqualFold(params["charset"], "utf-8")) {
		return apperr.New(apperr.UnsupportedMedia, "unsupported_media_type", "api.err.content_type", ct)
	}
	// Read the whole value first so that a second value or trailing bytes are caught, and
	// so that an over-long body is reported as such and not as broken JSON.
	var raw json.RawMessage
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(&raw); err != nil {
		return decodeErr(err)
	}
	var extra json.RawMessage
	if err := dec.Decode(&extra); err != io.EOF {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return decodeErr(err)
		}
		return badJSON("api.err.json_one")
	}
	if trimmed := bytes.TrimLeft(raw, " \t\r\n"); len(trimmed) == 0 || trimmed[0] != '{' {
		return badJSON("api.err.json_one")
	}
	strict := json.NewDecoder(bytes.NewReader(raw))
	strict.DisallowUnknownFields()
	if err := strict.Decode(dst); err != nil {
		return decodeErr(err)
	}
	return nil
}

func badJSON(key string, args ...any) *apperr.Error {
	return apperr.New(apperr.BadRequest, "bad_json", key, args...)
}

func decodeErr(err error) error {
	var (
		mbe *http.MaxBytesError
		se  *json.SyntaxError
		te  *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &mbe):
		return apperr.New(apperr.TooLarge, "body_too_large", "api.err.body_too_large", mbe.Limit).Wrap(err)
	case errors.Is(err, io.EOF):
		return badJSON("api.err.json_empty").Wrap(err)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badJSON("api.err.json_truncated").Wrap(err)
	case errors.As(err, &se):
		return badJSON("api.err.json_syntax", se.Offset).Wrap(err)
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "(body)"
		}
		return apperr.New(apperr.BadRequest, "wrong_type", "api.err.json_type", field, jsonType(te.Type.Kind().String()), te.Value).
			With(field, "api.err.json_type", field, jsonType(te.Type.Kind().String()), te.Value).Wrap(err)
	}
	// encoding/json has no typed error for an unknown field; its message is stable API.
	if rest, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name, uerr := strconv.Unquote(rest)
		if uerr != nil {
			name = rest
		}
		return apperr.New(apperr.BadRequest, "unknown_field", "api.err.json_unknown_field", name).
			With(name, "api.err.json_unknown_field", name).Wrap(err)
	}
	return badJSON("api.err.json_bad").Wrap(err)
}

// jsonType names a Go kind the way a JSON client thinks of it.
func jsonType(kind string) string {
	switch {
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"):
		return "integer"
	case strings.HasPrefix(kind, "float"):
		return "number"
	case kind == "bool":
		return "boolean"
	case kind == "slice", kind == "array":
		return "array"
	case kind == "struct", kind == "map", kind == "ptr":
		return "object"
	}
	return kind
}
