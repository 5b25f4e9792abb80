package realtime_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"touchbase/testapp"
)

func TestMain(m *testing.M) { testapp.Main(m) }

// event is one realtime message a test subscriber received.
type event struct {
	topic, action, collection, id, client string
	data                                  string
}

type subscriber struct {
	mu     sync.Mutex
	events []event
}

func (s *subscriber) got() []event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.events)
}

// subscribe connects to the realtime API as user id ("" = anonymous) and
// subscribes to topics.
func subscribe(t *testing.T, srv *httptest.Server, id string, topics ...string) *subscriber {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api/realtime", nil)
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(res.Body)
	name, data := readEvent(t, r)
	if name != "PB_CONNECT" {
		t.Fatalf("first event %q", name)
	}
	var connect struct{ ClientId string }
	json.Unmarshal([]byte(data), &connect)
	body, _ := json.Marshal(map[string]any{"clientId": connect.ClientId, "subscriptions": topics})
	sub, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/realtime", bytes.NewReader(body))
	sub.Header.Set("Content-Type", "application/json")
	for k, v := range testapp.Auth(id) {
		sub.Header.Set(k, v)
	}
	subRes, err := srv.Client().Do(sub)
	if err != nil {
		t.Fatal(err)
	}
	subRes.Body.Close()
	if subRes.StatusCode != http.StatusNoContent {
		t.Fatalf("subscribe as %q: %d", id, subRes.StatusCode)
	}

	s := &subscriber{}
	go func() {
		defer res.Body.Close()
		for {
			name, data, err := nextEvent(r)
			if err != nil {
				return
			}
			var msg struct {
				Action string         `json:"action"`
				Record map[string]any `json:"record"`
			}
			json.Unmarshal([]byte(data), &msg)
			str := func(k string) string { v, _ := msg.Record[k].(string); return v }
			s.mu.Lock()
			s.events = append(s.events, event{topic: name, action: msg.Action, collection: str("collectionName"),
				id: str("id"), client: str("client"), data: data})
			s.mu.Unlock()
		}
	}()
	return s
}

func readEvent(t *testing.T, r *bufio.Reader) (string, string) {
	t.Helper()
	name, data, err := nextEvent(r)
	if err != nil {
		t.Fatal(err)
	}
	return name, data
}

func nextEvent(r *bufio.Reader) (string, string, error) {
	var name, data string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return "", "", err
		}
		line = strings.TrimRight(line, "\r\n")
		switch {
		case line == "":
			if name != "" {
				return name, data, nil
			}
		case strings.HasPrefix(line, "event:"):
			name = line[len("event:"):]
		case strings.HasPrefix(line, "data:"):
			data += line[len("data:"):]
		}
	}
}

// TestScopedDelivery checks that every subscriber receives exactly the
// events its user may see — once — whether this package or PocketBase's
// own broadcast delivers them, and that both deliver the same data.
func TestScopedDelivery(t *testing.T) {
	app := testapp.New(t)
	srv := testapp.Serve(t, app)

	all := []string{"touches/*", "comments/*", "clients/*", "tickets/*", "holds/*"}
	headers := "?options=" + url.QueryEscape(`{"headers":{"x_probe":"1"}}`)
	pm1 := subscribe(t, srv, testapp.PM1, all...)
	pm2 := subscribe(t, srv, testapp.PM2, all...)
	pm1b := subscribe(t, srv, testapp.PM1b, "touches/*")
	sm := subscribe(t, srv, testapp.SM, all...)
	su := subscribe(t, srv, testapp.Superuser, all...)
	guest := subscribe(t, srv, "", all...)
	// served by PocketBase itself: a subscription with options, one to a record
	pm1opt := subscribe(t, srv, testapp.PM1, "touches/*"+headers, "comments/*"+headers)
	pm2opt := subscribe(t, srv, testapp.PM2, "touches/*"+headers)
	pm1rec := subscribe(t, srv, testapp.PM1, "touches/"+testapp.T1)

	mustStatus := func(r testapp.Response, want int) testapp.Response {
		t.Helper()
		if r.Status != want {
			t.Fatalf("status %d, want %d: %s", r.Status, want, r.Body)
		}
		return r
	}
	mark1 := mustStatus(testapp.Request(t, srv, "POST", "/api/collections/touches/records", testapp.PM1,
		`{"client":"`+testapp.C1+`","occasion":"`+testapp.OccStandard+`","status":"done","channel":"phone"}`), 200)
	mark2 := mustStatus(testapp.Request(t, srv, "POST", "/api/collections/touches/records", testapp.PM2,
		`{"client":"`+testapp.C2+`","occasion":"`+testapp.OccStandard+`","status":"done"}`), 200)
	mustStatus(testapp.Request(t, srv, "PATCH", "/api/collections/touches/records/"+testapp.T1, testapp.PM1,
		`{"status":"skipped","comment":"not now"}`), 200)
	note := mustStatus(testapp.Request(t, srv, "POST", "/api/collections/comments/records", testapp.PM1,
		`{"client":"`+testapp.C1+`","text":"call back on Monday"}`), 200)
	noteId := note.JSON["id"].(string)
	mustStatus(testapp.Request(t, srv, "DELETE", "/api/collections/comments/records/"+noteId, testapp.PM1, ""), 204)
	mustStatus(testapp.Request(t, srv, "POST", "/api/collections/tickets/records", testapp.SM,
		`{"client":"`+testapp.C2+`","title":"Broken pump"}`), 200)
	touch1, touch2 := mark1.JSON["id"].(string), mark2.JSON["id"].(string)

	// what each point sees: P1 is C1 (and C1b, C1c), P2 is C2
	p1 := func(e event) bool { return e.client == testapp.C1 || e.id == testapp.C1 }
	p2 := func(e event) bool { return e.client == testapp.C2 || e.id == testapp.C2 }
	// P1: touch create, its comment, T1 update and its comment, the note's
	// create and delete; P2: touch create, its comment, ticket, hold,
	// system comment
	const p1Events, p2Events = 6, 5

	waitFor(t, func() bool {
		return len(sm.got()) >= p1Events+p2Events && len(pm1.got()) >= p1Events && len(pm2.got()) >= p2Events
	})
	time.Sleep(300 * time.Millisecond) // let anything misdirected arrive

	check := func(name string, s *subscriber, want func(event) bool, n int) {
		t.Helper()
		got := s.got()
		seen := map[string]bool{}
		for _, e := range got {
			if !want(e) {
				t.Errorf("%s received another point's event: %+v", name, e)
			}
			k := e.topic + e.action + e.id
			if seen[k] {
				t.Errorf("%s received %s %s %s twice", name, e.topic, e.action, e.id)
			}
			seen[k] = true
		}
		if len(got) != n {
			t.Errorf("%s received %d events, want %d: %+v", name, len(got), n, got)
		}
	}
	anyEvent := func(event) bool { return true }
	check("pm1", pm1, p1, p1Events)
	check("pm2", pm2, p2, p2Events)
	check("pm1b", pm1b, func(e event) bool { return p1(e) && e.collection == "touches" }, 2)
	check("sm", sm, anyEvent, p1Events+p2Events)
	check("superuser", su, anyEvent, p1Events+p2Events)
	check("guest", guest, anyEvent, 0)
	check("pm1 with options", pm1opt, p1, 6) // touch create+update, two touch comments, note create+delete
	check("pm2 with options", pm2opt, func(e event) bool { return p2(e) && e.collection == "touches" }, 1)
	check("pm1 record topic", pm1rec, func(e event) bool { return e.id == testapp.T1 }, 1)

	// PocketBase's broadcast (options) and this package send the same data
	dataOf := func(s *subscriber, id, action string) string {
		for _, e := range s.got() {
			if e.id == id && e.action == action {
				return e.data
			}
		}
		t.Fatalf("no %s event for %s", action, id)
		return ""
	}
	if a, b := dataOf(pm1, touch1, "create"), dataOf(pm1opt, touch1, "create"); a != b {
		t.Errorf("different data for the same event:\n ours %s\n   pb %s", a, b)
	}
	if a, b := dataOf(pm1, noteId, "delete"), dataOf(pm1opt, noteId, "delete"); a != b {
		t.Errorf("different delete data:\n ours %s\n   pb %s", a, b)
	}
	if a, b := dataOf(pm2, touch2, "create"), dataOf(pm2opt, touch2, "create"); a != b {
		t.Errorf("different data for the same event:\n ours %s\n   pb %s", a, b)
	}
	// superusers see hidden fields (clients.search), staff do not
	if strings.Contains(dataOf(sm, touch1, "create"), `"search"`) {
		t.Error("a hidden field reached a staff subscriber")
	}
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if ok() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}
