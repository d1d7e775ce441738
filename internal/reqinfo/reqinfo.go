// Package reqinfo carries what is known about the request being served (its id and the
// client address) through a context, for log lines and audit records.
package reqinfo

import (
	"context"
	"log/slog"
)

// Info is the request's id and client address.
type Info struct {
	ID string
	IP string
}

type key struct{}

// With returns ctx carrying info.
func With(ctx context.Context, info Info) context.Context { return context.WithValue(ctx, key{}, info) }

// From returns the request info in ctx, or the zero Info outside a request.
func From(ctx context.Context) Info {
	i, _ := ctx.Value(key{}).(Info)
	return i
}

// LogHandler adds the request id of the context to every log record, so that every line
// logged while serving a request can be found by the id the client saw.
type LogHandler struct{ slog.Handler }

// Handle adds request_id when the context has one.
func (h LogHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := From(ctx).ID; id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

// WithAttrs keeps the wrapper around the derived handler.
func (h LogHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return LogHandler{h.Handler.WithAttrs(as)}
}

// WithGroup keeps the wrapper around the derived handler.
func (h LogHandler) WithGroup(name string) slog.Handler { return LogHandler{h.Handler.WithGroup(name)} }
