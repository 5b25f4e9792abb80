package days_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/pocketbase/pocketbase/core"

	"touchbase/domain"
	. "touchbase/internal/testapp"
)

// post creates a record through the REST API as user, failing the test
// unless it answers 200, and returns its id.
func post(t *testing.T, server *httptest.Server, user, collection string, body map[string]any) string {
	t.Helper()
	raw, _ := json.Marshal(body)
	res := Request(t, server, http.MethodPost, "/api/collections/"+collection+"/records", user, string(raw))
	if res.Status != 200 {
		t.Fatalf("create %s %s: %d %s", collection, raw, res.Status, res.Body)
	}
	id, _ := res.JSON["id"].(string)
	return id
}

// withBirthday creates a client with a birthday sent as the dashboard
// sends it, where this data dir keeps birthdays: the client's
// contact_birthday and, when there are contacts, its (primary) contact's.
func withBirthday(t *testing.T, app core.App, server *httptest.Server, client map[string]any, sent string) string {
	t.Helper()
	clients, err := app.FindCollectionByNameOrId("clients")
	if err != nil {
		t.Fatal(err)
	}
	if clients.Fields.GetByName("contact_birthday") != nil {
		client["contact_birthday"] = sent
	}
	id := post(t, server, SM, "clients", client)
	if _, err := app.FindCollectionByNameOrId("contacts"); err == nil {
		post(t, server, SM, "contacts", map[string]any{"client": id, "name": "Birthday person", "birthday": sent})
	}
	return id
}

// TestPlanShowsTheDayPicked enters one birthday, 1 December 1990, from
// four zones as the dashboard sends it, and finds all four clients on
// 1 December in the content plan.
func TestPlanShowsTheDayPicked(t *testing.T) {
	app := New(t)
	server := Serve(t, app)
	occasion := post(t, server, SM, "occasions", map[string]any{
		"title": "Birthday", "kind": "standard", "category": "greeting", "trigger": "birthday"})
	var names []string
	for _, offset := range []int{3, -5, 11, -11} {
		name := fmt.Sprintf("Zone %+d", offset)
		names = append(names, name)
		withBirthday(t, app, server, map[string]any{"name": name, "point": P1}, dashboardValue("1990-12-01", offset))
	}

	res := Request(t, server, http.MethodGet, "/api/touchbase/plan?from=2040-11-25&to=2040-12-05", PM1, "")
	if res.Status != 200 {
		t.Fatalf("plan: %d %s", res.Status, res.Body)
	}
	var body struct {
		Items []struct {
			Date     string `json:"date"`
			Occasion struct {
				Id string `json:"id"`
			} `json:"occasion"`
			Clients []struct {
				Name string `json:"name"`
			} `json:"clients"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(res.Body), &body); err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, item := range body.Items {
		if item.Occasion.Id != occasion {
			continue
		}
		for _, c := range item.Clients {
			got[item.Date] = append(got[item.Date], c.Name)
		}
	}
	slices.Sort(names)
	for date := range got {
		slices.Sort(got[date])
	}
	if len(got) != 1 || !slices.Equal(got["2040-12-01"], names) {
		t.Errorf("the plan lists the birthdays on %v, want all on 2040-12-01: %v", got, names)
	}
}

// TestWorklistShowsTheDayPicked enters birthdays in the Moscow point as a
// Moscow admin's dashboard sends them: one 7 days ago (the last day of the
// birthday's window, SPEC: GraceDays) is in today's worklist dated that
// day, one 8 days ago is not.
func TestWorklistShowsTheDayPicked(t *testing.T) {
	app := New(t)
	server := Serve(t, app)
	moscow, _ := time.LoadLocation("Europe/Moscow")
	y, m, d := time.Now().In(moscow).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	birthday := func(daysAgo int) (sent, day string) {
		b := today.AddDate(0, 0, -daysAgo)
		local := time.Date(1992, b.Month(), b.Day(), 0, 0, 0, 0, moscow) // 1992: 29 February exists
		return local.UTC().Format("2006-01-02 15:04:05.000Z"), b.Format(time.DateOnly)
	}
	occasion := post(t, server, SM, "occasions", map[string]any{
		"title": "Birthday", "kind": "standard", "category": "greeting", "trigger": "birthday"})
	sent7, day7 := birthday(7)
	inside := withBirthday(t, app, server, map[string]any{"name": "Seven days ago", "point": P1}, sent7)
	sent8, _ := birthday(8)
	outside := withBirthday(t, app, server, map[string]any{"name": "Eight days ago", "point": P1}, sent8)

	res := Request(t, server, http.MethodGet, "/api/touchbase/worklist?occasion="+occasion+"&state=all", PM1, "")
	if res.Status != 200 {
		t.Fatalf("worklist: %d %s", res.Status, res.Body)
	}
	var body struct {
		Items []struct {
			Client struct {
				Id string `json:"id"`
			} `json:"client"`
			Date string `json:"date"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(res.Body), &body); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, item := range body.Items {
		switch item.Client.Id {
		case inside:
			found = true
			if item.Date != day7 {
				t.Errorf("worklist row dated %q, want %q", item.Date, day7)
			}
		case outside:
			t.Errorf("the birthday 8 days ago (sent as %s) is in the worklist: %+v", sent8, item)
		}
	}
	if !found {
		t.Errorf("the birthday 7 days ago (%s, sent as %s) is not in today's worklist: %s", day7, sent7, res.Body)
	}
}

// TestHoldThroughItsDay saves holds until 10 March 2040 as the dashboard
// sends them from each client's point's zone and asks domain.ActiveHold
// about the last minute of that day and the first of the next, in the
// point's zone: the hold applies through its day and not after.
func TestHoldThroughItsDay(t *testing.T) {
	app := New(t)
	server := Serve(t, app)
	points, err := app.FindCollectionByNameOrId("points")
	if err != nil {
		t.Fatal(err)
	}
	zones := map[string]string{P1: "Europe/Moscow", P2: "Europe/London"}
	for _, tz := range []string{"Pacific/Honolulu", "Asia/Kamchatka", "America/New_York", "Pacific/Apia"} {
		p := core.NewRecord(points)
		p.Set("name", tz)
		p.Set("timezone", tz)
		if country := points.Fields.GetByName("country"); country != nil {
			p.Set("country", "US")
		}
		if err := app.Save(p); err != nil {
			t.Fatal(err)
		}
		zones[p.Id] = tz
	}
	for point, tz := range zones {
		loc, _ := time.LoadLocation(tz)
		client := post(t, server, SM, "clients", map[string]any{"name": "Held in " + tz, "point": point})
		sent := time.Date(2040, time.March, 10, 0, 0, 0, 0, loc).UTC().Format("2006-01-02 15:04:05.000Z")
		if _, offset := time.Date(2040, time.March, 10, 0, 0, 0, 0, loc).Zone(); offset > 11*3600 {
			// the dashboard's local midnight is read right up to UTC+11
			// (SPEC §3); farther east the day is sent as a date
			sent = "2040-03-10"
		}
		post(t, server, SM, "holds", map[string]any{"client": client, "reason": "requested", "until": sent})

		lastMinute := time.Date(2040, time.March, 10, 23, 59, 0, 0, loc)
		nextDay := time.Date(2040, time.March, 11, 0, 0, 0, 0, loc)
		firstMinute := time.Date(2040, time.March, 10, 0, 0, 0, 0, loc)
		for _, c := range []struct {
			now  time.Time
			want bool
		}{{firstMinute, true}, {lastMinute, true}, {nextDay, false}, {nextDay.Add(36 * time.Hour), false}} {
			hold, err := domain.ActiveHold(app, client, OccStandard, c.now)
			if err != nil {
				t.Fatal(err)
			}
			if got := hold != nil; got != c.want {
				t.Errorf("%s: hold until 2040-03-10 (sent as %s) at %s local: applies = %v, want %v",
					tz, sent, c.now.Format("2006-01-02 15:04"), got, c.want)
			}
		}
	}
}

// TestHoldUntilTodayApplies saves, through the API, a hold until today and
// one until yesterday (in the point's zone, sent as the dashboard does)
// and checks the worklist, a standard touch and the card's timeline: the
// hold until today holds, the one until yesterday has ended.
func TestHoldUntilTodayApplies(t *testing.T) {
	for _, c := range []struct {
		name    string
		client  string
		tz      string
		daysAgo int
		held    bool
	}{
		{"Moscow, until today", C1, "Europe/Moscow", 0, true},
		{"London, until today", C2, "Europe/London", 0, true},
		{"Moscow, until yesterday", C1, "Europe/Moscow", 1, false},
		{"London, until yesterday", C2, "Europe/London", 1, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			app := New(t)
			server := Serve(t, app)
			loc, _ := time.LoadLocation(c.tz)
			y, m, d := time.Now().In(loc).Date()
			sent := time.Date(y, m, d-c.daysAgo, 0, 0, 0, 0, loc).UTC().Format("2006-01-02 15:04:05.000Z")
			hold := post(t, server, SM, "holds", map[string]any{"client": c.client, "reason": "requested", "until": sent})

			// the worklist of a standard occasion
			res := Request(t, server, http.MethodGet, "/api/touchbase/worklist?occasion="+OccStandard+"&state=all", SM, "")
			var body struct {
				Items []struct {
					Client struct {
						Id string `json:"id"`
					} `json:"client"`
					State string `json:"state"`
				} `json:"items"`
			}
			if err := json.Unmarshal([]byte(res.Body), &body); err != nil || res.Status != 200 {
				t.Fatalf("worklist: %d %s", res.Status, res.Body)
			}
			state := ""
			for _, item := range body.Items {
				if item.Client.Id == c.client {
					state = item.State
				}
			}
			if want := map[bool]string{true: "held", false: "pending"}[c.held]; state != want {
				t.Errorf("worklist state with a hold until %s (sent as %s) = %q, want %q", time.Date(y, m, d-c.daysAgo, 0, 0, 0, 0, time.UTC).Format(time.DateOnly), sent, state, want)
			}

			// the card's timeline
			res = Request(t, server, http.MethodGet, "/api/touchbase/clients/"+c.client+"/timeline", SM, "")
			var card struct {
				Items []struct {
					Type   string `json:"type"`
					Id     string `json:"id"`
					Active bool   `json:"active"`
				} `json:"items"`
			}
			if err := json.Unmarshal([]byte(res.Body), &card); err != nil || res.Status != 200 {
				t.Fatalf("timeline: %d %s", res.Status, res.Body)
			}
			for _, item := range card.Items {
				if item.Id == hold && item.Active != c.held {
					t.Errorf("timeline: hold active = %v, want %v", item.Active, c.held)
				}
			}

			// a standard touch
			user := map[string]string{C1: PM1, C2: PM2}[c.client]
			res = Request(t, server, http.MethodPost, "/api/collections/touches/records", user,
				fmt.Sprintf(`{"client":%q,"occasion":%q,"status":"done"}`, c.client, OccStandard))
			if want := map[bool]int{true: 400, false: 200}[c.held]; res.Status != want {
				t.Errorf("a standard touch: %d, want %d: %s", res.Status, want, res.Body)
			}
		})
	}
}

// TestWorklistHoldsByPointZone puts clients in points at UTC+14 and UTC−11,
// whose today differs from UTC's for half of every day, with holds until
// their point's yesterday and today (sent as dates): the worklist shows
// the first pending and the second held, each by its own point's today.
func TestWorklistHoldsByPointZone(t *testing.T) {
	app := New(t)
	server := Serve(t, app)
	points, err := app.FindCollectionByNameOrId("points")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, tz := range []string{"Pacific/Kiritimati", "Pacific/Pago_Pago"} {
		p := core.NewRecord(points)
		p.Set("name", tz)
		p.Set("timezone", tz)
		if points.Fields.GetByName("country") != nil {
			p.Set("country", "US")
		}
		if err := app.Save(p); err != nil {
			t.Fatal(err)
		}
		loc, _ := time.LoadLocation(tz)
		today := time.Now().In(loc)
		for daysAgo, state := range map[int]string{0: "held", 1: "pending"} {
			client := post(t, server, SM, "clients", map[string]any{"name": fmt.Sprintf("%s %d", tz, daysAgo), "point": p.Id})
			until := today.AddDate(0, 0, -daysAgo).Format(time.DateOnly)
			post(t, server, SM, "holds", map[string]any{"client": client, "reason": "requested", "until": until})
			want[client] = state + " (hold until " + until + " in " + tz + ")"
		}
	}

	res := Request(t, server, http.MethodGet, "/api/touchbase/worklist?occasion="+OccStandard+"&state=all&perPage=200", SM, "")
	var body struct {
		Items []struct {
			Client struct {
				Id string `json:"id"`
			} `json:"client"`
			State string `json:"state"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(res.Body), &body); err != nil || res.Status != 200 {
		t.Fatalf("worklist: %d %s", res.Status, res.Body)
	}
	seen := 0
	for _, item := range body.Items {
		if w, ok := want[item.Client.Id]; ok {
			seen++
			if state, _, _ := strings.Cut(w, " "); item.State != state {
				t.Errorf("worklist state %q, want %s", item.State, w)
			}
		}
	}
	if seen != len(want) {
		t.Errorf("%d of the %d clients are in the worklist", seen, len(want))
	}
}
