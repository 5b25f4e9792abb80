package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/types"

	. "touchbase/internal/testapp"
	"touchbase/occurrence"
)

// planResponse mirrors the JSON of GET /api/touchbase/plan.
type planResponse struct {
	From  string `json:"from"`
	To    string `json:"to"`
	Items []struct {
		Date     string `json:"date"`
		Occasion struct {
			Id, Title, Kind, Category, Repeat, Trigger string
		} `json:"occasion"`
		Period   string `json:"period"`
		From     string `json:"from"`
		To       string `json:"to"`
		Targeted int    `json:"targeted"`
		Touched  int    `json:"touched"`
		Skipped  int    `json:"skipped"`
		Clients  []struct {
			Id, Name string
			Years    int
		} `json:"clients"`
	} `json:"items"`
}

// planRow is what a test expects of one item, keyed by occasion and date.
type planRow struct {
	date, period, from, to     string
	targeted, touched, skipped int
	names                      []string // personal items: the clients listed
}

func decodePlan(t testing.TB, res *http.Response) planResponse {
	t.Helper()
	var body planResponse
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		t.Fatalf("decoding the plan: %v", err)
	}
	return body
}

// checkPlan compares the items of the occasions in want (by id) with the
// expected rows, in order; items of other occasions are ignored unless
// listed in absent, which must not appear at all.
func checkPlan(t testing.TB, body planResponse, want map[string][]planRow, absent ...string) {
	t.Helper()
	got := map[string][]planRow{}
	var order []string
	for _, item := range body.Items {
		key := item.Date + " " + strings.ToLower(item.Occasion.Title)
		if len(order) > 0 && key < order[len(order)-1] {
			t.Errorf("items not sorted by date and title: %q after %q", key, order[len(order)-1])
		}
		order = append(order, key)
		for _, id := range absent {
			if item.Occasion.Id == id {
				t.Errorf("occasion %s (%s) should not be in the plan", id, item.Occasion.Title)
			}
		}
		if _, ok := want[item.Occasion.Id]; !ok {
			continue
		}
		row := planRow{date: item.Date, period: item.Period, from: item.From, to: item.To,
			targeted: item.Targeted, touched: item.Touched, skipped: item.Skipped}
		for _, c := range item.Clients {
			row.names = append(row.names, c.Name)
		}
		got[item.Occasion.Id] = append(got[item.Occasion.Id], row)
	}
	for id, rows := range want {
		gotJSON, _ := json.Marshal(sprintRows(got[id]))
		wantJSON, _ := json.Marshal(sprintRows(rows))
		if string(gotJSON) != string(wantJSON) {
			t.Errorf("occasion %s:\n got  %s\n want %s", id, gotJSON, wantJSON)
		}
	}
}

func sprintRows(rows []planRow) []map[string]any {
	out := []map[string]any{}
	for _, r := range rows {
		out = append(out, map[string]any{"date": r.date, "period": r.period, "from": r.from, "to": r.to,
			"targeted": r.targeted, "touched": r.touched, "skipped": r.skipped, "names": r.names})
	}
	return out
}

// newRecord saves a record of collection with fields, failing the test on
// error.
func newRecord(t testing.TB, app core.App, collection string, fields map[string]any) *core.Record {
	t.Helper()
	c, err := app.FindCollectionByNameOrId(collection)
	if err != nil {
		t.Fatal(err)
	}
	record := core.NewRecord(c)
	for k, v := range fields {
		record.Set(k, v)
	}
	if err := app.RunInTransaction(func(txApp core.App) error { return txApp.Save(record) }); err != nil {
		t.Fatalf("saving %s %v: %v", collection, fields, err)
	}
	return record
}

// markAt saves a touch as if it had been made at the given moment, so its
// period is the occurrence of that day (the server computes it).
func markAt(t testing.TB, app core.App, client, occasion, status, at string) *core.Record {
	t.Helper()
	created, err := types.ParseDateTime(at)
	if err != nil {
		t.Fatal(err)
	}
	c, err := app.FindCollectionByNameOrId("touches")
	if err != nil {
		t.Fatal(err)
	}
	touch := core.NewRecord(c)
	touch.Set("client", client)
	touch.Set("occasion", occasion)
	touch.Set("status", status)
	touch.Set("author", SM)
	touch.SetRaw("created", created) // an autodate field keeps a value set raw
	BirthdayContact(app, touch)
	if err := app.RunInTransaction(func(txApp core.App) error { return txApp.Save(touch) }); err != nil {
		t.Fatalf("marking %s for %s at %s: %v", client, occasion, at, err)
	}
	return touch
}

func dateOffset(d time.Time, days int) string { return d.AddDate(0, 0, days).Format(time.DateOnly) }

func TestPlanRange(t *testing.T) {
	moscowToday := occurrence.Today(time.Now(), "Europe/Moscow")
	serverToday := occurrence.Today(time.Now(), "")
	fixtureDay := func(days int) string { return dateOffset(occurrence.Today(time.Now(), "UTC"), days) }

	scenarios := []tests.ApiScenario{
		{
			Name:            "anonymous",
			Method:          http.MethodGet,
			URL:             "/api/touchbase/plan",
			ExpectedStatus:  401,
			ExpectedContent: []string{`"status":401`},
			TestAppFactory:  Factory,
		},
		{
			Name:           "default range for a point manager: today in the point's zone, half a year",
			Method:         http.MethodGet,
			URL:            "/api/touchbase/plan",
			Headers:        Auth(PM1),
			ExpectedStatus: 200,
			ExpectedContent: []string{
				`"from":"` + moscowToday.Format(time.DateOnly) + `"`,
				`"to":"` + dateOffset(moscowToday, 183) + `"`,
			},
			TestAppFactory: Factory,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				from := moscowToday.Format(time.DateOnly)
				checkPlan(t, decodePlan(t, res), map[string][]planRow{
					// started ten days ago: dated on the first day of the range, window as set
					OccStandard:  {{date: from, from: fixtureDay(-10), to: fixtureDay(30), targeted: 3}},
					OccMandatory: {{date: from, from: fixtureDay(-10), targeted: 3, touched: 1}},
					OccSegmentA:  {{date: from, targeted: 1}},
				}, OccP2Only, OccArchived, OccEnded)
			},
		},
		{
			Name:           "default range for a service manager: the server's today; every point counted",
			Method:         http.MethodGet,
			URL:            "/api/touchbase/plan",
			Headers:        Auth(SM),
			ExpectedStatus: 200,
			ExpectedContent: []string{
				`"from":"` + serverToday.Format(time.DateOnly) + `"`,
				`"to":"` + dateOffset(serverToday, 183) + `"`,
			},
			TestAppFactory: Factory,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				from := serverToday.Format(time.DateOnly)
				checkPlan(t, decodePlan(t, res), map[string][]planRow{
					OccMandatory: {{date: from, from: fixtureDay(-10), targeted: 4, touched: 2}},
					OccP2Only:    {{date: from, targeted: 1}},
				}, OccArchived, OccEnded)
			},
		},
		{
			Name:            "explicit range: only occasions whose window reaches it",
			Method:          http.MethodGet,
			URL:             "/api/touchbase/plan?from=2040-01-01&to=2040-03-01",
			Headers:         Auth(PM1),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"from":"2040-01-01"`, `"to":"2040-03-01"`},
			TestAppFactory:  Factory,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				checkPlan(t, decodePlan(t, res), map[string][]planRow{
					OccMandatory: {{date: "2040-01-01", from: fixtureDay(-10), targeted: 3, touched: 1}},
					OccSegmentA:  {{date: "2040-01-01", targeted: 1}},
				}, OccStandard, OccEnded, OccP2Only, OccArchived)
			},
		},
		{
			Name:            "explicit from only: to defaults to from + 183 days",
			Method:          http.MethodGet,
			URL:             "/api/touchbase/plan?from=2040-01-01",
			Headers:         Auth(PM1),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"from":"2040-01-01"`, `"to":"2040-07-02"`},
			TestAppFactory:  Factory,
		},
		{
			Name:            "a range of exactly 400 days is allowed",
			Method:          http.MethodGet,
			URL:             "/api/touchbase/plan?from=2040-01-01&to=2041-02-04",
			Headers:         Auth(SM),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"to":"2041-02-04"`},
			TestAppFactory:  Factory,
		},
		{
			Name:            "a range of 401 days is refused naming to",
			Method:          http.MethodGet,
			URL:             "/api/touchbase/plan?from=2040-01-01&to=2041-02-05",
			Headers:         Auth(SM),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"data":{"to":{"code":"validation_range_too_long"`},
			TestAppFactory:  Factory,
		},
		{
			Name:            "a reversed range is refused naming to",
			Method:          http.MethodGet,
			URL:             "/api/touchbase/plan?from=2040-05-01&to=2040-04-30",
			Headers:         Auth(PM1),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"data":{"to":{"code":"validation_range_reversed"`},
			TestAppFactory:  Factory,
		},
		{
			Name:            "a default to before an explicit far from is impossible",
			Method:          http.MethodGet,
			URL:             "/api/touchbase/plan?from=2099-01-01",
			Headers:         Auth(PM1),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"to":"2099-07-03"`},
			TestAppFactory:  Factory,
		},
		{
			Name:           "a point manager cannot widen to another point",
			Method:         http.MethodGet,
			URL:            "/api/touchbase/plan?point=" + P2,
			Headers:        Auth(PM1),
			ExpectedStatus: 403,
			ExpectedContent: []string{
				`"data":{"point":{"code":"validation_scope"`,
			},
			NotExpectedContent: []string{OccP2Only},
			TestAppFactory:     Factory,
		},
		{
			Name:           "a service manager may narrow to a point",
			Method:         http.MethodGet,
			URL:            "/api/touchbase/plan?from=2040-01-01&to=2040-01-31&point=" + P1,
			Headers:        Auth(SM),
			ExpectedStatus: 200,
			TestAppFactory: Factory,
			ExpectedContent: []string{
				`"from":"2040-01-01"`,
			},
			NotExpectedContent: []string{OccP2Only},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				checkPlan(t, decodePlan(t, res), map[string][]planRow{
					OccMandatory: {{date: "2040-01-01", from: fixtureDay(-10), targeted: 3, touched: 1}},
				})
			},
		},
		{
			Name:            "point manager P2 sees the occasion that targets P2",
			Method:          http.MethodGet,
			URL:             "/api/touchbase/plan?from=2040-01-01&to=2040-01-31",
			Headers:         Auth(PM2),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"id":"` + OccP2Only + `"`},
			TestAppFactory:  Factory,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				checkPlan(t, decodePlan(t, res), map[string][]planRow{
					OccP2Only:    {{date: "2040-01-01", targeted: 1}},
					OccMandatory: {{date: "2040-01-01", from: fixtureDay(-10), targeted: 1, touched: 1}},
					OccSegmentA:  {{date: "2040-01-01", targeted: 0}},
				})
			},
		},
	}

	// Whatever the query string says, the answer is a 400 naming the
	// field, never a 500.
	bad := []struct{ query, field string }{
		{"from=2026-02-30", "from"},
		{"from=20260101", "from"},
		{"from=2026-1-5", "from"},
		{"from=%00", "from"},
		{"from=2026-01-01T00:00:00Z", "from"},
		{"to=tomorrow", "to"},
		{"from=2026-01-01&to=2026-13-01", "to"},
		{"to=-0001-01-01", "to"},
		{"from=0001-01-01&to=9999-12-31", "to"},
		{"from=2026-01-01&to=0001-01-01", "to"},
	}
	for _, b := range bad {
		scenarios = append(scenarios, tests.ApiScenario{
			Name:            "bad query " + b.query,
			Method:          http.MethodGet,
			URL:             "/api/touchbase/plan?" + b.query,
			Headers:         Auth(PM1),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"data":{"` + b.field + `":{"code":"validation_`},
			TestAppFactory:  Factory,
		})
	}

	for _, scenario := range scenarios {
		scenario.Test(t)
	}
}

func TestPlanYearlyAcrossNewYear(t *testing.T) {
	var occasionId string
	// A yearly greeting from 25 Dec to 10 Jan: the years of starts / ends
	// do not matter. C1 was greeted on 27 Dec 2040 and C1b skipped on 5 Jan
	// 2041: both belong to the 2040 occurrence; C2 (P2) was greeted too but
	// is not PM1's.
	prepare := func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
		occasion := newRecord(t, app, "occasions", map[string]any{
			"title": "New Year greeting", "kind": "standard", "category": "greeting", "repeat": "yearly",
			"starts": "2020-12-25 00:00:00.000Z", "ends": "2021-01-10 00:00:00.000Z",
		})
		occasionId = occasion.Id
		// C1b's open ticket holds it out of standard occasions, which
		// refuses even a skip; lift the hold, the plan does not look at it
		hold, err := app.FindFirstRecordByData("holds", "ticket", TK1)
		if err != nil {
			t.Fatal(err)
		}
		if err := app.Delete(hold); err != nil {
			t.Fatal(err)
		}
		if got := markAt(t, app, C1, occasionId, "done", "2040-12-27 09:00:00.000Z").GetString("period"); got != "2040" {
			t.Fatalf("a touch on 27 Dec 2040 has period %q, want 2040", got)
		}
		if got := markAt(t, app, C1b, occasionId, "skipped", "2041-01-05 09:00:00.000Z").GetString("period"); got != "2040" {
			t.Fatalf("a touch on 5 Jan 2041 has period %q, want 2040", got)
		}
		markAt(t, app, C2, occasionId, "done", "2040-12-26 09:00:00.000Z")
		markAt(t, app, C1, occasionId, "done", "2041-12-26 09:00:00.000Z") // the next year's
	}

	scenarios := []tests.ApiScenario{
		{
			Name:           "point manager: the 2040 occurrence with its marks",
			Method:         http.MethodGet,
			URL:            "/api/touchbase/plan?from=2040-12-01&to=2041-01-31",
			Headers:        Auth(PM1),
			ExpectedStatus: 200,
			ExpectedContent: []string{
				`"title":"New Year greeting"`,
				`"repeat":"yearly"`,
			},
			TestAppFactory: Factory,
			BeforeTestFunc: prepare,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				checkPlan(t, decodePlan(t, res), map[string][]planRow{
					occasionId: {{date: "2040-12-25", period: "2040", from: "2040-12-25", to: "2041-01-10", targeted: 3, touched: 1, skipped: 1}},
				})
			},
		},
		{
			Name:           "service manager: two occurrences in a longer range, every point counted",
			Method:         http.MethodGet,
			URL:            "/api/touchbase/plan?from=2040-12-01&to=2041-12-31",
			Headers:        Auth(SM),
			ExpectedStatus: 200,
			ExpectedContent: []string{
				`"title":"New Year greeting"`,
			},
			TestAppFactory: Factory,
			BeforeTestFunc: prepare,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				checkPlan(t, decodePlan(t, res), map[string][]planRow{
					occasionId: {
						{date: "2040-12-25", period: "2040", from: "2040-12-25", to: "2041-01-10", targeted: 4, touched: 2, skipped: 1},
						{date: "2041-12-25", period: "2041", from: "2041-12-25", to: "2042-01-10", targeted: 4, touched: 1},
					},
				})
			},
		},
		{
			Name:               "a range inside the window but after the date has no occurrence",
			Method:             http.MethodGet,
			URL:                "/api/touchbase/plan?from=2041-01-01&to=2041-01-31",
			Headers:            Auth(SM),
			ExpectedStatus:     200,
			NotExpectedContent: []string{`"title":"New Year greeting"`},
			TestAppFactory:     Factory,
			BeforeTestFunc:     prepare,
		},
	}
	for _, scenario := range scenarios {
		scenario.Test(t)
	}
}

func TestPlanBirthdaysGroupedByDay(t *testing.T) {
	var birthdayId, anniversaryId, alphaId string
	prepare := func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
		birthdayId = newRecord(t, app, "occasions", map[string]any{
			"title": "Birthday", "kind": "standard", "category": "greeting", "trigger": "birthday",
		}).Id
		anniversaryId = newRecord(t, app, "occasions", map[string]any{
			"title": "Years together", "kind": "standard", "category": "greeting", "trigger": "anniversary",
			"segments": []string{"A"},
		}).Id
		client := func(name, point, segment, birthday, since string) string {
			fields := map[string]any{"name": name, "point": point, "segment": segment}
			if since != "" {
				fields["since"] = since
			}
			id := newRecord(t, app, "clients", fields).Id
			SetContact(t, app, id, map[string]any{"birthday": birthday})
			return id
		}
		client("Bravo", P1, "B", "1985-03-10 00:00:00.000Z", "2030-03-10 00:00:00.000Z") // anniversary, but segment B
		alphaId = client("Alpha", P1, "A", "1970-03-10 00:00:00.000Z", "2030-03-10 00:00:00.000Z")
		client("Charlie", P1, "C", "1990-03-12 00:00:00.000Z", "")
		client("Leap", P1, "C", "1992-02-29 00:00:00.000Z", "")
		client("London Bday", P2, "A", "1980-03-10 00:00:00.000Z", "2035-03-10 00:00:00.000Z")
		client("Outside", P1, "A", "1980-04-10 00:00:00.000Z", "")
		// a mark withdrawn (SPEC §4.7) and made again: counted once
		withdrawn := markAt(t, app, alphaId, birthdayId, "done", "2040-03-08 09:00:00.000Z")
		if _, err := app.DB().Update("touches", dbx.Params{"status": "withdrawn"}, dbx.HashExp{"id": withdrawn.Id}).Execute(); err != nil {
			t.Fatal(err)
		}
		markAt(t, app, alphaId, birthdayId, "done", "2040-03-09 09:00:00.000Z")
		markAt(t, app, alphaId, birthdayId, "skipped", "2039-03-09 09:00:00.000Z") // last year's
	}

	scenarios := []tests.ApiScenario{
		{
			Name:           "point manager: own clients only, grouped per day with names",
			Method:         http.MethodGet,
			URL:            "/api/touchbase/plan?from=2040-02-20&to=2040-03-31",
			Headers:        Auth(PM1),
			ExpectedStatus: 200,
			ExpectedContent: []string{
				`"trigger":"birthday"`,
				`{"id":"`, // the clients list
			},
			NotExpectedContent: []string{"London Bday", "Outside"},
			TestAppFactory:     Factory,
			BeforeTestFunc:     prepare,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				body := decodePlan(t, res)
				checkPlan(t, body, map[string][]planRow{
					birthdayId: {
						{date: "2040-02-29", period: "2040", from: "2040-02-15", to: "2040-03-07", targeted: 1, names: []string{"Leap"}},
						{date: "2040-03-10", period: "2040", from: "2040-02-25", to: "2040-03-17", targeted: 2, touched: 1, names: []string{"Alpha", "Bravo"}},
						{date: "2040-03-12", period: "2040", from: "2040-02-27", to: "2040-03-19", targeted: 1, names: []string{"Charlie"}},
					},
					anniversaryId: {
						{date: "2040-03-10", period: "2040", from: "2040-02-25", to: "2040-03-17", targeted: 1, names: []string{"Alpha"}},
					},
				})
				for _, item := range body.Items {
					if item.Occasion.Id == anniversaryId && (len(item.Clients) != 1 || item.Clients[0].Years != 10) {
						t.Errorf("anniversary clients = %+v, want Alpha with 10 years", item.Clients)
					}
				}
			},
		},
		{
			Name:            "service manager: every point's clients",
			Method:          http.MethodGet,
			URL:             "/api/touchbase/plan?from=2040-03-10&to=2040-03-10",
			Headers:         Auth(SM),
			ExpectedStatus:  200,
			ExpectedContent: []string{"London Bday"},
			TestAppFactory:  Factory,
			BeforeTestFunc:  prepare,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				checkPlan(t, decodePlan(t, res), map[string][]planRow{
					birthdayId: {
						{date: "2040-03-10", period: "2040", from: "2040-02-25", to: "2040-03-17", targeted: 3, touched: 1, names: []string{"Alpha", "Bravo", "London Bday"}},
					},
					anniversaryId: {
						{date: "2040-03-10", period: "2040", from: "2040-02-25", to: "2040-03-17", targeted: 2, names: []string{"Alpha", "London Bday"}},
					},
				})
			},
		},
		{
			Name:           "no anniversary in the year the relationship started",
			Method:         http.MethodGet,
			URL:            "/api/touchbase/plan?from=2030-03-01&to=2030-03-31",
			Headers:        Auth(PM1),
			ExpectedStatus: 200,
			ExpectedContent: []string{
				`"title":"Birthday"`,
			},
			NotExpectedContent: []string{`"title":"Years together"`},
			TestAppFactory:     Factory,
			BeforeTestFunc:     prepare,
		},
	}
	for _, scenario := range scenarios {
		scenario.Test(t)
	}
}

// TestPlanNamesCapped checks that a day with many birthdays lists at most
// 20 names but counts every client.
func TestPlanNamesCapped(t *testing.T) {
	var birthdayId string
	scenario := tests.ApiScenario{
		Name:           "25 birthdays on one day",
		Method:         http.MethodGet,
		URL:            "/api/touchbase/plan?from=2040-06-01&to=2040-06-30",
		Headers:        Auth(PM1),
		ExpectedStatus: 200,
		ExpectedContent: []string{
			`"targeted":25`,
		},
		TestAppFactory: Factory,
		BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
			birthdayId = newRecord(t, app, "occasions", map[string]any{
				"title": "Birthday", "kind": "standard", "trigger": "birthday",
			}).Id
			for i := range 25 {
				c := newRecord(t, app, "clients", map[string]any{"name": "Client " + string(rune('A'+i)), "point": P1})
				SetContact(t, app, c.Id, map[string]any{"birthday": "1980-06-15 00:00:00.000Z"})
			}
		},
		AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
			body := decodePlan(t, res)
			for _, item := range body.Items {
				if item.Occasion.Id != birthdayId {
					continue
				}
				if item.Targeted != 25 || len(item.Clients) != 20 || item.Clients[0].Name != "Client A" {
					t.Errorf("targeted %d with %d names starting %q, want 25 with 20 names starting Client A",
						item.Targeted, len(item.Clients), item.Clients[0].Name)
				}
				return
			}
			t.Error("no birthday item")
		},
	}
	scenario.Test(t)
}

// TestPlanLeavesOutLostClients: the plan counts the clients the worklist
// lists (SPEC §6), so a lost client, which the worklist and stats leave
// out unless stage= asks for it, is neither targeted nor touched in the
// plan, in dated and in personal items.
func TestPlanLeavesOutLostClients(t *testing.T) {
	var birthdayId string
	lose := func(t testing.TB, app *tests.TestApp) {
		// C1 (P1, segment A, done for OccMandatory) and a birthday client are lost
		update(t, app, "clients", C1, map[string]any{"stage": "lost"})
		birthdayId = newRecord(t, app, "occasions", map[string]any{
			"title": "Birthday", "kind": "standard", "trigger": "birthday",
		}).Id
		lost := newRecord(t, app, "clients", map[string]any{"name": "Lost Birthday", "point": P1, "stage": "lost"})
		SetContact(t, app, lost.Id, map[string]any{"birthday": "1980-06-15 00:00:00.000Z"})
		kept := newRecord(t, app, "clients", map[string]any{"name": "Kept Birthday", "point": P1, "stage": "regular"})
		SetContact(t, app, kept.Id, map[string]any{"birthday": "1981-06-15 00:00:00.000Z"})
	}
	runCalls(t, []call{
		{name: "dated items: targeted and touched as the worklist counts them", user: PM1,
			url: "/api/touchbase/plan?from=2040-01-01&to=2040-01-31", before: lose, status: 200,
			check: func(t testing.TB, app *tests.TestApp, body []byte) {
				var plan planResponse
				if err := json.Unmarshal(body, &plan); err != nil {
					t.Fatal(err)
				}
				checkPlan(t, plan, map[string][]planRow{
					// P1 has C1 and Lost Birthday (lost), C1b, C1c and Kept
					// Birthday: three are targeted, none touched (C1 was)
					OccMandatory: {{date: "2040-01-01", from: dateOffset(occurrence.Today(time.Now(), "UTC"), -10), targeted: 3}},
					// C1 was the only segment A client
					OccSegmentA: {{date: "2040-01-01", targeted: 0}},
				})
			}},
		{name: "stage=lost asks for them, as in the worklist", user: PM1,
			url: "/api/touchbase/plan?from=2040-01-01&to=2040-01-31&stage=lost", before: lose, status: 200,
			check: func(t testing.TB, app *tests.TestApp, body []byte) {
				var plan planResponse
				if err := json.Unmarshal(body, &plan); err != nil {
					t.Fatal(err)
				}
				checkPlan(t, plan, map[string][]planRow{
					OccMandatory: {{date: "2040-01-01", from: dateOffset(occurrence.Today(time.Now(), "UTC"), -10), targeted: 2, touched: 1}},
					OccSegmentA:  {{date: "2040-01-01", targeted: 1}},
				})
			}},
		{name: "personal items: a lost client's birthday is not listed", user: PM1,
			url: "/api/touchbase/plan?from=2040-06-01&to=2040-06-30", before: lose, status: 200,
			reject: []string{"Lost Birthday"},
			check: func(t testing.TB, app *tests.TestApp, body []byte) {
				var plan planResponse
				if err := json.Unmarshal(body, &plan); err != nil {
					t.Fatal(err)
				}
				checkPlan(t, plan, map[string][]planRow{
					birthdayId: {{date: "2040-06-15", period: "2040", from: "2040-06-01", to: "2040-06-22", targeted: 1, names: []string{"Kept Birthday"}}},
				})
			}},
	})
}

// TestPlanAgreesWithWorklist: for an occasion active today, the plan's
// targeted / touched / skipped are the worklist's all / done / skipped
// counts, whatever the clients' stages.
func TestPlanAgreesWithWorklist(t *testing.T) {
	app := New(t)
	// C1 done, then lost; C1c skipped; C1b held (counted, not marked)
	mark(t, app, C1, OccStandard, "done", PM1)
	mark(t, app, C1c, OccStandard, "skipped", PM1)
	update(t, app, "clients", C1, map[string]any{"stage": "lost"})
	server := Serve(t, app)
	for _, user := range []string{PM1, SM} {
		for _, query := range []string{"", "&stage=lost", "&stage=new,lost,regular", "&stage=new"} {
			r := Request(t, server, http.MethodGet, worklistURL(OccStandard, "state=all"+query), user, "")
			var counts struct{ Counts map[string]int }
			if err := json.Unmarshal([]byte(r.Body), &counts); err != nil || r.Status != 200 {
				t.Fatalf("worklist: %d %s", r.Status, r.Body)
			}
			r = Request(t, server, http.MethodGet, "/api/touchbase/plan?"+strings.TrimPrefix(query, "&"), user, "")
			var plan planResponse
			if err := json.Unmarshal([]byte(r.Body), &plan); err != nil || r.Status != 200 {
				t.Fatalf("plan: %d %s", r.Status, r.Body)
			}
			found := false
			for _, item := range plan.Items {
				if item.Occasion.Id != OccStandard {
					continue
				}
				found = true
				got := [3]int{item.Targeted, item.Touched, item.Skipped}
				want := [3]int{counts.Counts["all"], counts.Counts["done"], counts.Counts["skipped"]}
				if got != want {
					t.Errorf("%s %q: plan targeted/touched/skipped %v, worklist all/done/skipped %v", user, query, got, want)
				}
			}
			if !found {
				t.Errorf("%s %q: no plan item for %s", user, query, OccStandard)
			}
		}
	}
}
