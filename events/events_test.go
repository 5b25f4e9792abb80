package events_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"touchbase/domain"
	. "touchbase/internal/testapp"
)

// moscowDay is the local date at P1 (Europe/Moscow) offset days from today.
func moscowDay(offset int) string {
	loc, _ := time.LoadLocation("Europe/Moscow")
	return time.Now().In(loc).AddDate(0, 0, offset).Format(time.DateOnly)
}

func eventBody(client, kind, date, externalId string) string {
	return fmt.Sprintf(`{"client":%q,"kind":%q,"date":%q,"source":"erp","external_id":%q,"note":"order %s"}`,
		client, kind, date, externalId, externalId)
}

// TestEventsScoping: a point manager records and sees the events of their
// own point's clients only; naming another point's client is a 400
// naming client (the same as an unknown id), and they cannot delete.
func TestEventsScoping(t *testing.T) {
	app := New(t)
	srv := Serve(t, app)

	own := Request(t, srv, http.MethodPost, "/api/collections/events/records", PM1, eventBody(C1, "shipment", moscowDay(0), "A-1"))
	if own.Status != 200 {
		t.Fatalf("PM1 records an event of C1: %d %s", own.Status, own.Body)
	}
	id, _ := own.JSON["id"].(string)
	foreign := Request(t, srv, http.MethodPost, "/api/collections/events/records", PM1, eventBody(C2, "shipment", moscowDay(0), "A-2"))
	if foreign.Status != 400 || !strings.Contains(foreign.Body, `"client"`) {
		t.Errorf("PM1 records an event of C2: %d %s, want a 400 naming client", foreign.Status, foreign.Body)
	}
	if r := Request(t, srv, http.MethodGet, "/api/collections/events/records/"+id, PM2, ""); r.Status != 404 {
		t.Errorf("PM2 views P1's event: %d", r.Status)
	}
	if r := Request(t, srv, http.MethodGet, "/api/collections/events/records", PM2, ""); r.Status != 200 || strings.Contains(r.Body, id) {
		t.Errorf("PM2 lists P1's event: %d %s", r.Status, r.Body)
	}
	if r := Request(t, srv, http.MethodPatch, "/api/collections/events/records/"+id, PM1, `{"client":"`+C2+`"}`); r.Status != 400 {
		t.Errorf("PM1 moves an event to C2: %d %s", r.Status, r.Body)
	}
	if r := Request(t, srv, http.MethodDelete, "/api/collections/events/records/"+id, PM1, ""); r.Status != 404 {
		t.Errorf("PM1 deletes an event: %d", r.Status)
	}
	if r := Request(t, srv, http.MethodDelete, "/api/collections/events/records/"+id, SM, ""); r.Status != 204 {
		t.Errorf("SM deletes an event: %d", r.Status)
	}
}

// TestEventsIdempotent: twenty identical posts at once (an automation
// retrying) record exactly one event; the nineteen others get a 400 naming
// external_id that says it is already recorded.
func TestEventsIdempotent(t *testing.T) {
	app := New(t)
	srv := Serve(t, app)
	body := eventBody(C1, "shipment", moscowDay(-1), "SHIP-20")

	const n = 20
	statuses := make([]int, n)
	bodies := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := Request(t, srv, http.MethodPost, "/api/collections/events/records", SM, body)
			statuses[i], bodies[i] = r.Status, r.Body
		}()
	}
	wg.Wait()
	ok := 0
	for i, status := range statuses {
		switch {
		case status == 200:
			ok++
		case status == 400 && strings.Contains(bodies[i], `"external_id"`) && strings.Contains(bodies[i], "already recorded"):
		default:
			t.Errorf("post %d: %d %s", i, status, bodies[i])
		}
	}
	if ok != 1 {
		t.Errorf("%d posts succeeded, want 1", ok)
	}
	if got := Count(t, app, "events", "external_id = 'SHIP-20'"); got != 1 {
		t.Errorf("%d events recorded, want 1", got)
	}
	// another source may use the same id; no external id is never a duplicate
	other := strings.Replace(body, `"erp"`, `"crm"`, 1)
	if r := Request(t, srv, http.MethodPost, "/api/collections/events/records", SM, other); r.Status != 200 {
		t.Errorf("the same id from another source: %d %s", r.Status, r.Body)
	}
	for range 2 {
		if r := Request(t, srv, http.MethodPost, "/api/collections/events/records", SM, eventBody(C1, "order", moscowDay(0), "")); r.Status != 200 {
			t.Errorf("an event without external_id: %d %s", r.Status, r.Body)
		}
	}
	// in Russian too
	r := RequestWith(t, srv, http.MethodPost, "/api/collections/events/records", SM, body, map[string]string{"Accept-Language": "ru"})
	if r.Status != 400 || !strings.Contains(r.Body, "уже записано") {
		t.Errorf("a duplicate in Russian: %d %s", r.Status, r.Body)
	}
}

// TestEventOccasionNeedsKind: trigger = event without event_kind is a 400
// naming event_kind.
func TestEventOccasionNeedsKind(t *testing.T) {
	app := New(t)
	srv := Serve(t, app)
	r := Request(t, srv, http.MethodPost, "/api/collections/occasions/records", SM, `{"title":"Follow up","kind":"mandatory","trigger":"event"}`)
	if r.Status != 400 || !strings.Contains(r.Body, `"event_kind"`) {
		t.Errorf("an event occasion without event_kind: %d %s", r.Status, r.Body)
	}
	r = Request(t, srv, http.MethodPost, "/api/collections/occasions/records", SM, `{"title":"Follow up","kind":"mandatory","trigger":"event","event_kind":"shipment","offset_days":400}`)
	if r.Status != 400 || !strings.Contains(r.Body, `"offset_days"`) {
		t.Errorf("offset_days 400: %d %s", r.Status, r.Body)
	}
}

// TestPurchaseHold: a purchase event with an occasion holds the client out
// of that occasion for a year from the event's date, linked to the event,
// in the same transaction; deleting the event lifts it. A purchase of an
// occasion by another kind of event is refused.
func TestPurchaseHold(t *testing.T) {
	app := New(t)
	srv := Serve(t, app)
	date := moscowDay(-3)
	r := Request(t, srv, http.MethodPost, "/api/collections/events/records", PM1,
		`{"client":"`+C1+`","kind":"purchase","date":"`+date+`","occasion":"`+OccStandard+`","note":"licence"}`)
	if r.Status != 200 {
		t.Fatalf("a purchase: %d %s", r.Status, r.Body)
	}
	id := r.JSON["id"].(string)
	holds, err := app.FindAllRecords("holds", dbx.HashExp{"event": id})
	if err != nil || len(holds) != 1 {
		t.Fatalf("holds of the purchase: %v %v", holds, err)
	}
	hold := holds[0]
	d, _ := time.Parse(time.DateOnly, date)
	if hold.GetString("reason") != "bought" || hold.GetString("occasion") != OccStandard || hold.GetString("client") != C1 ||
		hold.GetDateTime("until").Time().Format(time.DateOnly) != d.AddDate(1, 0, 0).Format(time.DateOnly) {
		t.Errorf("the hold: %v", hold.PublicExport())
	}
	// the standard occasion is now refused for C1
	mark := Request(t, srv, http.MethodPost, "/api/collections/touches/records", PM1, `{"client":"`+C1+`","occasion":"`+OccStandard+`","status":"done"}`)
	if mark.Status != 400 || !strings.Contains(mark.Body, "licence") && !strings.Contains(strings.ToLower(mark.Body), "bought") {
		t.Errorf("a standard mark while bought: %d %s", mark.Status, mark.Body)
	}
	if r := Request(t, srv, http.MethodDelete, "/api/collections/events/records/"+id, SM, ""); r.Status != 204 {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	if n := Count(t, app, "holds", "occasion = {:o} && client = {:c}", dbx.Params{"o": OccStandard, "c": C1}); n != 0 {
		t.Errorf("%d holds after the purchase was deleted", n)
	}
	// only a purchase names an occasion
	r = Request(t, srv, http.MethodPost, "/api/collections/events/records", SM,
		`{"client":"`+C1+`","kind":"shipment","date":"`+date+`","occasion":"`+OccStandard+`"}`)
	if r.Status != 400 || !strings.Contains(r.Body, `"occasion"`) {
		t.Errorf("a shipment naming an occasion: %d %s", r.Status, r.Body)
	}
	// a client may not forge a hold's event
	r = Request(t, srv, http.MethodPost, "/api/collections/holds/records", SM, `{"client":"`+C1+`","reason":"other","event":"`+id+`"}`)
	if r.Status != 400 {
		t.Errorf("a hold with a forged event: %d %s", r.Status, r.Body)
	}
}

// followUp creates an event occasion (shipment, offset 2, mandatory).
func followUp(t *testing.T, app core.App) string {
	t.Helper()
	occasions, _ := app.FindCollectionByNameOrId("occasions")
	o := core.NewRecord(occasions)
	o.Load(map[string]any{"title": "Check acceptance", "kind": "mandatory", "trigger": "event", "event_kind": "shipment",
		"offset_days": 2, "template": "{{contact}}, how did the delivery of {{date}} arrive?"})
	if err := app.Save(o); err != nil {
		t.Fatal(err)
	}
	return o.Id
}

// TestEventOccasionMarks: the worklist lists one row per event in its
// window, naming the event; one mark per event: a second mark for the
// same event is refused, a second event of the same kind has its own row
// and mark; an event outside its window cannot be marked.
func TestEventOccasionMarks(t *testing.T) {
	app := New(t)
	srv := Serve(t, app)
	occ := followUp(t, app)

	post := func(body string) string {
		r := Request(t, srv, http.MethodPost, "/api/collections/events/records", SM, body)
		if r.Status != 200 {
			t.Fatalf("event: %d %s", r.Status, r.Body)
		}
		return r.JSON["id"].(string)
	}
	first := post(eventBody(C1, "shipment", moscowDay(-2), "S-1"))   // due today
	second := post(eventBody(C1, "shipment", moscowDay(-10), "S-2")) // day 9 of 14
	post(eventBody(C1, "shipment", moscowDay(-20), "S-3"))           // over
	post(eventBody(C1, "shipment", moscowDay(0), "S-4"))             // from the day after tomorrow
	post(eventBody(C1b, "order", moscowDay(-2), "O-1"))              // another kind
	foreign := post(eventBody(C2, "shipment", moscowDay(-3), "S-5")) // London

	list := func(who string) map[string]any {
		r := Request(t, srv, http.MethodGet, "/api/touchbase/worklist?occasion="+occ+"&state=all", who, "")
		if r.Status != 200 {
			t.Fatalf("worklist: %d %s", r.Status, r.Body)
		}
		return r.JSON
	}
	events := func(js map[string]any) []string {
		var out []string
		for _, it := range js["items"].([]any) {
			item := it.(map[string]any)
			ev, _ := item["event"].(map[string]any)
			if ev == nil {
				t.Fatalf("a row without its event: %v", item)
			}
			out = append(out, ev["id"].(string)+"/"+item["state"].(string))
		}
		return out
	}
	got := events(list(PM1))
	want := []string{second + "/pending", first + "/pending"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("PM1's rows: %v, want %v (by date)", got, want)
	}
	js := list(PM1)
	item := js["items"].([]any)[1].(map[string]any)
	d, _ := time.Parse(time.DateOnly, moscowDay(-2))
	if msg := item["message"].(string); !strings.Contains(msg, d.Format("02.01.2006")) {
		t.Errorf("the message does not say the event's date: %q", msg)
	}
	if got := events(list(PM2)); len(got) != 1 || !strings.HasPrefix(got[0], foreign) {
		t.Errorf("PM2's rows: %v", got)
	}

	// marks: the server picks the first unmarked event in its window; the
	// request may name one
	mark := func(body string) Response {
		return Request(t, srv, http.MethodPost, "/api/collections/touches/records", PM1, body)
	}
	r := mark(`{"client":"` + C1 + `","occasion":"` + occ + `","status":"done","event":"` + first + `"}`)
	if r.Status != 200 || r.JSON["period"] != domain.EventPeriod(first) {
		t.Fatalf("a mark for the first event: %d %s", r.Status, r.Body)
	}
	if r := mark(`{"client":"` + C1 + `","occasion":"` + occ + `","status":"done","event":"` + first + `"}`); r.Status != 400 {
		t.Errorf("a second mark for the same event: %d %s", r.Status, r.Body)
	}
	r = mark(`{"client":"` + C1 + `","occasion":"` + occ + `","status":"skipped"}`)
	if r.Status != 200 || r.JSON["period"] != domain.EventPeriod(second) {
		t.Errorf("a mark without event takes the other one: %d %s", r.Status, r.Body)
	}
	if r := mark(`{"client":"` + C1 + `","occasion":"` + occ + `","status":"done"}`); r.Status != 400 {
		t.Errorf("a third mark with both events marked: %d %s", r.Status, r.Body)
	}
	got = events(list(PM1))
	want = []string{second + "/skipped", first + "/done"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("PM1's rows after the marks: %v, want %v", got, want)
	}
	// outside the window, of another client, of another kind, another point's
	for _, bad := range []string{
		`{"client":"` + C1 + `","occasion":"` + occ + `","status":"done","event":"` + post(eventBody(C1, "shipment", moscowDay(-30), "S-6")) + `"}`,
		`{"client":"` + C1 + `","occasion":"` + occ + `","status":"done","event":"` + foreign + `"}`,
		`{"client":"` + C1 + `","occasion":"` + occ + `","status":"done","event":["` + first + `"]}`,
		`{"client":"` + C1 + `","occasion":"` + OccStandard + `","status":"done","event":"` + first + `"}`,
		`{"client":"` + C1b + `","occasion":"` + occ + `","status":"done"}`,
	} {
		if r := mark(bad); r.Status != 400 || !strings.Contains(r.Body, `"event"`) {
			t.Errorf("%s: %d %s, want a 400 naming event", bad, r.Status, r.Body)
		}
	}
}

// TestEventsRealtime: automations use the standard events/* subscription,
// rule-checked by PocketBase: a P2 manager gets London's events and none
// of Moscow's; the service manager gets both.
func TestEventsRealtime(t *testing.T) {
	app := New(t)
	srv := Serve(t, app)
	london := Connect(t, srv)
	london.MustSubscribe(t, Auth(PM2)["Authorization"], "events/*")
	all := Connect(t, srv)
	all.MustSubscribe(t, Auth(SM)["Authorization"], "events/*")

	moscow := Request(t, srv, http.MethodPost, "/api/collections/events/records", SM, eventBody(C1, "shipment", moscowDay(0), "RT-1"))
	acme := Request(t, srv, http.MethodPost, "/api/collections/events/records", SM, eventBody(C2, "shipment", moscowDay(0), "RT-2"))
	if moscow.Status != 200 || acme.Status != 200 {
		t.Fatalf("events: %s %s", moscow.Body, acme.Body)
	}
	WaitFor(t, "the service manager's events", func() bool { return len(all.Got()) >= 2 })
	WaitFor(t, "London's event", func() bool { return len(london.Got()) >= 1 })
	Settle()
	for _, ev := range london.Got() {
		if ev.Client != C2 {
			t.Errorf("P2's manager got %+v", ev)
		}
	}
}

// TestPlanEventFollowUps: the plan lists an event occasion's follow-ups on
// the day they start (date + offset_days), grouped by day, with counts.
func TestPlanEventFollowUps(t *testing.T) {
	app := New(t)
	srv := Serve(t, app)
	occ := followUp(t, app)
	for i, day := range []string{moscowDay(3), moscowDay(3), moscowDay(10)} {
		r := Request(t, srv, http.MethodPost, "/api/collections/events/records", SM, eventBody(C1, "shipment", day, fmt.Sprint("P-", i)))
		if r.Status != 200 {
			t.Fatal(r.Body)
		}
	}
	r := Request(t, srv, http.MethodGet, "/api/touchbase/plan?from="+moscowDay(0)+"&to="+moscowDay(30), PM1, "")
	if r.Status != 200 {
		t.Fatalf("plan: %d %s", r.Status, r.Body)
	}
	got := map[string]float64{}
	for _, it := range r.JSON["items"].([]any) {
		item := it.(map[string]any)
		if item["occasion"].(map[string]any)["id"] == occ {
			got[item["date"].(string)] = item["targeted"].(float64)
		}
	}
	if len(got) != 2 || got[moscowDay(5)] != 2 || got[moscowDay(12)] != 1 {
		t.Errorf("follow-ups by day: %v", got)
	}
	if r := Request(t, srv, http.MethodGet, "/api/touchbase/plan?from="+moscowDay(0)+"&to="+moscowDay(30), PM2, ""); strings.Contains(r.Body, `"P-0"`) || strings.Contains(r.Body, C1) {
		t.Errorf("PM2's plan shows Moscow's events: %s", r.Body)
	}
}
