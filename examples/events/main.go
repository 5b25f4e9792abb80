// Command events is a Touchbase automation example (SPEC §7): it records
// business events from another system — an ERP, a shop, a service desk —
// as Touchbase events, from a feed of one JSON object per line on
// standard input:
//
//	{"client":"ООО Ромашка","kind":"shipment","date":"2026-03-02","external_id":"SHP-2026-00123","note":"№ 24017"}
//
// It signs in as a staff user (a service manager records for every
// point) and POSTs each line to /api/collections/events/records with the
// feed's source (-source, default erp). Recording is idempotent: Touchbase
// refuses a second event of the same (source, external_id) with a 400
// naming external_id, which this program reports as "already" — so the
// whole feed may be sent again after a crash, a timeout or a retry, and
// nothing is recorded twice. Network errors and 5xx are retried.
//
//	TOUCHBASE_PASSWORD=… go run ./examples/events -email service@touchbase.demo < shipments.jsonl
//
// Each input line gives one output line:
// {"line":1,"external_id":"…","status":"recorded|already|rejected","id":"…","error":"…"}.
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
	"time"
)

func main() {
	var cfg Config
	flag.StringVar(&cfg.URL, "url", envOr("TOUCHBASE_URL", "http://127.0.0.1:8090"), "Touchbase server address (env TOUCHBASE_URL)")
	flag.StringVar(&cfg.Email, "email", os.Getenv("TOUCHBASE_EMAIL"), "staff e-mail to sign in with (env TOUCHBASE_EMAIL)")
	flag.StringVar(&cfg.Password, "password", "", "password (better: env TOUCHBASE_PASSWORD)")
	flag.StringVar(&cfg.Source, "source", "erp", "the source system of the feed: (source, external_id) identifies an event")
	flag.Parse()
	if cfg.Password == "" {
		cfg.Password = os.Getenv("TOUCHBASE_PASSWORD")
	}
	if cfg.Email == "" || cfg.Password == "" {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	summary, err := New(cfg).Run(ctx, os.Stdin, os.Stdout)
	log.Printf("%d recorded, %d already recorded, %d rejected", summary.Recorded, summary.Already, summary.Rejected)
	if err != nil {
		log.Fatal(err)
	}
}

// Config is where to record and as whom.
type Config struct {
	URL, Email, Password, Source string
}

// Line is one event of the feed. Client is the client's id or exact name.
type Line struct {
	Client     string `json:"client"`
	Kind       string `json:"kind"`
	Date       string `json:"date"`
	ExternalId string `json:"external_id"`
	Note       string `json:"note,omitempty"`
	Occasion   string `json:"occasion,omitempty"` // for a purchase: the occasion's id
}

// Result is what became of one line.
type Result struct {
	Line       int    `json:"line"`
	ExternalId string `json:"external_id"`
	Status     string `json:"status"` // recorded | already | rejected
	Id         string `json:"id,omitempty"`
	Error      string `json:"error,omitempty"`
}

// Summary counts the results.
type Summary struct{ Recorded, Already, Rejected int }

// Recorder records a feed.
type Recorder struct {
	cfg    Config
	client *http.Client
	token  string
	names  map[string]string // client name → id, looked up once each
	// Retries and Backoff bound the retries of a network error or a 5xx.
	Retries int
	Backoff time.Duration
}

// New returns a recorder for cfg.
func New(cfg Config) *Recorder {
	return &Recorder{cfg: cfg, client: &http.Client{Timeout: 30 * time.Second}, names: map[string]string{},
		Retries: 5, Backoff: 500 * time.Millisecond}
}

// Run signs in and records every line of in, writing one result line per
// input line to out. A line that cannot be read or is refused is
// "rejected" and the feed goes on; a server that stays unreachable ends
// the run with an error (run it again: what was recorded is "already").
func (r *Recorder) Run(ctx context.Context, in io.Reader, out io.Writer) (Summary, error) {
	var summary Summary
	if err := r.signIn(ctx); err != nil {
		return summary, err
	}
	scanner := bufio.NewScanner(in)
	scanner.Buffer(make([]byte, 64*1024), 1<<20)
	enc := json.NewEncoder(out)
	n := 0
	for scanner.Scan() {
		n++
		text := strings.TrimSpace(scanner.Text())
		if text == "" {
			continue
		}
		res, err := r.record(ctx, n, text)
		if err != nil {
			return summary, fmt.Errorf("line %d: %w", n, err)
		}
		switch res.Status {
		case "recorded":
			summary.Recorded++
		case "already":
			summary.Already++
		default:
			summary.Rejected++
		}
		if err := enc.Encode(res); err != nil {
			return summary, err
		}
	}
	return summary, scanner.Err()
}

func (r *Recorder) signIn(ctx context.Context) error {
	var auth struct{ Token string }
	status, body, err := r.do(ctx, http.MethodPost, "/api/collections/users/auth-with-password",
		map[string]string{"identity": r.cfg.Email, "password": r.cfg.Password})
	if err != nil {
		return err
	}
	if status != http.StatusOK || json.Unmarshal(body, &auth) != nil || auth.Token == "" {
		return fmt.Errorf("sign-in as %s: %d %s", r.cfg.Email, status, body)
	}
	r.token = auth.Token
	return nil
}

// record posts one line; err is only for a server that cannot be reached.
func (r *Recorder) record(ctx context.Context, n int, text string) (Result, error) {
	var line Line
	res := Result{Line: n, Status: "rejected"}
	if err := json.Unmarshal([]byte(text), &line); err != nil {
		res.Error = "not a JSON object: " + err.Error()
		return res, nil
	}
	res.ExternalId = line.ExternalId
	if line.ExternalId == "" {
		res.Error = "external_id is required: without it a retry would record the event twice"
		return res, nil
	}
	client, err := r.clientId(ctx, line.Client)
	if err != nil {
		return res, err
	}
	if client == "" {
		res.Error = fmt.Sprintf("no client %q that this account can see", line.Client)
		return res, nil
	}
	body := map[string]string{"client": client, "kind": line.Kind, "date": line.Date, "note": line.Note,
		"source": r.cfg.Source, "external_id": line.ExternalId}
	if line.Occasion != "" {
		body["occasion"] = line.Occasion
	}
	status, raw, err := r.do(ctx, http.MethodPost, "/api/collections/events/records", body)
	if err != nil {
		return res, err
	}
	var answer struct {
		Id      string `json:"id"`
		Message string `json:"message"`
		Data    map[string]struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"data"`
	}
	_ = json.Unmarshal(raw, &answer)
	switch {
	case status == http.StatusOK:
		res.Status, res.Id = "recorded", answer.Id
	case status == http.StatusBadRequest && answer.Data["external_id"].Code == "validation_event_recorded":
		res.Status, res.Error = "already", answer.Data["external_id"].Message
	default:
		res.Error = fmt.Sprintf("%d %s", status, answer.Message)
		for field, e := range answer.Data {
			res.Error += fmt.Sprintf(" %s: %s", field, e.Message)
		}
	}
	return res, nil
}

// clientId returns ref when it is the id of a client the account sees,
// else the id of the one client of that exact name; "" for none.
func (r *Recorder) clientId(ctx context.Context, ref string) (string, error) {
	if id, ok := r.names[ref]; ok {
		return id, nil
	}
	filter := fmt.Sprintf("id = %q || name = %q", ref, ref)
	status, raw, err := r.do(ctx, http.MethodGet, "/api/collections/clients/records?perPage=2&fields=id&filter="+url.QueryEscape(filter), nil)
	if err != nil {
		return "", err
	}
	var list struct{ Items []struct{ Id string } }
	id := ""
	if status == http.StatusOK && json.Unmarshal(raw, &list) == nil && len(list.Items) == 1 {
		id = list.Items[0].Id
	}
	r.names[ref] = id
	return id, nil
}

// do sends one JSON request, retrying network errors and 5xx with backoff:
// safe for event posts, which are idempotent by (source, external_id).
func (r *Recorder) do(ctx context.Context, method, path string, body any) (int, []byte, error) {
	var payload []byte
	if body != nil {
		payload, _ = json.Marshal(body)
	}
	var lastErr error
	for attempt := 0; attempt <= r.Retries; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return 0, nil, ctx.Err()
			case <-time.After(r.Backoff << (attempt - 1)):
			}
		}
		req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(r.cfg.URL, "/")+path, bytes.NewReader(payload))
		if err != nil {
			return 0, nil, err
		}
		req.Header.Set("Content-Type", "application/json")
		if r.token != "" {
			req.Header.Set("Authorization", r.token)
		}
		res, err := r.client.Do(req)
		if err != nil {
			lastErr = err
			continue
		}
		raw, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			lastErr = err
			continue
		}
		if res.StatusCode >= 500 {
			lastErr = fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, raw)
			continue
		}
		return res.StatusCode, raw, nil
	}
	return 0, nil, errors.Join(errors.New("the server cannot be reached"), lastErr)
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
