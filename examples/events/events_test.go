package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"touchbase/internal/testapp"
)

func TestMain(m *testing.M) { testapp.Main(m) }

// TestRecordFeed: a feed of JSON lines becomes events, each once: sent
// again (a retry after a crash), every line is "already"; a line naming
// another point's client, a broken line and an unknown kind are
// "rejected" and the feed goes on. A point manager's account records for
// their own point only.
func TestRecordFeed(t *testing.T) {
	app := testapp.New(t)
	srv := testapp.Serve(t, app)
	today := time.Now().Format(time.DateOnly)
	feed := strings.Join([]string{
		`{"client":"ООО Ромашка","kind":"shipment","date":"` + today + `","external_id":"SHP-1","note":"№ 24017"}`,
		`{"client":"` + testapp.C2 + `","kind":"delivery","date":"` + today + `","external_id":"DLV-1"}`,
		`not json`,
		`{"client":"Acme Ltd","kind":"teleport","date":"` + today + `","external_id":"X-1"}`,
		`{"client":"Nobody","kind":"order","date":"` + today + `","external_id":"ORD-1"}`,
		``,
	}, "\n")

	run := func(email string) ([]Result, Summary) {
		var out bytes.Buffer
		r := New(Config{URL: srv.URL, Email: email, Password: testapp.Password, Source: "erp"})
		summary, err := r.Run(context.Background(), strings.NewReader(feed), &out)
		if err != nil {
			t.Fatal(err)
		}
		var results []Result
		for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
			var res Result
			if err := json.Unmarshal([]byte(line), &res); err != nil {
				t.Fatalf("output line %q: %v", line, err)
			}
			results = append(results, res)
		}
		return results, summary
	}
	statuses := func(results []Result) string {
		var s []string
		for _, r := range results {
			s = append(s, r.Status)
		}
		return strings.Join(s, ",")
	}

	results, summary := run("sm@test.local")
	if got := statuses(results); got != "recorded,recorded,rejected,rejected,rejected" {
		t.Errorf("first run: %s %+v", got, results)
	}
	if summary != (Summary{Recorded: 2, Rejected: 3}) {
		t.Errorf("first summary: %+v", summary)
	}
	before := testapp.CollectionState(t, app, "events")
	results, _ = run("sm@test.local")
	if got := statuses(results); got != "already,already,rejected,rejected,rejected" {
		t.Errorf("second run: %s %+v", got, results)
	}
	if testapp.CollectionState(t, app, "events") != before {
		t.Error("sending the feed again changed the events")
	}
	// Moscow's manager: Acme (London) is not a client they can see
	results, _ = run("pm1@test.local")
	if got := statuses(results); got != "already,rejected,rejected,rejected,rejected" {
		t.Errorf("PM1's run: %s %+v", got, results)
	}
}

// TestRetriesAreSafe: a server that fails the first attempts (a 502 from
// a proxy after the event was recorded) is retried, and the retry that
// reaches Touchbase again is "already", never a second event.
func TestRetriesAreSafe(t *testing.T) {
	app := testapp.New(t)
	srv := testapp.Serve(t, app)
	var posts atomic.Int32
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body := new(bytes.Buffer)
		body.ReadFrom(req.Body)
		out, _ := http.NewRequest(req.Method, srv.URL+req.URL.String(), bytes.NewReader(body.Bytes()))
		out.Header = req.Header
		res, err := http.DefaultClient.Do(out)
		if err != nil {
			t.Error(err)
			return
		}
		defer res.Body.Close()
		if strings.HasPrefix(req.URL.Path, "/api/collections/events/") && posts.Add(1) == 1 {
			w.WriteHeader(http.StatusBadGateway) // recorded, but the answer was lost
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(res.StatusCode)
		body.Reset()
		body.ReadFrom(res.Body)
		w.Write(body.Bytes())
	}))
	t.Cleanup(proxy.Close)

	r := New(Config{URL: proxy.URL, Email: "sm@test.local", Password: testapp.Password, Source: "erp"})
	r.Backoff = time.Millisecond
	var out bytes.Buffer
	summary, err := r.Run(context.Background(), strings.NewReader(`{"client":"`+testapp.C1+`","kind":"shipment","date":"2026-03-02","external_id":"SHP-9"}`), &out)
	if err != nil {
		t.Fatal(err)
	}
	if summary != (Summary{Already: 1}) || testapp.Count(t, app, "events", "external_id = 'SHP-9'") != 1 {
		t.Errorf("summary %+v, output %s", summary, out.String())
	}
}
