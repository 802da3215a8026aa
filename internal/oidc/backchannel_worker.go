package oidc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// Back-channel delivery timing. A portal gets a few seconds to answer;
// a notice claimed by one worker is hidden from the others for the
// lease, which outlasts a post; failures are retried after 10s, 20s,
// 40s ... at most 15 minutes apart, until 24 hours after the session
// ended, when the notice is given up (a portal down that long has lost
// its sessions' point anyway, and its own session timeout ends them).
const (
	backchannelPoll       = time.Second
	backchannelBatch      = 20
	backchannelLease      = time.Minute
	backchannelTimeout    = 5 * time.Second
	backchannelFirstRetry = 10 * time.Second
	backchannelMaxRetry   = 15 * time.Minute
	backchannelGiveUp     = 24 * time.Hour
	backchannelMarkTime   = 5 * time.Second
)

// BackchannelWorker posts back-channel logout tokens (SSO-3) from the
// logout_deliveries outbox. Any number of workers, on one node or
// several sharing the database, may run at once: a notice is claimed
// atomically (store.ClaimLogouts) with a one-minute lease before it is
// posted, and marked done after the portal answered 2xx, so no two
// workers post it at once. A worker that dies between the post and the
// mark leaves the notice to be posted again when the lease ends, with a
// fresh token; portals treat a repeated logout as done.
//
// Each post is an application/x-www-form-urlencoded logout_token= to the
// client's BackchannelLogoutURI, with a five-second timeout; redirects
// are not followed (a 3xx is a failure). Log lines carry the notice and
// client ids, never the token.
type BackchannelWorker struct {
	p    *Provider
	http *http.Client
	wake chan struct{}
}

func newBackchannelWorker(p *Provider) *BackchannelWorker {
	return &BackchannelWorker{
		p: p,
		http: &http.Client{
			Timeout: backchannelTimeout,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		},
		wake: make(chan struct{}, 1),
	}
}

// Backchannel returns the provider's back-channel logout worker; the
// server runs it (Run), tests flush it.
func (p *Provider) Backchannel() *BackchannelWorker { return p.backchannel }

// SetHTTPClient replaces the client notices are posted with (tests, a
// proxy). Its redirect policy is replaced so that no redirect is
// followed. Call it before Run.
func (w *BackchannelWorker) SetHTTPClient(c *http.Client) {
	cc := *c
	cc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if cc.Timeout == 0 || cc.Timeout > backchannelTimeout {
		cc.Timeout = backchannelTimeout
	}
	w.http = &cc
}

// Notify wakes a running worker at once; it never blocks.
func (w *BackchannelWorker) Notify() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run delivers due notices every second, and at once after Notify,
// until ctx is done; then it returns nil.
func (w *BackchannelWorker) Run(ctx context.Context) error {
	ticker := time.NewTicker(backchannelPoll)
	defer ticker.Stop()
	for {
		if _, err := w.Flush(ctx); err != nil && ctx.Err() == nil {
			w.p.log.Error("oidc: back-channel logout outbox", slog.Any("error", err))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
		case <-w.wake:
		}
	}
}

// Flush claims and posts every notice due at the clock's now, batch after
// batch, and returns how many were delivered. A failed post is
// rescheduled (not an error); the error is for the store or ctx failing.
func (w *BackchannelWorker) Flush(ctx context.Context) (int, error) {
	delivered := 0
	for {
		if err := ctx.Err(); err != nil {
			return delivered, err
		}
		batch, err := w.p.store.ClaimLogouts(ctx, w.p.clock.Now(), backchannelBatch, backchannelLease)
		if err != nil {
			return delivered, fmt.Errorf("oidc: claim logout notices: %w", err)
		}
		for _, d := range batch {
			if err := ctx.Err(); err != nil {
				return delivered, err
			}
			if w.deliver(ctx, d) {
				delivered++
			}
		}
		if len(batch) < backchannelBatch {
			return delivered, nil
		}
	}
}

// deliver posts one claimed notice and records the outcome; it reports
// whether the portal took it.
func (w *BackchannelWorker) deliver(ctx context.Context, d *domain.LogoutDelivery) bool {
	log := w.p.log.With(slog.Int64("notice", d.ID), slog.String("client_id", d.ClientID))
	markCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), backchannelMarkTime)
	defer cancel()
	now := w.p.clock.Now()
	if now.Sub(d.CreatedAt) >= backchannelGiveUp {
		log.Error("oidc: back-channel logout given up", slog.Int("attempts", d.Attempts), slog.String("last_error", d.LastError))
		w.mark(markCtx, log, w.p.store.MarkLogoutDone(markCtx, d.ID, now, false, "given up: "+d.LastError))
		return false
	}
	c, err := w.p.store.ClientByID(ctx, d.ClientID)
	if domain.IsNotFound(err) || (err == nil && c.BackchannelLogoutURI == "") {
		log.Info("oidc: back-channel logout dropped: the client or its URI is gone")
		w.mark(markCtx, log, w.p.store.MarkLogoutDone(markCtx, d.ID, now, false, "client or back-channel URI removed"))
		return false
	}
	if err == nil {
		err = w.post(ctx, c, d)
	}
	if err == nil {
		w.mark(markCtx, log, w.p.store.MarkLogoutDone(markCtx, d.ID, w.p.clock.Now(), true, ""))
		log.Info("oidc: back-channel logout delivered", slog.Int("attempts", d.Attempts+1))
		return true
	}
	if ctx.Err() != nil {
		return false // stopping: the lease runs out and another worker posts it
	}
	delay := backchannelRetry(d.Attempts + 1)
	w.mark(markCtx, log, w.p.store.MarkLogoutFailed(markCtx, d.ID, w.p.clock.Now().Add(delay), shortReason(err)))
	log.Warn("oidc: back-channel logout failed; will retry", slog.Int("attempts", d.Attempts+1),
		slog.String("retry_in", delay.String()), slog.Any("error", err))
	return false
}

func (w *BackchannelWorker) mark(ctx context.Context, log *slog.Logger, err error) {
	if err != nil {
		log.ErrorContext(ctx, "oidc: record back-channel logout outcome", slog.Any("error", err))
	}
}

// post signs a fresh logout token and posts it to the client.
func (w *BackchannelWorker) post(ctx context.Context, c *domain.Client, d *domain.LogoutDelivery) error {
	tok, err := w.p.logoutToken(ctx, c, d)
	if err != nil {
		return err
	}
	body := url.Values{"logout_token": {tok}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.BackchannelLogoutURI, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := w.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is not logged
		}
		return err
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 4<<10))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return fmt.Errorf("portal answered %s", res.Status)
	}
	return nil
}

// backchannelRetry is the wait after the given number of failures.
func backchannelRetry(failures int) time.Duration {
	d := backchannelFirstRetry
	for i := 1; i < failures && d < backchannelMaxRetry; i++ {
		d *= 2
	}
	return min(d, backchannelMaxRetry)
}

func shortReason(err error) string {
	s := err.Error()
	if len(s) > 300 {
		s = strings.ToValidUTF8(s[:300], "")
	}
	return s
}
