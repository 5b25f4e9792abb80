// Command watch is a Touchbase automation example (SPEC §7): it signs in
// as a staff user, subscribes to PocketBase's realtime API and prints every
// new touch that user may see — for a point manager, the touches of their
// own point — as one JSON line on stdout, and optionally POSTs each line to
// a webhook.
//
//	go run ./examples/watch -url http://127.0.0.1:8090 -email olga@touchbase.demo -password touchbase-demo
//	TOUCHBASE_PASSWORD=… go run ./examples/watch -email … -webhook https://hooks.example/touches
//
// The realtime protocol is PocketBase's: GET /api/realtime opens a
// server-sent event stream whose first event, PB_CONNECT, carries a client
// id; POST /api/realtime {clientId, subscriptions} with the user's token
// subscribes it; each record change then arrives as an event named after
// the topic with {"action","record"} as data. The server checks the
// collection's list rule for the subscriber on every event, so the watcher
// never sees another point's touches.
//
// Connections drop (the server restarts, a proxy times out, PocketBase
// closes streams idle for five minutes): the watcher reconnects with
// exponential backoff, signs in again when the token is refused (401/403),
// and after each reconnect lists the touches created while it was away, so
// none is lost and none is printed twice.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func main() {
	cfg := Config{}
	flag.StringVar(&cfg.URL, "url", envOr("TOUCHBASE_URL", "http://127.0.0.1:8090"), "Touchbase server address (env TOUCHBASE_URL)")
	flag.StringVar(&cfg.Email, "email", os.Getenv("TOUCHBASE_EMAIL"), "staff e-mail to sign in with (env TOUCHBASE_EMAIL)")
	flag.StringVar(&cfg.Password, "password", "", "password (better: env TOUCHBASE_PASSWORD, which stays out of the process list)")
	flag.StringVar(&cfg.Webhook, "webhook", os.Getenv("TOUCHBASE_WEBHOOK"), "optional URL to POST each touch to as JSON (env TOUCHBASE_WEBHOOK)")
	flag.StringVar(&cfg.Expand, "expand", "client,occasion,author", "relations to include in each line (\"\" for ids only)")
	flag.Parse()
	if cfg.Password == "" {
		cfg.Password = os.Getenv("TOUCHBASE_PASSWORD")
	}
	if cfg.Email == "" || cfg.Password == "" {
		fmt.Fprintln(os.Stderr, "watch: -email and a password (-password or TOUCHBASE_PASSWORD) are required")
		flag.Usage()
		os.Exit(2)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	w := New(cfg, os.Stdout, log.New(os.Stderr, "watch: ", log.LstdFlags))
	if err := w.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		log.Fatal(err)
	}
}

// Config is what the watcher connects to and as whom.
type Config struct {
	URL, Email, Password string
	// Webhook, when set, receives each touch as a JSON POST.
	Webhook string
	// Expand lists the touch relations to expand in each line.
	Expand string
	// MaxBackoff caps the wait between reconnects (default 30 s).
	MaxBackoff time.Duration
}

// Watcher follows the touches a user may see.
type Watcher struct {
	cfg   Config
	out   io.Writer
	log   *log.Logger
	http  *http.Client // requests with a timeout
	sse   *http.Client // the event stream (no timeout)
	token string

	// what was printed: the newest created date and the ids printed with
	// it, so the catch-up after a reconnect repeats nothing
	lastCreated string
	seen        map[string]bool
}

// New returns a watcher printing to out and logging to logger.
func New(cfg Config, out io.Writer, logger *log.Logger) *Watcher {
	cfg.URL = strings.TrimRight(cfg.URL, "/")
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 30 * time.Second
	}
	return &Watcher{
		cfg: cfg, out: out, log: logger,
		http: &http.Client{Timeout: 30 * time.Second},
		sse:  &http.Client{},
		seen: map[string]bool{},
	}
}

// errAuth marks a refused token: sign in again before the next attempt.
var errAuth = errors.New("authorization refused")

// Run follows the touches until ctx ends, reconnecting on every drop.
func (w *Watcher) Run(ctx context.Context) error {
	backoff := 500 * time.Millisecond
	first := true
	for {
		if w.token == "" {
			if err := w.signIn(ctx); err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				w.log.Printf("sign-in failed: %v", err)
				if errors.Is(err, errAuth) {
					return err // wrong e-mail or password: retrying will not help
				}
				if !sleep(ctx, backoff) {
					return ctx.Err()
				}
				backoff = min(2*backoff, w.cfg.MaxBackoff)
				continue
			}
		}

		subscribed, err := w.stream(ctx, !first)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if subscribed {
			first = false
			backoff = 500 * time.Millisecond
		}
		if errors.Is(err, errAuth) {
			w.log.Printf("token refused, signing in again")
			w.token = ""
		}
		w.log.Printf("connection lost (%v); reconnecting in %s", err, backoff)
		if !sleep(ctx, backoff) {
			return ctx.Err()
		}
		backoff = min(2*backoff, w.cfg.MaxBackoff)
	}
}

// signIn exchanges the e-mail and password for a token.
func (w *Watcher) signIn(ctx context.Context) error {
	body, _ := json.Marshal(map[string]string{"identity": w.cfg.Email, "password": w.cfg.Password})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.cfg.URL+"/api/collections/users/auth-with-password", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := w.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode == http.StatusBadRequest || res.StatusCode == http.StatusUnauthorized || res.StatusCode == http.StatusForbidden {
		return fmt.Errorf("%w: %s", errAuth, strings.TrimSpace(string(raw)))
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("sign-in: %d %s", res.StatusCode, strings.TrimSpace(string(raw)))
	}
	var auth struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(raw, &auth); err != nil || auth.Token == "" {
		return fmt.Errorf("sign-in: no token in the answer")
	}
	w.token = auth.Token
	w.log.Printf("signed in as %s", w.cfg.Email)
	return nil
}

// stream connects, subscribes and prints events until the connection
// ends; after a reconnect it first prints what was missed. It reports
// whether the subscription was established.
func (w *Watcher) stream(ctx context.Context, catchUp bool) (bool, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, w.cfg.URL+"/api/realtime", nil)
	if err != nil {
		return false, err
	}
	req.Header.Set("Accept", "text/event-stream")
	res, err := w.sse.Do(req)
	if err != nil {
		return false, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return false, fmt.Errorf("GET /api/realtime: %d", res.StatusCode)
	}
	events := bufio.NewReader(res.Body)

	name, data, err := readEvent(events)
	if err != nil {
		return false, err
	}
	if name != "PB_CONNECT" {
		return false, fmt.Errorf("expected PB_CONNECT, got %q", name)
	}
	var connect struct {
		ClientId string `json:"clientId"`
	}
	if err := json.Unmarshal(data, &connect); err != nil || connect.ClientId == "" {
		return false, fmt.Errorf("PB_CONNECT without a client id")
	}
	if err := w.subscribe(ctx, connect.ClientId); err != nil {
		return false, err
	}
	w.log.Printf("subscribed to touches (client %s)", connect.ClientId)

	// the subscription is live: whatever is created from now on arrives
	// as an event, whatever was created while disconnected is listed
	if catchUp {
		if err := w.catchUp(ctx); err != nil {
			return true, err
		}
	}

	for {
		name, data, err := readEvent(events)
		if err != nil {
			return true, err
		}
		if !strings.HasPrefix(name, "touches/") {
			continue
		}
		var ev struct {
			Action string          `json:"action"`
			Record json.RawMessage `json:"record"`
		}
		if err := json.Unmarshal(data, &ev); err != nil || ev.Action != "create" {
			continue
		}
		if err := w.emit(ctx, ev.Record); err != nil {
			return true, err
		}
	}
}

// topic is the subscription: every touch, with the relations to expand.
func (w *Watcher) topic() string {
	if w.cfg.Expand == "" {
		return "touches/*"
	}
	options, _ := json.Marshal(map[string]any{"query": map[string]string{"expand": w.cfg.Expand}})
	return "touches/*?options=" + url.QueryEscape(string(options))
}

func (w *Watcher) subscribe(ctx context.Context, clientId string) error {
	body, _ := json.Marshal(map[string]any{"clientId": clientId, "subscriptions": []string{w.topic()}})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.cfg.URL+"/api/realtime", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", w.token)
	res, err := w.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	switch res.StatusCode {
	case http.StatusNoContent, http.StatusOK:
		return nil
	case http.StatusUnauthorized, http.StatusForbidden:
		return fmt.Errorf("%w: subscribe: %s", errAuth, strings.TrimSpace(string(raw)))
	default:
		return fmt.Errorf("subscribe: %d %s", res.StatusCode, strings.TrimSpace(string(raw)))
	}
}

// catchUp prints the touches created since the last printed one (the
// list rule scopes them exactly like the subscription).
func (w *Watcher) catchUp(ctx context.Context) error {
	if w.lastCreated == "" {
		return nil
	}
	for page := 1; ; page++ {
		q := url.Values{
			"filter":    {fmt.Sprintf("created >= %q", w.lastCreated)},
			"sort":      {"created,id"},
			"perPage":   {"200"},
			"page":      {fmt.Sprint(page)},
			"skipTotal": {"1"},
		}
		if w.cfg.Expand != "" {
			q.Set("expand", w.cfg.Expand)
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, w.cfg.URL+"/api/collections/touches/records?"+q.Encode(), nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", w.token)
		res, err := w.http.Do(req)
		if err != nil {
			return err
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode == http.StatusUnauthorized || res.StatusCode == http.StatusForbidden {
			return fmt.Errorf("%w: catch-up: %d", errAuth, res.StatusCode)
		}
		if res.StatusCode != http.StatusOK {
			return fmt.Errorf("catch-up: %d %s", res.StatusCode, strings.TrimSpace(string(raw)))
		}
		var list struct {
			Items []json.RawMessage `json:"items"`
		}
		if err := json.Unmarshal(raw, &list); err != nil {
			return err
		}
		for _, item := range list.Items {
			if err := w.emit(ctx, item); err != nil {
				return err
			}
		}
		if len(list.Items) < 200 {
			return nil
		}
	}
}

// emit prints one touch as a JSON line (and posts it to the webhook),
// unless it was printed already.
func (w *Watcher) emit(ctx context.Context, record json.RawMessage) error {
	var head struct {
		Id      string `json:"id"`
		Created string `json:"created"`
	}
	if err := json.Unmarshal(record, &head); err != nil || head.Id == "" {
		return nil
	}
	if w.seen[head.Id] {
		return nil
	}
	switch {
	case head.Created > w.lastCreated:
		w.lastCreated = head.Created
		w.seen = map[string]bool{head.Id: true}
	case head.Created == w.lastCreated:
		w.seen[head.Id] = true
	}

	var line bytes.Buffer
	if err := json.Compact(&line, record); err != nil {
		return nil
	}
	line.WriteByte('\n')
	if _, err := w.out.Write(line.Bytes()); err != nil {
		return err
	}
	if w.cfg.Webhook != "" {
		w.post(ctx, line.Bytes())
	}
	return nil
}

// post delivers one line to the webhook, retrying briefly; a webhook that
// stays down is logged, and the watcher goes on.
func (w *Watcher) post(ctx context.Context, body []byte) {
	wait := 250 * time.Millisecond
	for attempt := 1; attempt <= 4; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.cfg.Webhook, bytes.NewReader(body))
		if err != nil {
			w.log.Printf("webhook: %v", err)
			return
		}
		req.Header.Set("Content-Type", "application/json")
		res, err := w.http.Do(req)
		if err == nil {
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode < 300 {
				return
			}
			err = fmt.Errorf("status %d", res.StatusCode)
		}
		w.log.Printf("webhook attempt %d: %v", attempt, err)
		if !sleep(ctx, wait) {
			return
		}
		wait *= 2
	}
}

// readEvent reads one server-sent event: its name and data.
func readEvent(r *bufio.Reader) (string, []byte, error) {
	var name string
	var data []byte
	for {
		line, err := r.ReadBytes('\n')
		if err != nil {
			return "", nil, err
		}
		line = bytes.TrimRight(line, "\r\n")
		switch {
		case len(line) == 0:
			if name != "" || data != nil {
				return name, data, nil
			}
		case bytes.HasPrefix(line, []byte("event:")):
			name = strings.TrimSpace(string(line[len("event:"):]))
		case bytes.HasPrefix(line, []byte("data:")):
			if data != nil {
				data = append(data, '\n')
			}
			data = append(data, bytes.TrimPrefix(line[len("data:"):], []byte(" "))...)
		}
	}
}

// sleep waits d or until ctx ends; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
