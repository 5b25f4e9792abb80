package api_test

import (
	"fmt"
	"net/url"
	"testing"

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
