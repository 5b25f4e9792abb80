package api_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	. "touchbase/internal/testapp"
	"touchbase/occurrence"
	"touchbase/touches"
)

// timelineResponse mirrors the JSON of GET /api/touchbase/clients/{id}/timeline.
type timelineResponse struct {
	Client  map[string]any   `json:"client"`
	Items   []map[string]any `json:"items"`
	Limit   int              `json:"limit"`
	HasMore bool             `json:"hasMore"`
}

func decodeTimeline(t testing.TB, res *http.Response) timelineResponse {
	t.Helper()
	var body timelineResponse
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		t.Fatalf("decoding the timeline: %v", err)
	}
	return body
}

// summary describes the items as "type:id" (or "type:kind" for comments
// written by the server, whose ids are random; "ticket:id:event" for
// tickets), newest first.
func summary(body timelineResponse) string {
	var parts []string
	for _, item := range body.Items {
		s := item["type"].(string)
		switch {
		case s == "comment" && item["kind"] != "manual":
			s += ":" + item["kind"].(string)
		case s == "ticket":
			s += ":" + item["id"].(string) + ":" + item["event"].(string)
		case s == "hold" && item["reason"] == "ticket":
			s += ":ticket:" + item["ticket"].(string)
		default:
			s += ":" + item["id"].(string)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

// checkSummary compares the summary with want ("" = only check that the
// items are newest first).
func checkSummary(t testing.TB, body timelineResponse, want string) {
	t.Helper()
	if got := summary(body); want != "" && got != want {
		t.Errorf("items:\n got  %s\n want %s", got, want)
	}
	for i := 1; i < len(body.Items); i++ {
		if body.Items[i-1]["at"].(string) < body.Items[i]["at"].(string) {
			t.Errorf("items not newest first: %v before %v", body.Items[i-1]["at"], body.Items[i]["at"])
		}
	}
}

// checkOrder compares the summary, without the items matching any of
// skip, with want: for items whose relative order is certain.
func checkOrder(t testing.TB, body timelineResponse, want string, skip ...string) {
	t.Helper()
	var kept []string
	for _, part := range strings.Fields(summary(body)) {
		if !slices.ContainsFunc(skip, func(s string) bool { return strings.HasSuffix(part, s) || part == s }) {
			kept = append(kept, part)
		}
	}
	if got := strings.Join(kept, " "); got != want {
		t.Errorf("items without %v:\n got  %s\n want %s", skip, got, want)
	}
}

func findItem(t testing.TB, body timelineResponse, typ, id string) map[string]any {
	t.Helper()
	for _, item := range body.Items {
		if item["type"] == typ && item["id"] == id {
			return item
		}
	}
	t.Fatalf("no %s %s in the timeline", typ, id)
	return nil
}

func timelineURL(client string) string { return "/api/touchbase/clients/" + client + "/timeline" }

func TestTimelineScope(t *testing.T) {
	// The 404 for another point's client must be the very same as for an
	// id that does not exist.
	notFound := map[string]string{}
	keepBody := func(key string) func(t testing.TB, app *tests.TestApp, res *http.Response) {
		return func(t testing.TB, app *tests.TestApp, res *http.Response) {
			raw, _ := io.ReadAll(res.Body)
			notFound[key] = string(raw)
		}
	}

	scenarios := []tests.ApiScenario{
		{
			Name:            "anonymous",
			Method:          http.MethodGet,
			URL:             timelineURL(C1),
			ExpectedStatus:  401,
			ExpectedContent: []string{`"status":401`},
			TestAppFactory:  Factory,
		},
		{
			Name:           "point manager on their client: the touch, its comment and the manual comment, newest first",
			Method:         http.MethodGet,
			URL:            timelineURL(C1),
			Headers:        Auth(PM1),
			ExpectedStatus: 200,
			ExpectedContent: []string{
				`"name":"ООО Ромашка"`,
				`"pointName":"Moscow"`,
				`"managerName":"Olga Moscow"`,
				`"hasMore":false`,
			},
			NotExpectedContent: []string{`"search"`, "Acme", CM2, T2},
			TestAppFactory:     Factory,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				body := decodeTimeline(t, res)
				// written in this order by the fixture: T1 with its comment, then CM1
				checkSummary(t, body, "comment:"+CM1+" comment:touch touch:"+T1)
				touch := findItem(t, body, "touch", T1)
				for k, want := range map[string]any{"occasion": OccMandatory, "occasionTitle": "Maintenance reminder",
					"status": "done", "channel": "telegram", "period": "", "author": PM1, "authorName": "Olga Moscow"} {
					if touch[k] != want {
						t.Errorf("touch %s = %v, want %v", k, touch[k], want)
					}
				}
				if c := body.Items[1]; c["touch"] != T1 || c["authorName"] != "Olga Moscow" ||
					!strings.Contains(c["text"].(string), "Maintenance reminder") {
					t.Errorf("the touch's comment = %v", c)
				}
				if c := body.Items[0]; c["text"] != "Prefers calls after 15:00" || c["kind"] != "manual" {
					t.Errorf("the manual comment = %v", c)
				}
				if body.Client["id"] != C1 || body.Client["segment"] != "A" || body.Client["point"] != P1 {
					t.Errorf("client = %v", body.Client)
				}
			},
		},
		{
			Name:            "point manager on another point's client: 404",
			Method:          http.MethodGet,
			URL:             timelineURL(C2),
			Headers:         Auth(PM1),
			ExpectedStatus:  404,
			ExpectedContent: []string{`"status":404`},
			NotExpectedContent: []string{
				"Acme", CM2, T2, C2,
			},
			TestAppFactory: Factory,
			AfterTestFunc:  keepBody("foreign"),
		},
		{
			Name:            "an id that does not exist: 404",
			Method:          http.MethodGet,
			URL:             timelineURL("nosuchclient000"),
			Headers:         Auth(PM1),
			ExpectedStatus:  404,
			ExpectedContent: []string{`"status":404`},
			TestAppFactory:  Factory,
			AfterTestFunc:   keepBody("missing"),
		},
		{
			Name:            "point manager P2 on a P1 client: 404",
			Method:          http.MethodGet,
			URL:             timelineURL(C1),
			Headers:         Auth(PM2),
			ExpectedStatus:  404,
			ExpectedContent: []string{`"status":404`},
			TestAppFactory:  Factory,
		},
		{
			Name:           "service manager on a P2 client",
			Method:         http.MethodGet,
			URL:            timelineURL(C2),
			Headers:        Auth(SM),
			ExpectedStatus: 200,
			ExpectedContent: []string{
				`"pointName":"London"`,
				`"managerName":"Liam London"`,
				`"authorName":"Liam London"`,
			},
			TestAppFactory: Factory,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				checkSummary(t, decodeTimeline(t, res), "comment:"+CM2+" comment:touch touch:"+T2)
			},
		},
		{
			Name:           "service manager on a P1 client",
			Method:         http.MethodGet,
			URL:            timelineURL(C1),
			Headers:        Auth(SM),
			ExpectedStatus: 200,
			TestAppFactory: Factory,
			ExpectedContent: []string{
				`"id":"` + T1 + `"`,
			},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				checkSummary(t, decodeTimeline(t, res), "comment:"+CM1+" comment:touch touch:"+T1)
			},
		},
		{
			Name:            "superuser on a P2 client",
			Method:          http.MethodGet,
			URL:             timelineURL(C2),
			Headers:         Auth(Superuser),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"id":"` + T2 + `"`},
			TestAppFactory:  Factory,
		},
	}
	for _, scenario := range scenarios {
		scenario.Test(t)
	}
	if notFound["foreign"] == "" || notFound["foreign"] != notFound["missing"] {
		t.Errorf("the 404 for another point's client differs from the one for a missing id:\n%s\n%s",
			notFound["foreign"], notFound["missing"])
	}
}

func TestTimelineTicketsAndHolds(t *testing.T) {
	scenarios := []tests.ApiScenario{
		{
			Name:           "an open ticket with its hold, a declined offer and the system comment",
			Method:         http.MethodGet,
			URL:            timelineURL(C1b),
			Headers:        Auth(PM1),
			ExpectedStatus: 200,
			ExpectedContent: []string{
				`"title":"Broken delivery"`,
				`"occasionTitle":"Offer for A clients"`,
			},
			TestAppFactory: Factory,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				body := decodeTimeline(t, res)
				// The fixture opens TK1 (its hold and comment follow in the same
				// transaction), then adds H1, often within the same millisecond:
				// rows written together keep their order; H1 may tie with them.
				checkSummary(t, body, "")
				checkOrder(t, body, "comment:system hold:ticket:"+TK1+" ticket:"+TK1+":opened", H1)
				checkOrder(t, body, "hold:"+H1+" hold:ticket:"+TK1+" ticket:"+TK1+":opened", "comment:system")
				ticket := findItem(t, body, "ticket", TK1)
				if ticket["status"] != "open" || ticket["resolved_at"] != "" || ticket["at"] != ticket["created"] {
					t.Errorf("ticket = %v", ticket)
				}
				hold := findItem(t, body, "hold", H1)
				if hold["reason"] != "declined" || hold["note"] != "Declined the A offer" || hold["occasion"] != OccSegmentA || hold["active"] != true {
					t.Errorf("hold = %v", hold)
				}
				for _, item := range body.Items {
					if item["type"] == "hold" && item["reason"] == "ticket" && (item["active"] != true || item["note"] != "Broken delivery") {
						t.Errorf("the ticket's hold = %v", item)
					}
				}
			},
		},
		{
			Name:           "a resolved ticket shows both moments; its hold is gone",
			Method:         http.MethodGet,
			URL:            timelineURL(C1b),
			Headers:        Auth(PM1),
			ExpectedStatus: 200,
			ExpectedContent: []string{
				`"event":"resolved"`,
				`"status":"resolved"`,
			},
			TestAppFactory: Factory,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				time.Sleep(2 * time.Millisecond) // resolved strictly after the fixture's moments
				ticket, err := app.FindRecordById("tickets", TK1)
				if err != nil {
					t.Fatal(err)
				}
				ticket.Set("status", "resolved")
				if err := app.RunInTransaction(func(txApp core.App) error { return txApp.Save(ticket) }); err != nil {
					t.Fatal(err)
				}
			},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				body := decodeTimeline(t, res)
				checkSummary(t, body, "")
				checkOrder(t, body, "comment:system ticket:"+TK1+":resolved comment:system ticket:"+TK1+":opened", H1)
				checkOrder(t, body, "ticket:"+TK1+":resolved hold:"+H1+" ticket:"+TK1+":opened", "comment:system")
				resolved, opened := body.Items[1], body.Items[4]
				if resolved["at"] != resolved["resolved_at"] || opened["at"] != opened["created"] || resolved["resolved_at"] == "" ||
					opened["resolved_at"] != resolved["resolved_at"] {
					t.Errorf("resolved item %v, opened item %v", resolved, opened)
				}
			},
		},
		{
			Name:           "an expired hold is listed as inactive, a future one as active",
			Method:         http.MethodGet,
			URL:            timelineURL(C1),
			Headers:        Auth(PM1),
			ExpectedStatus: 200,
			ExpectedContent: []string{
				`"reason":"requested"`,
				`"reason":"bought"`,
			},
			TestAppFactory: Factory,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				// until is a day (SPEC §3): through that day at C1's point
				today := occurrence.Today(time.Now(), "Europe/Moscow")
				newRecord(t, app, "holds", map[string]any{"client": C1, "reason": "requested", "note": "Pause",
					"until": today.AddDate(0, 0, -1)})
				newRecord(t, app, "holds", map[string]any{"client": C1, "reason": "bought", "note": "Bought it",
					"until": today})
			},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				body := decodeTimeline(t, res)
				for _, item := range body.Items {
					if item["type"] != "hold" {
						continue
					}
					if want := item["reason"] == "bought"; item["active"] != want {
						t.Errorf("hold %v: active = %v, want %v", item["note"], item["active"], want)
					}
				}
				if len(body.Items) != 5 {
					t.Errorf("%d items, want 5: %s", len(body.Items), summary(body))
				}
			},
		},
		{
			Name:           "names of staff and occasions the caller may not see are left out",
			Method:         http.MethodGet,
			URL:            timelineURL(C1),
			Headers:        Auth(PM1),
			ExpectedStatus: 200,
			ExpectedContent: []string{
				`"author":"` + PM2 + `"`,
				`"occasion":"` + OccP2Only + `"`,
			},
			NotExpectedContent: []string{
				`"authorName":"Liam London"`,
				`"occasionTitle":"London webinar"`,
			},
			TestAppFactory: Factory,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				markedAtP2(t, app) // history from before the client came to P1
			},
		},
		{
			Name:            "the service manager sees those names",
			Method:          http.MethodGet,
			URL:             timelineURL(C1),
			Headers:         Auth(SM),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"authorName":"Liam London"`, `"occasionTitle":"London webinar"`},
			TestAppFactory:  Factory,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				markedAtP2(t, app)
			},
		},
	}
	for _, scenario := range scenarios {
		scenario.Test(t)
	}
}

func TestTimelineLimit(t *testing.T) {
	scenarios := []tests.ApiScenario{
		{
			Name:           "limit=1 keeps the newest item and says there is more",
			Method:         http.MethodGet,
			URL:            timelineURL(C1) + "?limit=1",
			Headers:        Auth(PM1),
			ExpectedStatus: 200,
			ExpectedContent: []string{
				`"limit":1`,
				`"hasMore":true`,
			},
			TestAppFactory: Factory,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				checkSummary(t, decodeTimeline(t, res), "comment:"+CM1)
			},
		},
		{
			Name:           "limit=3 is exactly everything",
			Method:         http.MethodGet,
			URL:            timelineURL(C1) + "?limit=3",
			Headers:        Auth(PM1),
			ExpectedStatus: 200,
			ExpectedContent: []string{
				`"limit":3`,
				`"hasMore":false`,
			},
			TestAppFactory: Factory,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				checkSummary(t, decodeTimeline(t, res), "comment:"+CM1+" comment:touch touch:"+T1)
			},
		},
		{
			Name:            "limit=1000 is the maximum",
			Method:          http.MethodGet,
			URL:             timelineURL(C1) + "?limit=1000",
			Headers:         Auth(PM1),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"limit":1000`},
			TestAppFactory:  Factory,
		},
		{
			Name:            "the default limit is 200",
			Method:          http.MethodGet,
			URL:             timelineURL(C1) + "?limit=%20",
			Headers:         Auth(PM1),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"limit":200`},
			TestAppFactory:  Factory,
		},
	}
	for _, bad := range []string{"0", "-1", "1001", "abc", "1.5", "1e3", "99999999999999999999", "%00"} {
		scenarios = append(scenarios, tests.ApiScenario{
			Name:               "limit=" + bad,
			Method:             http.MethodGet,
			URL:                timelineURL(C1) + "?limit=" + bad,
			Headers:            Auth(PM1),
			ExpectedStatus:     400,
			ExpectedContent:    []string{`"data":{"limit":{"code":"validation_invalid_limit"`},
			NotExpectedContent: []string{CM1},
			TestAppFactory:     Factory,
		})
	}
	for _, scenario := range scenarios {
		scenario.Test(t)
	}
}

// markedAtP2 gives C1 a past at point P2: it was London's client, marked
// there by PM2 for a London-only occasion, and then moved to P1.
func markedAtP2(t testing.TB, app core.App) {
	t.Helper()
	move := func(point, manager string) {
		client, err := app.FindRecordById("clients", C1)
		if err != nil {
			t.Fatal(err)
		}
		client.Set("point", point)
		client.Set("manager", manager)
		if err := app.Save(client); err != nil {
			t.Fatal(err)
		}
	}
	move(P2, PM2)
	newRecord(t, app, "touches", map[string]any{"client": C1, "occasion": OccP2Only, "status": "done", "author": PM2})
	move(P1, PM1)
}

// TestTimelineWithdrawnAndOutcomes: the card shows a withdrawn mark as
// withdrawn (history), a touch's outcome and follow-up day, and the hold
// its outcome created, linked to it.
func TestTimelineWithdrawnAndOutcomes(t *testing.T) {
	app := New(t)
	sm, err := app.FindRecordById("users", SM)
	if err != nil {
		t.Fatal(err)
	}
	touch, err := app.FindRecordById("touches", T1)
	if err != nil {
		t.Fatal(err)
	}
	touch.Set("outcome", "not_now")
	touch.Set("follow_up", "2099-05-01")
	if err := touches.Update(app, touch, sm); err != nil {
		t.Fatal(err)
	}
	again := mark(t, app, C1, OccStandard, "done", PM1)
	withdrawn, err := app.FindRecordById("touches", again)
	if err != nil {
		t.Fatal(err)
	}
	withdrawn.Set("status", "withdrawn")
	if err := touches.Update(app, withdrawn, sm); err != nil {
		t.Fatal(err)
	}

	status, body := get(t, app, PM1, "/api/touchbase/clients/"+C1+"/timeline")
	if status != 200 {
		t.Fatalf("timeline: %d %s", status, body)
	}
	var seenT1, seenWithdrawn, seenHold bool
	for _, item := range decode[timelineResponse](t, body).Items {
		switch {
		case item["type"] == "touch" && item["id"] == T1:
			seenT1 = item["outcome"] == "not_now" && item["follow_up"] == "2099-05-01 12:00:00.000Z" && item["status"] == "done"
		case item["type"] == "touch" && item["id"] == again:
			seenWithdrawn = item["status"] == "withdrawn"
		case item["type"] == "hold" && item["touch"] == T1:
			seenHold = item["reason"] == "requested" && item["occasion"] == OccMandatory && item["active"] == true
		}
	}
	if !seenT1 || !seenWithdrawn || !seenHold {
		t.Errorf("outcome on T1 %v, withdrawn mark %v, T1's hold %v: %s", seenT1, seenWithdrawn, seenHold, body)
	}
}

// TestTimelineEvents: what happened at the client (SPEC §3 events) is on
// the card, on its date, with its kind and note; a purchase names what
// was bought.
func TestTimelineEvents(t *testing.T) {
	app := New(t)
	server := Serve(t, app)
	for _, body := range []string{
		`{"client":"` + C1 + `","kind":"shipment","date":"2026-03-02","note":"Order 1042, 3 pallets","source":"erp","external_id":"SHP-1042"}`,
		`{"client":"` + C1 + `","kind":"purchase","date":"2026-03-05","occasion":"` + OccStandard + `","source":"erp","external_id":"INV-77"}`,
	} {
		if r := Request(t, server, http.MethodPost, "/api/collections/events/records", PM1, body); r.Status != 200 {
			t.Fatalf("event: %d %s", r.Status, r.Body)
		}
	}
	status, body := get(t, app, PM1, "/api/touchbase/clients/"+C1+"/timeline")
	if status != 200 {
		t.Fatalf("timeline: %d %s", status, body)
	}
	var page struct {
		Items []map[string]any `json:"items"`
	}
	if err := json.Unmarshal([]byte(body), &page); err != nil {
		t.Fatal(err)
	}
	var events []string
	for _, item := range page.Items {
		if item["type"] == "event" {
			events = append(events, fmt.Sprintf("%v %v %v %v", item["kind"], item["at"], item["note"], item["occasionTitle"]))
		}
	}
	want := []string{
		"purchase 2026-03-05 12:00:00.000Z  Useful article",
		"shipment 2026-03-02 12:00:00.000Z Order 1042, 3 pallets ",
	}
	if strings.Join(events, "|") != strings.Join(want, "|") {
		t.Errorf("events on the card:\n got %q\nwant %q", events, want)
	}
}
