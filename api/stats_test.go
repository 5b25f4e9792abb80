package api_test

import (
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/tests"

	. "touchbase/internal/testapp"
)

// coverage is one counts object of the stats JSON.
type coverage struct {
	Id       string `json:"id"`
	Name     string `json:"name"`
	Eligible int    `json:"eligible"`
	Done     int    `json:"done"`
	Skipped  int    `json:"skipped"`
	Held     int    `json:"held"`
	Pending  int    `json:"pending"`
}

func (c coverage) String() string {
	return fmt.Sprintf("%s %q: eligible %d, done %d, skipped %d, held %d, pending %d",
		c.Id, c.Name, c.Eligible, c.Done, c.Skipped, c.Held, c.Pending)
}

type statsPage struct {
	Occasion struct {
		Id string `json:"id"`
	} `json:"occasion"`
	Totals   coverage   `json:"totals"`
	Points   []coverage `json:"points"`
	Managers []coverage `json:"managers"`
}

func statsURL(occasion string, query ...string) string {
	u := "/api/touchbase/stats?occasion=" + occasion
	for _, q := range query {
		u += "&" + q
	}
	return u
}

// wantStats checks the whole stats body: totals, then points and managers
// in order.
func wantStats(totals coverage, points, managers []coverage) func(t testing.TB, app *tests.TestApp, body []byte) {
	return func(t testing.TB, app *tests.TestApp, body []byte) {
		t.Helper()
		page := decode[statsPage](t, body)
		if page.Totals != totals {
			t.Errorf("totals = %v\nwant %v", page.Totals, totals)
		}
		if fmt.Sprint(page.Points) != fmt.Sprint(points) {
			t.Errorf("points = %v\nwant %v", page.Points, points)
		}
		if fmt.Sprint(page.Managers) != fmt.Sprint(managers) {
			t.Errorf("managers = %v\nwant %v", page.Managers, managers)
		}
	}
}

func TestStats(t *testing.T) {
	// C1 (P1, Olga) done, C1c (P1, no manager) skipped, C1b (P1, no
	// manager) held by its ticket, C2 (P2, Liam) pending
	marked := func(t testing.TB, app *tests.TestApp) {
		mark(t, app, C1, OccStandard, "done", PM1)
		mark(t, app, C1c, OccStandard, "skipped", PM1)
	}
	kazan := coverage{Id: P3, Name: "Kazan"}
	london := coverage{Id: P2, Name: "London", Eligible: 1, Pending: 1}
	moscow := coverage{Id: P1, Name: "Moscow", Eligible: 3, Done: 1, Skipped: 1, Held: 1}
	liam := coverage{Id: PM2, Name: "Liam London", Eligible: 1, Pending: 1}
	olga := coverage{Id: PM1, Name: "Olga Moscow", Eligible: 1, Done: 1}
	nobody := coverage{Eligible: 2, Skipped: 1, Held: 1}

	runCalls(t, []call{
		{name: "anonymous", url: statsURL(OccStandard), status: 401, expect: []string{`"status":401`}},
		{name: "service manager: every point and manager", user: SM, url: statsURL(OccStandard), before: marked, status: 200,
			check: wantStats(coverage{Eligible: 4, Done: 1, Skipped: 1, Held: 1, Pending: 1},
				[]coverage{kazan, london, moscow}, []coverage{liam, olga, nobody})},
		{name: "point manager: their point only", user: PM1, url: statsURL(OccStandard), before: marked, status: 200,
			reject: []string{P2, "London", "Liam"},
			check: wantStats(coverage{Eligible: 3, Done: 1, Skipped: 1, Held: 1},
				[]coverage{moscow}, []coverage{olga, nobody})},
		{name: "before any mark", user: PM1, url: statsURL(OccStandard), status: 200,
			check: wantStats(coverage{Eligible: 3, Held: 1, Pending: 2},
				[]coverage{{Id: P1, Name: "Moscow", Eligible: 3, Held: 1, Pending: 2}},
				[]coverage{{Id: PM1, Name: "Olga Moscow", Eligible: 1, Pending: 1}, {Eligible: 2, Held: 1, Pending: 1}})},
		{name: "mandatory occasion: nobody is held", user: SM, url: statsURL(OccMandatory), status: 200,
			check: wantStats(coverage{Eligible: 4, Done: 2, Pending: 2},
				[]coverage{kazan, {Id: P2, Name: "London", Eligible: 1, Done: 1}, {Id: P1, Name: "Moscow", Eligible: 3, Done: 1, Pending: 2}},
				[]coverage{{Id: PM2, Name: "Liam London", Eligible: 1, Done: 1}, {Id: PM1, Name: "Olga Moscow", Eligible: 1, Done: 1}, {Eligible: 2, Pending: 2}})},
		{name: "point manager asking for another point", user: PM1, url: statsURL(OccStandard, "point="+P2), status: 403,
			expect: []string{paramError("point", "validation_scope")}, reject: []string{"Liam"}},
		{name: "service manager narrows to a point", user: SM, url: statsURL(OccStandard, "point="+P2), before: marked, status: 200,
			check: wantStats(coverage{Eligible: 1, Pending: 1}, []coverage{london}, []coverage{liam})},
		{name: "an occasion for P2 only counts only P2", user: SM, url: statsURL(OccP2Only), status: 200,
			check: wantStats(coverage{Eligible: 1, Pending: 1}, []coverage{london}, []coverage{liam})},
		{name: "an occasion for P2 only is invisible to P1", user: PM1, url: statsURL(OccP2Only), status: 400,
			expect: []string{paramError("occasion", "validation_unknown_occasion")}},
		{name: "unknown occasion", user: SM, url: statsURL("nosuchoccasion1"), status: 400,
			expect: []string{paramError("occasion", "validation_unknown_occasion")}},
		{name: "missing occasion", user: SM, url: "/api/touchbase/stats", status: 400,
			expect: []string{paramError("occasion", "validation_required")}},
		{name: "filters apply", user: SM, url: statsURL(OccStandard, "segment=A,B"), before: marked, status: 200,
			check: wantStats(coverage{Eligible: 2, Done: 1, Pending: 1},
				[]coverage{kazan, london, {Id: P1, Name: "Moscow", Eligible: 1, Done: 1}}, []coverage{liam, olga})},
		{name: "bad filter", user: SM, url: statsURL(OccStandard, "stage=gone"), status: 400,
			expect: []string{paramError("stage", "validation_invalid_value")}},
	})
}

// TestStatsAgreeWithWorklist: for any filter, the stats totals are the
// worklist's counts.
func TestStatsAgreeWithWorklist(t *testing.T) {
	app := New(t)
	mark(t, app, C1, OccStandard, "done", PM1)
	mark(t, app, C2, OccStandard, "skipped", PM2)
	for _, user := range []string{SM, PM1, PM2} {
		for _, query := range []string{"", "segment=A,B,C", "q=" + url.QueryEscape("ип"), "manager=none", "stage=regular", "tag=vip"} {
			_, body := get(t, app, user, worklistURL(OccStandard, query))
			counts := decode[worklistPage](t, body).Counts
			_, body = get(t, app, user, statsURL(OccStandard, query))
			totals := decode[statsPage](t, body).Totals
			want := coverage{Eligible: counts["all"], Done: counts["done"], Skipped: counts["skipped"], Held: counts["held"], Pending: counts["pending"]}
			if totals != want {
				t.Errorf("%s %q: stats totals %v, worklist counts %v", user, query, totals, counts)
			}
		}
	}
}

// figures is the outcome JSON of a group (stats and effectiveness).
type figures struct {
	Done     int            `json:"done"`
	Replied  int            `json:"replied"`
	Rate     float64        `json:"rate"`
	Lower    float64        `json:"lower"`
	Upper    float64        `json:"upper"`
	Enough   bool           `json:"enough"`
	Outcomes map[string]int `json:"outcomes"`
}

// wantFigures checks f against done, replied and the Wilson bounds worked
// out by hand (to 6 places), and enough.
func wantFigures(t testing.TB, what string, f figures, done, replied int, lower, upper float64, enough bool) {
	t.Helper()
	rate := 0.0
	if done > 0 {
		rate = float64(replied) / float64(done)
	}
	if f.Done != done || f.Replied != replied || math.Abs(f.Rate-rate) > 1e-9 ||
		math.Abs(f.Lower-lower) > 5e-6 || math.Abs(f.Upper-upper) > 5e-6 || f.Enough != enough {
		t.Errorf("%s: %+v\nwant done %d, replied %d, rate %.4f, [%.6f, %.6f], enough %v", what, f, done, replied, rate, lower, upper, enough)
	}
}

// outcomeFixture: 40 new Moscow clients, all marked done for OccStandard;
// 0–29 are Olga's (PM1), 30–39 have no manager. Outcomes: 0–11 replied,
// 12–21 no reply, the rest none yet. Clients 0–19 were given variant A,
// 20–39 variant B. A 41st client of Olga's had a replied mark that was
// withdrawn: it counts nowhere.
func outcomeFixture(t testing.TB, app *tests.TestApp) (variantA, variantB string) {
	t.Helper()
	variantA = newRecord(t, app, "occasion_templates", map[string]any{"occasion": OccStandard, "language": "ru", "variant": "A", "weight": 1, "text": "Статья для {{client}}"}).Id
	variantB = newRecord(t, app, "occasion_templates", map[string]any{"occasion": OccStandard, "language": "ru", "variant": "B", "weight": 1, "text": "Полезное для {{client}}"}).Id
	for i := range 41 {
		manager := PM1
		if i >= 30 && i < 40 {
			manager = ""
		}
		client := newRecord(t, app, "clients", map[string]any{"name": fmt.Sprintf("Fig %02d", i), "point": P1, "manager": manager, "segment": "B", "stage": "regular"}).Id
		touch := mark(t, app, client, OccStandard, "done", PM1)
		outcome, template, status := "", variantA, "done"
		switch {
		case i < 12:
			outcome = "replied"
		case i < 22:
			outcome = "no_reply"
		}
		if i >= 20 {
			template = variantB
		}
		if i == 40 {
			outcome, status = "replied", "withdrawn"
		}
		// the figures read what is stored; the hooks of outcomes are tested in touches/
		if _, err := app.DB().Update("touches", dbx.Params{"outcome": outcome, "template": template, "status": status}, dbx.HashExp{"id": touch}).Execute(); err != nil {
			t.Fatal(err)
		}
	}
	return variantA, variantB
}

func TestStatsOutcomes(t *testing.T) {
	app := New(t)
	variantA, variantB := outcomeFixture(t, app)
	type group struct {
		Id       string  `json:"id"`
		Outcomes figures `json:"outcomes"`
	}
	status, body := get(t, app, SM, statsURL(OccStandard))
	if status != 200 {
		t.Fatalf("stats: %d %s", status, body)
	}
	page := decode[struct {
		Totals    group   `json:"totals"`
		Points    []group `json:"points"`
		Managers  []group `json:"managers"`
		Templates []group `json:"templates"`
	}](t, body)
	find := func(groups []group, id string) figures {
		for _, g := range groups {
			if g.Id == id {
				return g.Outcomes
			}
		}
		t.Errorf("no group %q in %s", id, body)
		return figures{}
	}
	wantFigures(t, "totals", page.Totals.Outcomes, 40, 12, 0.180748, 0.454300, true)
	wantFigures(t, "Moscow", find(page.Points, P1), 40, 12, 0.180748, 0.454300, true)
	wantFigures(t, "London", find(page.Points, P2), 0, 0, 0, 1, false)
	wantFigures(t, "Olga", find(page.Managers, PM1), 30, 12, 0.245906, 0.576796, true)
	wantFigures(t, "no manager", find(page.Managers, ""), 10, 0, 0, 0.277533, false)
	wantFigures(t, "variant A", find(page.Templates, variantA), 20, 12, 0.386582, 0.781193, false)
	wantFigures(t, "variant B", find(page.Templates, variantB), 20, 0, 0, 0.161125, false)
	if got := find(page.Points, P1).Outcomes; got["replied"] != 12 || got["no_reply"] != 10 || got["none"] != 18 {
		t.Errorf("Moscow's outcomes = %v", got)
	}

	// the worklist's counts agree: the withdrawn mark leaves its client pending
	_, body = get(t, app, SM, worklistURL(OccStandard))
	// (C1, C1c, London's C2 and the 41st client pending; C1b held)
	if counts := decode[worklistPage](t, body).Counts; counts["done"] != 40 || counts["pending"] != 4 || counts["all"] != 45 {
		t.Errorf("worklist counts %v: want 40 done, 4 pending of 45 (the withdrawn mark does not count)", counts)
	}
}

func TestEffectiveness(t *testing.T) {
	app := New(t)
	variantA, _ := outcomeFixture(t, app)
	type group struct {
		Id       string  `json:"id"`
		Category string  `json:"category"`
		Outcomes figures `json:"outcomes"`
		Variants []group `json:"variants"`
	}
	type response struct {
		From       string  `json:"from"`
		To         string  `json:"to"`
		Totals     figures `json:"totals"`
		Occasions  []group `json:"occasions"`
		Categories []group `json:"categories"`
	}
	ask := func(user, query string) response {
		t.Helper()
		status, body := get(t, app, user, "/api/touchbase/effectiveness"+query)
		if status != 200 {
			t.Fatalf("effectiveness%s as %s: %d %s", query, user, status, body)
		}
		return decode[response](t, body)
	}

	// the service manager: OccStandard 40 done, 12 replied; OccMandatory
	// the fixture's T1 and T2, done without an outcome
	res := ask(SM, "")
	wantFigures(t, "totals", res.Totals, 42, 12, 0.171670, 0.435672, true)
	if len(res.Occasions) != 2 || res.Occasions[0].Id != OccMandatory || res.Occasions[1].Id != OccStandard {
		t.Fatalf("occasions = %+v", res.Occasions)
	}
	wantFigures(t, "maintenance", res.Occasions[0].Outcomes, 2, 0, 0, 0.657620, false)
	standard := res.Occasions[1]
	wantFigures(t, "useful article", standard.Outcomes, 40, 12, 0.180748, 0.454300, true)
	if len(standard.Variants) != 2 || standard.Variants[0].Id != variantA {
		t.Fatalf("variants = %+v", standard.Variants)
	}
	wantFigures(t, "variant A", standard.Variants[0].Outcomes, 20, 12, 0.386582, 0.781193, false)
	wantFigures(t, "variant B", standard.Variants[1].Outcomes, 20, 0, 0, 0.161125, false)
	if len(res.Categories) != 2 || res.Categories[0].Category != "content" || res.Categories[1].Category != "notice" {
		t.Fatalf("categories = %+v", res.Categories)
	}
	wantFigures(t, "content", res.Categories[0].Outcomes, 40, 12, 0.180748, 0.454300, true)

	// a point manager: their point only (London: T2)
	res = ask(PM2, "")
	wantFigures(t, "London", res.Totals, 1, 0, 0, 0.793451, false)
	if len(res.Occasions) != 1 || res.Occasions[0].Id != OccMandatory {
		t.Errorf("London's occasions = %+v", res.Occasions)
	}

	// a range without touches
	res = ask(SM, "?from=2020-01-01&to=2020-12-31")
	if res.From != "2020-01-01" || res.To != "2020-12-31" || res.Totals.Done != 0 || len(res.Occasions) != 0 || len(res.Categories) != 0 {
		t.Errorf("2020: %+v", res)
	}

	runCalls(t, []call{
		{name: "anonymous", url: "/api/touchbase/effectiveness", status: 401, expect: []string{`"status":401`}},
		{name: "a bad from names it", user: SM, url: "/api/touchbase/effectiveness?from=2026-13-01", status: 400,
			expect: []string{paramError("from", "validation_invalid_date")}},
		{name: "a bad to names it", user: SM, url: "/api/touchbase/effectiveness?to=yesterday", status: 400,
			expect: []string{paramError("to", "validation_invalid_date")}},
		{name: "a reversed range", user: SM, url: "/api/touchbase/effectiveness?from=2026-03-01&to=2026-02-01", status: 400,
			expect: []string{paramError("to", "validation_range_reversed")}},
		{name: "another point", user: PM1, url: "/api/touchbase/effectiveness?point=" + P2, status: 403,
			expect: []string{paramError("point", "validation_scope")}},
	})

	// in the request's language
	req := httptest.NewRequest(http.MethodGet, "/api/touchbase/effectiveness?from=x", nil)
	req.Header.Set("Authorization", Auth(SM)["Authorization"])
	req.Header.Set("Accept-Language", "ru")
	rec := httptest.NewRecorder()
	router(t, app).ServeHTTP(rec, req)
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), "Параметр from должен быть датой") {
		t.Errorf("a bad from in Russian: %d %s", rec.Code, rec.Body)
	}
}
