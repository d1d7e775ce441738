// Package api is zhanxin's JSON API under /api/v1: its handlers, its one error shape, its
// paging, and the OpenAPI 3.1 document that describes it.
package api

import (
	"encoding/json"
	"net/http"

	"zhanxin/internal/apperr"
	"zhanxin/internal/i18n"
)

// ErrorResponse is the one error shape: {"error":{"code":…,"message":…,"fields":[…]}}.
type ErrorResponse struct {
	Error ErrorBody `json:"error"`
}

// ErrorBody is the inside of the error shape.
type ErrorBody struct {
	Code      string       `json:"code"`
	Message   string       `json:"message"`
	Fields    []FieldError `json:"fields"`
	RequestID string       `json:"request_id,omitempty"`
}

// FieldError names one field (or row and column) and what is wrong with it.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Fields localises the field problems of e.
func Fields(cat *i18n.Catalog, lang i18n.Lang, e *apperr.Error) []FieldError {
	out := []FieldError{}
	for _, f := range e.Fields {
		out = append(out, FieldError{Field: f.Name, Message: cat.T(lang, f.Key, f.Args...)})
	}
	return out
}

// NewError localises e into the error shape.
func NewError(cat *i18n.Catalog, lang i18n.Lang, e *apperr.Error, requestID string) ErrorResponse {
	return ErrorResponse{Error: ErrorBody{Code: e.Code, Message: cat.T(lang, e.Key, e.Args...),
		Fields: Fields(cat, lang, e), RequestID: requestID}}
}

// WriteJSON writes v with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// Endpoint is one API route: a ServeMux pattern ("GET /api/v1/regions") and its handler.
// Handlers return errors; the server's adapter writes them in the error shape.
type Endpoint struct {
	Pattern string
	Handle  func(w http.ResponseWriter, r *http.Request) error
}
