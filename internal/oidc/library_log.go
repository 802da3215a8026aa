package oidc

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"sync"
)

// The OpenID Connect library writes its log lines (refused requests,
// mostly) through slog.Default and ignores op.WithLogger. So that those
// lines go to the logger given to New, in its format and with the
// request id, New installs once per process a default handler that sends
// a record logged with the context of a request the Provider is serving
// to that Provider's logger, and every other record to the default
// handler there was before.

type requestLoggerKey struct{}

// builtinHandler is slog's own default handler, captured before anything
// replaces it. It writes through the log package, which SetDefault points
// back at the new default handler, so it cannot be the fallback.
var builtinHandler = slog.Default().Handler()

var routeOnce sync.Once

// routeLibraryLogs installs the routing default handler, once.
func routeLibraryLogs() {
	routeOnce.Do(func() {
		prev := slog.Default().Handler()
		if prev == builtinHandler {
			prev = slog.NewTextHandler(os.Stderr, nil)
		}
		slog.SetDefault(slog.New(&routeHandler{fallback: prev}))
	})
}

// withRequestLogger puts log into the request's context, with the
// server's request id (the X-Request-Id it set on the response) when
// there is one.
func withRequestLogger(log *slog.Logger, w http.ResponseWriter, r *http.Request) *http.Request {
	if id := w.Header().Get("X-Request-Id"); id != "" {
		log = log.With(slog.String("request_id", id))
	}
	return r.WithContext(context.WithValue(r.Context(), requestLoggerKey{}, log))
}

// requestLogger returns the logger withRequestLogger put into ctx, or
// fallback.
func requestLogger(ctx context.Context, fallback *slog.Logger) *slog.Logger {
	if l, ok := ctx.Value(requestLoggerKey{}).(*slog.Logger); ok {
		return l
	}
	return fallback
}

// routeHandler sends a record to the logger in its context, else to
// fallback. Attributes and groups added with WithAttrs and WithGroup are
// replayed onto whichever handler takes the record.
type routeHandler struct {
	fallback slog.Handler
	derive   []func(slog.Handler) slog.Handler
}

// base is the handler a record logged with ctx goes to.
func (h *routeHandler) base(ctx context.Context) slog.Handler {
	if ctx != nil {
		if l, ok := ctx.Value(requestLoggerKey{}).(*slog.Logger); ok {
			// A Provider given the default logger itself would send the
			// record round in a circle.
			if _, loop := l.Handler().(*routeHandler); !loop {
				return l.Handler()
			}
		}
	}
	return h.fallback
}

func (h *routeHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.base(ctx).Enabled(ctx, level)
}

func (h *routeHandler) Handle(ctx context.Context, rec slog.Record) error {
	t := h.base(ctx)
	for _, d := range h.derive {
		t = d(t)
	}
	return t.Handle(ctx, rec)
}

func (h *routeHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return h.with(func(t slog.Handler) slog.Handler { return t.WithAttrs(attrs) })
}

func (h *routeHandler) WithGroup(name string) slog.Handler {
	return h.with(func(t slog.Handler) slog.Handler { return t.WithGroup(name) })
}

func (h *routeHandler) with(d func(slog.Handler) slog.Handler) slog.Handler {
	derive := make([]func(slog.Handler) slog.Handler, len(h.derive), len(h.derive)+1)
	copy(derive, h.derive)
	return &routeHandler{fallback: h.fallback, derive: append(derive, d)}
}
