package realtime_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"touchbase/internal/testapp"
	"touchbase/realtime"
)

func TestMain(m *testing.M) { testapp.Main(m) }

func withOptions(topic, options string) string {
	return topic + "?options=" + url.QueryEscape(options)
}

// subscriptionKinds are the ways a page or an automation listens: the
// standard topics without options, with options (PocketBase's broadcast
// serves both), and the page's real subscriptions (the touches topic and
// the card's comments).
var subscriptionKinds = map[string][]string{
	"plain": {"touches/*", "comments/*", "clients/*"},
	"options": {
		withOptions("touches/*", `{"query":{"expand":"author"}}`),
		withOptions("comments/*", `{"headers":{"x_probe":"1"}}`),
		withOptions("clients/*", `{"query":{"fields":"id,name,point"}}`),
	},
	"page": {realtime.TouchesTopic, realtime.CommentsTopic},
}

// p1Clients are the fixture's clients of point P1.
var p1Clients = []string{testapp.C1, testapp.C1b, testapp.C1c}

func aboutP1(e testapp.Event) bool {
	return slices.Contains(p1Clients, e.Client) || (e.Collection == "clients" && slices.Contains(p1Clients, e.Id))
}

func must(t *testing.T, r testapp.Response, want int) testapp.Response {
	t.Helper()
	if r.Status != want {
		t.Fatalf("status %d, want %d: %s", r.Status, want, r.Body)
	}
	return r
}

// p1Marks are touches PM1b may make at point P1, one per p1Activity.
var p1Marks = [][2]string{{testapp.C1b, testapp.OccMandatory}, {testapp.C1c, testapp.OccStandard}}

// p1Activity makes the round-th touch of p1Marks, its comment, a manual
// comment and a client change at point P1, as PM1b, and returns how many
// events a subscriber of kind who sees P1 receives for it.
func p1Activity(t *testing.T, srv *httptest.Server, kind string, round int) int {
	t.Helper()
	mark := p1Marks[round]
	must(t, testapp.Request(t, srv, "POST", "/api/collections/touches/records", testapp.PM1b,
		`{"client":"`+mark[0]+`","occasion":"`+mark[1]+`","status":"done"}`), 200)
	must(t, testapp.Request(t, srv, "POST", "/api/collections/comments/records", testapp.PM1b,
		`{"client":"`+testapp.C1+`","text":"call back on Monday"}`), 200)
	must(t, testapp.Request(t, srv, "PATCH", "/api/collections/clients/records/"+testapp.C1c, testapp.PM1b,
		`{"notes":"new notes"}`), 200)
	if kind == "page" {
		return 3 // the touch, its comment, the note
	}
	return 4
}

// TestSessionChangeWhileSubscribeHeld is the held-subscription attack: a
// point manager's second subscribe request is held half-sent while a
// service manager moves them to another point, resets their password or
// deletes them; then the rest is sent. From then on, nothing of the old
// point may reach the connection, whatever its subscriptions.
func TestSessionChangeWhileSubscribeHeld(t *testing.T) {
	changes := map[string]struct {
		method, body string
		held         int // status of the held request once finished
	}{
		"moved":          {"PATCH", `{"point":"` + testapp.P2 + `"}`, http.StatusNoContent},
		"password reset": {"PATCH", `{"password":"another-password-2","passwordConfirm":"another-password-2"}`, http.StatusUnauthorized},
		"deleted":        {"DELETE", "", http.StatusUnauthorized},
	}
	for kind, topics := range subscriptionKinds {
		for name, change := range changes {
			t.Run(kind+"/"+name, func(t *testing.T) {
				app := testapp.New(t)
				srv := testapp.Serve(t, app)
				token := testapp.Auth(testapp.PM1)["Authorization"]

				control := testapp.Connect(t, srv)
				control.MustSubscribe(t, testapp.Auth(testapp.SM)["Authorization"], topics...)
				victim := testapp.Connect(t, srv)
				victim.MustSubscribe(t, token, topics...)
				// P1's events reach the victim before the change (and warm
				// whatever a server might remember of them)
				n := p1Activity(t, srv, kind, 0)
				testapp.WaitFor(t, "the victim's events", func() bool { return len(victim.Got()) >= n && len(control.Got()) >= n })
				h := victim.HoldSubscribe(t, token, topics...)

				must(t, testapp.Request(t, srv, change.method, "/api/collections/users/records/"+testapp.PM1, testapp.SM, change.body),
					map[string]int{"PATCH": 200, "DELETE": 204}[change.method])
				if status := h.Finish(t); status != change.held {
					t.Errorf("held subscribe finished with %d, want %d", status, change.held)
				}

				before, seen := len(victim.Got()), len(control.Got())
				n = p1Activity(t, srv, kind, 1)
				testapp.WaitFor(t, "the control subscriber", func() bool { return len(control.Since(seen)) >= n })
				testapp.Settle()
				for _, e := range victim.Since(before) {
					if aboutP1(e) {
						t.Errorf("after %s, the connection received point P1's %s %s: %s", name, e.Topic, e.Action, e.Data)
					}
				}
			})
		}
	}
}

// TestNoRememberedDecisions: the only subscriber of a point is moved away
// with the held-request trick and receives an event of their new point;
// a manager of the old point who subscribes later must not receive the
// new point's events.
func TestNoRememberedDecisions(t *testing.T) {
	for kind, topics := range subscriptionKinds {
		t.Run(kind, func(t *testing.T) {
			app := testapp.New(t)
			srv := testapp.Serve(t, app)
			kazan1 := newPointManager(t, app, "kazan1@test.local", testapp.P3)
			kazan2 := newPointManager(t, app, "kazan2@test.local", testapp.P3)

			first := testapp.Connect(t, srv)
			first.MustSubscribe(t, testapp.Token(t, app, kazan1), topics...)
			h := first.HoldSubscribe(t, testapp.Token(t, app, kazan1), topics...)
			must(t, testapp.Request(t, srv, "PATCH", "/api/collections/users/records/"+kazan1, testapp.SM, `{"point":"`+testapp.P1+`"}`), 200)
			if status := h.Finish(t); status != http.StatusNoContent {
				t.Fatalf("held subscribe: %d", status)
			}
			n := p1Activity(t, srv, kind, 0)
			testapp.WaitFor(t, "the moved manager's events", func() bool { return len(first.Got()) >= n })

			later := testapp.Connect(t, srv)
			later.MustSubscribe(t, testapp.Token(t, app, kazan2), topics...)
			control := testapp.Connect(t, srv)
			control.MustSubscribe(t, testapp.Auth(testapp.SM)["Authorization"], topics...)
			n = p1Activity(t, srv, kind, 1)
			testapp.WaitFor(t, "the control subscriber", func() bool { return len(control.Got()) >= n })
			testapp.Settle()
			for _, e := range later.Got() {
				t.Errorf("a Kazan manager received %s %s of client %q: %s", e.Topic, e.Action, e.Client, e.Data)
			}
		})
	}
}

// TestClientMovedWhileListening: once a client moves from P1 to P2, P1's
// managers receive nothing more of it, P2's do.
func TestClientMovedWhileListening(t *testing.T) {
	for kind, topics := range subscriptionKinds {
		t.Run(kind, func(t *testing.T) {
			app := testapp.New(t)
			srv := testapp.Serve(t, app)
			pm1 := testapp.Connect(t, srv)
			pm1.MustSubscribe(t, testapp.Auth(testapp.PM1)["Authorization"], topics...)
			pm2 := testapp.Connect(t, srv)
			pm2.MustSubscribe(t, testapp.Auth(testapp.PM2)["Authorization"], topics...)

			must(t, testapp.Request(t, srv, "PATCH", "/api/collections/clients/records/"+testapp.C1, testapp.SM,
				`{"point":"`+testapp.P2+`","manager":""}`), 200)
			testapp.Settle()
			before := len(pm1.Got())
			must(t, testapp.Request(t, srv, "POST", "/api/collections/touches/records", testapp.PM2,
				`{"client":"`+testapp.C1+`","occasion":"`+testapp.OccStandard+`","status":"done"}`), 200)
			testapp.WaitFor(t, "P2's manager", func() bool {
				return slices.ContainsFunc(pm2.Got(), func(e testapp.Event) bool { return e.Client == testapp.C1 && e.Collection == "touches" })
			})
			testapp.Settle()
			for _, e := range pm1.Since(before) {
				if e.Client == testapp.C1 || e.Id == testapp.C1 {
					t.Errorf("P1's manager received the moved client's %s %s", e.Topic, e.Action)
				}
			}
		})
	}
}

// TestRoleChangeEndsWiderView: a service manager demoted to a point
// manager of P2 stops receiving P1's events at once.
func TestRoleChangeEndsWiderView(t *testing.T) {
	for kind, topics := range subscriptionKinds {
		t.Run(kind, func(t *testing.T) {
			app := testapp.New(t)
			srv := testapp.Serve(t, app)
			sm := testapp.Connect(t, srv)
			sm.MustSubscribe(t, testapp.Auth(testapp.SM)["Authorization"], topics...)
			control := testapp.Connect(t, srv)
			control.MustSubscribe(t, testapp.Auth(testapp.PM1)["Authorization"], topics...)

			must(t, testapp.Request(t, srv, "PATCH", "/api/collections/users/records/"+testapp.SM, testapp.Superuser,
				`{"role":"point_manager","point":"`+testapp.P2+`"}`), 200)
			before := len(sm.Got())
			n := p1Activity(t, srv, kind, 0)
			testapp.WaitFor(t, "the control subscriber", func() bool { return len(control.Got()) >= n })
			testapp.Settle()
			for _, e := range sm.Since(before) {
				if aboutP1(e) {
					t.Errorf("the demoted user received P1's %s %s", e.Topic, e.Action)
				}
			}
		})
	}
}

// TestTouchesTopic: the page's topic delivers each touch event once, to
// exactly the users who may see the touch, with the data PocketBase's own
// broadcast sends for touches/*.
func TestTouchesTopic(t *testing.T) {
	app := testapp.New(t)
	srv := testapp.Serve(t, app)
	page := map[string]*testapp.Conn{}
	for _, id := range []string{testapp.PM1, testapp.PM1b, testapp.PM2, testapp.SM} {
		page[id] = testapp.Connect(t, srv)
		page[id].MustSubscribe(t, testapp.Auth(id)["Authorization"], realtime.TouchesTopic)
	}
	standard := testapp.Connect(t, srv)
	standard.MustSubscribe(t, testapp.Auth(testapp.PM1)["Authorization"], "touches/*")

	mark := must(t, testapp.Request(t, srv, "POST", "/api/collections/touches/records", testapp.PM1,
		`{"client":"`+testapp.C1+`","occasion":"`+testapp.OccStandard+`","status":"done","channel":"phone"}`), 200)
	id := mark.JSON["id"].(string)
	must(t, testapp.Request(t, srv, "PATCH", "/api/collections/touches/records/"+id, testapp.PM1, `{"status":"skipped"}`), 200)
	must(t, testapp.Request(t, srv, "POST", "/api/collections/touches/records", testapp.PM2,
		`{"client":"`+testapp.C2+`","occasion":"`+testapp.OccStandard+`","status":"done"}`), 200)

	testapp.WaitFor(t, "the service manager's page", func() bool { return len(page[testapp.SM].Got()) >= 3 })
	testapp.Settle()
	want := map[string][]string{
		testapp.PM1:  {testapp.C1 + " create", testapp.C1 + " update"},
		testapp.PM1b: {testapp.C1 + " create", testapp.C1 + " update"},
		testapp.PM2:  {testapp.C2 + " create"},
		testapp.SM:   {testapp.C1 + " create", testapp.C1 + " update", testapp.C2 + " create"},
	}
	for user, events := range page {
		var got []string
		for _, e := range events.Got() {
			if e.Topic != realtime.TouchesTopic || e.Collection != "touches" {
				t.Errorf("%s: unexpected message %s", user, e.Data)
			}
			got = append(got, e.Client+" "+e.Action)
		}
		slices.Sort(got)
		if !slices.Equal(got, want[user]) {
			t.Errorf("%s received %v, want %v", user, got, want[user])
		}
	}
	// the same data as PocketBase's touches/* message
	dataOf := func(c *testapp.Conn, action string) string {
		for _, e := range c.Got() {
			if e.Id == id && e.Action == action {
				return e.Data
			}
		}
		return ""
	}
	testapp.WaitFor(t, "the standard subscriber", func() bool { return dataOf(standard, "update") != "" })
	for _, action := range []string{"create", "update"} {
		if a, b := dataOf(page[testapp.PM1], action), dataOf(standard, action); a != b {
			t.Errorf("%s: topic data differs from touches/*:\n topic %s\n    pb %s", action, a, b)
		}
	}
}

// TestSubscriptionBounds: guests, unknown topics and subscriptions past
// the bounds get a 4xx naming what is wrong; within them, 204.
func TestSubscriptionBounds(t *testing.T) {
	app := testapp.New(t)
	srv := testapp.Serve(t, app)
	pm1 := testapp.Auth(testapp.PM1)["Authorization"]

	tooMany := make([]string, realtime.MaxTopicsPerConnection+1)
	for i := range tooMany {
		tooMany[i] = withOptions("comments/*", `{"query":{"n":"`+strings.Repeat("x", i+1)+`"}}`)
	}
	cases := []struct {
		name   string
		token  string
		topics []string
		status int
		says   string
	}{
		{"guest", "", []string{"touches/*"}, 401, "Sign in"},
		{"guest unsubscribing", "", nil, 204, ""},
		{"unknown custom topic", pm1, []string{"touchbase/clients"}, 400, "Unknown topic"},
		{"custom topic with options", pm1, []string{withOptions(realtime.TouchesTopic, `{"query":{"expand":"author"}}`)}, 400, "no options"},
		{"too many topics", pm1, tooMany, 400, "At most"},
		{"filter on another collection", pm1, []string{withOptions("comments/*", `{"query":{"filter":"@collection.touches.comment ~ 'x'"}}`)}, 400, "@collection"},
		{"long filter", pm1, []string{withOptions("comments/*", `{"query":{"filter":"text ~ '`+strings.Repeat("x", realtime.MaxFilterLength)+`'"}}`)}, 400, "filter"},
		{"long expand", pm1, []string{withOptions("touches/*", `{"query":{"expand":"author,client,occasion,client.point"}}`)}, 400, "expand"},
		{"one subscription per collection", pm1, []string{withOptions("touches/*", `{"query":{"expand":"author"}}`), "comments/*"}, 204, ""},
		{"two to one collection", pm1, []string{"clients/*", "clients/" + testapp.C1}, 429, "per user"},
		{"the page", pm1, []string{realtime.TouchesTopic, realtime.CommentsTopic, "PB_CONNECT"}, 204, ""},
	}
	for _, c := range cases {
		status, body := testapp.Connect(t, srv).Subscribe(t, c.token, c.topics...)
		if status != c.status || !strings.Contains(body, c.says) {
			t.Errorf("%s: %d %s, want %d saying %q", c.name, status, body, c.status, c.says)
		}
		if status == 400 && !strings.Contains(body, `"subscriptions"`) {
			t.Errorf("%s: the error does not name the subscriptions field: %s", c.name, body)
		}
	}

	// standard subscriptions per collection count over all of a user's
	// connections ("one subscription per collection" holds touches)
	if status, body := testapp.Connect(t, srv).Subscribe(t, pm1, "touches/*"); status != http.StatusTooManyRequests || !strings.Contains(body, "per user") {
		t.Errorf("a second touches subscription on another connection: %d %s", status, body)
	}
	// connections per user: the bound (counting the two above), then a
	// 429; other users' connections are not counted
	for i := 2; i < realtime.MaxConnectionsPerUser; i++ {
		if status, body := testapp.Connect(t, srv).Subscribe(t, pm1, realtime.TouchesTopic); status != 204 {
			t.Fatalf("connection %d: %d %s", i+1, status, body)
		}
	}
	if status, body := testapp.Connect(t, srv).Subscribe(t, pm1, realtime.TouchesTopic); status != http.StatusTooManyRequests {
		t.Errorf("one connection too many: %d %s", status, body)
	}
	if status, body := testapp.Connect(t, srv).Subscribe(t, testapp.Auth(testapp.PM1b)["Authorization"], "touches/*"); status != 204 {
		t.Errorf("a colleague was refused: %d %s", status, body)
	}
}

// newPointManager adds a point manager of point and returns their id.
func newPointManager(t *testing.T, app *tests.TestApp, email, point string) string {
	t.Helper()
	users, err := app.FindCollectionByNameOrId("users")
	if err != nil {
		t.Fatal(err)
	}
	user := core.NewRecord(users)
	user.Set("email", email)
	user.Set("name", email)
	user.Set("role", "point_manager")
	user.Set("point", point)
	user.SetPassword(testapp.Password)
	if err := app.Save(user); err != nil {
		t.Fatal(err)
	}
	return user.Id
}
