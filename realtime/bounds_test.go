package realtime_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"touchbase/internal/testapp"
	"touchbase/realtime"
)

// TestSubscriptionFloodCannotSlowOthers: a point manager opens as many
// connections and subscriptions with options as they can. Past the
// bounds they get a 4xx; within
// them, another point's writes stay within twice their latency without
// the attack (a ratio measured in this run, not a wall-clock limit).
func TestSubscriptionFloodCannotSlowOthers(t *testing.T) {
	app := testapp.New(t)
	srv := testapp.Serve(t, app)

	medianCommentLatency(t, srv, 20) // warm-up

	attacker := testapp.Auth(testapp.PM1)["Authorization"]
	// the costliest subscriptions the bounds allow: a filter through two
	// relations and three expanded relations, on every collection
	costly := func(collection string, n int) string {
		return withOptions(collection+"/*", fmt.Sprintf(
			`{"query":{"filter":"id != '' || client.point.name ~ 'o' || client.name ~ 'x'","expand":"client,client.point,client.manager","n":"%d"}}`, n))
	}
	var all []string
	for _, collection := range []string{"comments", "touches", "clients", "tickets", "holds", "contacts", "events"} {
		for n := range realtime.MaxStandardPerCollection + 1 {
			all = append(all, costly(collection, n))
		}
	}

	first := testapp.Connect(t, srv)
	if status, _ := first.Subscribe(t, attacker, all...); status != http.StatusBadRequest {
		t.Errorf("%d topics on one connection: %d, want 400", len(all), status)
	}
	if status, _ := first.Subscribe(t, attacker, all[:realtime.MaxStandardPerCollection+1]...); status != http.StatusTooManyRequests {
		t.Errorf("%d subscriptions to comments: %d, want 429", realtime.MaxStandardPerCollection+1, status)
	}
	// the most the bounds allow on comments, the collection PM2 writes
	attack := func() { first.MustSubscribe(t, attacker, all[:realtime.MaxStandardPerCollection]...) }
	attack()
	second := testapp.Connect(t, srv)
	if status, _ := second.Subscribe(t, attacker, costly("comments", 9)); status != http.StatusTooManyRequests {
		t.Errorf("another comments subscription on a second connection: %d, want 429", status)
	}
	for i := 1; i < realtime.MaxConnectionsPerUser+2; i++ {
		status, _ := testapp.Connect(t, srv).Subscribe(t, attacker, realtime.TouchesTopic, realtime.CommentsTopic)
		if want := map[bool]int{true: 204, false: 429}[i < realtime.MaxConnectionsPerUser]; status != want {
			t.Errorf("connection %d: %d, want %d", i+1, status, want)
		}
	}

	// with and without the attack in turns, so that drift (the database
	// growing, the machine's other load) falls on both sides alike
	var with, without []time.Duration
	for range 5 {
		with = append(with, medianCommentLatency(t, srv, 15))
		first.MustSubscribe(t, attacker) // the attack paused: only the page topics stay
		without = append(without, medianCommentLatency(t, srv, 15))
		attack()
	}
	during, before := median(with), median(without)
	ratio := float64(during) / float64(before)
	t.Logf("another point's comment: %v without the attack, %v with it (%.2f×)", before, during, ratio)
	if ratio > 2 {
		t.Errorf("the attack slows another point's writes %.2f× (%v → %v), want at most 2×", ratio, before, during)
	}
}

func median(d []time.Duration) time.Duration {
	slices.Sort(d)
	return d[len(d)/2]
}

// medianCommentLatency creates n manual comments at point P2 as its
// manager and returns the median time of a create.
func medianCommentLatency(t *testing.T, srv *httptest.Server, n int) time.Duration {
	t.Helper()
	times := make([]time.Duration, n)
	for i := range times {
		start := time.Now()
		must(t, testapp.Request(t, srv, "POST", "/api/collections/comments/records", testapp.PM2,
			`{"client":"`+testapp.C2+`","text":"note"}`), 200)
		times[i] = time.Since(start)
	}
	return median(times)
}
