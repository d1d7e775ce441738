// Package apperr is the closed set of error kinds that use cases return. The web and API
// adapters turn a kind into a status code and the message key into the user's language;
// the cause stays in the log and never reaches the user.
package apperr

import (
	"errors"
	"net/http"
)

// Kind classifies an error for the user and for the status code.
type Kind int

const (
	Internal Kind = iota
	Invalid
	Unauthenticated
	Forbidden
	NotFound
	Conflict
	TooLarge
	RateLimited
	Unavailable
	// BadRequest is a request that cannot be read at all (malformed JSON, an unknown or
	// mistyped field), as opposed to Invalid: well-formed but failing the rules.
	BadRequest
	// UnsupportedMedia is a body in a format the endpoint does not take.
	UnsupportedMedia
	// MethodNotAllowed is a known address asked with a method it does not take.
	MethodNotAllowed
)

// Status is the HTTP status for a kind.
func (k Kind) Status() int {
	switch k {
	case Invalid:
		return http.StatusUnprocessableEntity
	case Unauthenticated:
		return http.StatusUnauthorized
	case Forbidden:
		return http.StatusForbidden
	case NotFound:
		return http.StatusNotFound
	case Conflict:
		return http.StatusConflict
	case TooLarge:
		return http.StatusRequestEntityTooLarge
	case RateLimited:
		return http.StatusTooManyRequests
	case Unavailable:
		return http.StatusServiceUnavailable
	case BadRequest:
		return http.StatusBadRequest
	case UnsupportedMedia:
		return http.StatusUnsupportedMediaType
	case MethodNotAllowed:
		return http.StatusMethodNotAllowed
	}
	return http.StatusInternalServerError
}

// Field is a problem with one input field (or a row and column of an import).
type Field struct {
	Name string `json:"field"`
	Key  string `json:"-"`
	Args []any  `json:"-"`
}

// Error is what use cases return. Code is stable and machine-readable ("invalid_password");
// Key and Args name the catalogue message shown to people.
type Error struct {
	Kind   Kind
	Code   string
	Key    string
	Args   []any
	Fields []Field
	Err    error // internal cause, logged only
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Code + ": " + e.Err.Error()
	}
	return e.Code
}

func (e *Error) Unwrap() error { return e.Err }

// New makes an error of a kind with a code and a catalogue message.
func New(kind Kind, code, key string, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Key: key, Args: args}
}

// Wrap keeps cause as the internal reason of e.
func (e *Error) Wrap(cause error) *Error { e.Err = cause; return e }

// With adds a field problem.
func (e *Error) With(field, key string, args ...any) *Error {
	e.Fields = append(e.Fields, Field{Name: field, Key: key, Args: args})
	return e
}

// From returns err as an *Error, or an Internal error around it.
func From(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Kind: Internal, Code: "internal", Key: "err.internal", Err: err}
}

// Is reports whether err is an *Error of kind k.
func Is(err error, k Kind) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == k
}

// Common errors. Missing names the kind of thing ("enterprise", "region"): each kind has
// its own catalogue message so that no English noun lands in a Chinese sentence.
func Forbid() *Error { return New(Forbidden, "forbidden", "err.forbidden") }
func Missing(what string) *Error {
	return New(NotFound, "not_found", "err.not_found."+what)
}

// Fields collects every field problem of one input, so that a form shows them all at once;
// the first problem gives the error its code and message.
type Fields struct{ e *Error }

// Add records a problem with field.
func (f *Fields) Add(field, code, key string, args ...any) {
	if f.e == nil {
		f.e = New(Invalid, code, key, args...)
	}
	f.e.With(field, key, args...)
}

// Err is nil when no problem was added (a nil *Error in an error would not be).
func (f *Fields) Err() error {
	if f.e == nil {
		return nil
	}
	return f.e
}
