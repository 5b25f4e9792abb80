package api_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/tests"

	"touchbase/cadence"
	"touchbase/domain"
	. "touchbase/internal/testapp"
	"touchbase/occurrence"
)

// duePage is the due JSON as a client reads it.
type duePage struct {
	Page       int            `json:"page"`
	PerPage    int            `json:"perPage"`
	TotalItems int            `json:"totalItems"`
	Counts     map[string]int `json:"counts"`
	Items      []struct {
		Client struct {
			Id          string `json:"id"`
			Name        string `json:"name"`
			Point       string `json:"point"`
			ManagerName string `json:"managerName"`
		} `json:"client"`
		LastTouch            *string `json:"lastTouch"`
		DaysSince            *int    `json:"daysSince"`
		Interval             int     `json:"interval"`
		Level                string  `json:"level"`
		Mandatory            int     `json:"mandatory"`
		Standard             int     `json:"standard"`
		StandardPerMandatory float64 `json:"standardPerMandatory"`
		RatioMet             bool    `json:"ratioMet"`
	} `json:"items"`
}

func (p duePage) ids() []string {
	ids := make([]string, len(p.Items))
	for i, item := range p.Items {
		ids[i] = item.Client.Id
	}
	return ids
}

// lastTouch holds, by client, the created date of the latest done touch
// that dueHistory writes.
var lastTouch = map[string]string{}

// dueHistory backdates the fixture's touches and adds a few, so that each
// P1/P2 client sits at a different level:
//
//	C1b  segment C (60 days), never touched             overdue (first)
//	C2   segment B (30 days), mandatory 50 days ago     overdue, 50/30
//	C1   segment A (21 days), mandatory 25 days ago,    due, 25/21
//	     standard 30 and 400 days ago
//	C1c  segment D (90 days), mandatory 80 days ago     soon, 80/90
func dueHistory(t testing.TB, app *tests.TestApp) {
	update(t, app, "clients", C1c, map[string]any{"segment": "D"})
	c1cTouch := mark(t, app, C1c, OccMandatory, "done", PM1)
	c1Standard := mark(t, app, C1, OccStandard, "done", PM1)
	c1Old := mark(t, app, C1, OccSegmentA, "done", PM1)
	now := time.Now()
	for _, touch := range []struct {
		id, latestOf string
		daysAgo      int
	}{{T1, C1, 25}, {T2, C2, 50}, {c1cTouch, C1c, 80}, {c1Standard, "", 30}, {c1Old, "", 400}} {
		created := domain.DBTime(now.AddDate(0, 0, -touch.daysAgo))
		if _, err := app.DB().Update("touches", dbx.Params{"created": created}, dbx.HashExp{"id": touch.id}).Execute(); err != nil {
			t.Fatal(err)
		}
		if touch.latestOf != "" {
			lastTouch[touch.latestOf] = created
		}
	}
}

func wantDue(ids ...string) func(t testing.TB, app *tests.TestApp, body []byte) {
	return func(t testing.TB, app *tests.TestApp, body []byte) {
		t.Helper()
		if got := decode[duePage](t, body).ids(); !slices.Equal(got, ids) {
			t.Errorf("clients = %v, want %v", got, ids)
		}
	}
}

func TestDue(t *testing.T) {
	runCalls(t, []call{
		{name: "anonymous", url: "/api/touchbase/due", status: 401, expect: []string{`"status":401`}},
		{name: "levels, sort order and counts", user: SM, url: "/api/touchbase/due?level=all", before: dueHistory, status: 200,
			check: func(t testing.TB, app *tests.TestApp, body []byte) {
				page := decode[duePage](t, body)
				if got, want := page.ids(), []string{C1b, C2, C1, C1c}; !slices.Equal(got, want) {
					t.Fatalf("clients = %v, want %v", got, want)
				}
				type row struct {
					level                       string
					days, interval, mand, stand int // days -1 = never
					ratioMet                    bool
					last                        string
				}
				want := []row{
					{"overdue", -1, 60, 0, 0, false, ""}, // never "met" with no touches (SPEC §6)
					{"overdue", 50, 30, 1, 0, false, lastTouch[C2]},
					{"due", 25, 21, 1, 1, false, lastTouch[C1]},
					{"soon", 80, 90, 1, 0, false, lastTouch[C1c]},
				}
				for i, item := range page.Items {
					got := row{item.Level, -1, item.Interval, item.Mandatory, item.Standard, item.RatioMet, ""}
					if item.DaysSince != nil {
						got.days = *item.DaysSince
					}
					if item.LastTouch != nil {
						got.last = *item.LastTouch
					}
					if (item.LastTouch == nil) != (item.DaysSince == nil) {
						t.Errorf("%s: lastTouch %v and daysSince %v must be null together", item.Client.Name, item.LastTouch, item.DaysSince)
					}
					if got != want[i] {
						t.Errorf("%s: %+v, want %+v", item.Client.Name, got, want[i])
					}
					if item.StandardPerMandatory != 2 {
						t.Errorf("%s: standardPerMandatory %v, want 2", item.Client.Name, item.StandardPerMandatory)
					}
				}
				wantCounts := map[string]int{"ok": 0, "soon": 1, "due": 1, "overdue": 2}
				if !mapsEqual(page.Counts, wantCounts) || page.TotalItems != 4 {
					t.Errorf("counts %v total %d, want %v 4", page.Counts, page.TotalItems, wantCounts)
				}
			}},
		{name: "due and overdue by default", user: SM, url: "/api/touchbase/due", before: dueHistory, status: 200,
			check: func(t testing.TB, app *tests.TestApp, body []byte) {
				page := decode[duePage](t, body)
				if got, want := page.ids(), []string{C1b, C2, C1}; !slices.Equal(got, want) || page.TotalItems != 3 {
					t.Errorf("clients = %v (total %d), want %v (3)", got, page.TotalItems, want)
				}
				if page.Items[1].Client.Name != "Acme Ltd" || page.Items[1].Client.ManagerName != "Liam London" {
					t.Errorf("client details = %+v, want Acme Ltd managed by Liam London", page.Items[1].Client)
				}
			}},
		{name: "one level", user: SM, url: "/api/touchbase/due?level=soon", before: dueHistory, status: 200, check: wantDue(C1c)},
		{name: "a list of levels", user: SM, url: "/api/touchbase/due?level=soon,due", before: dueHistory, status: 200, check: wantDue(C1, C1c)},
		{name: "unknown level", user: SM, url: "/api/touchbase/due?level=late", status: 400,
			expect: []string{paramError("level", "validation_invalid_value")}},
		{name: "without history: only the untouched client is overdue", user: SM, url: "/api/touchbase/due", status: 200, check: wantDue(C1b)},
		{name: "point manager sees only their point", user: PM1, url: "/api/touchbase/due?level=all", before: dueHistory, status: 200,
			reject: []string{C2, "Acme"}, check: wantDue(C1b, C1, C1c)},
		{name: "point manager asking for another point", user: PM1, url: "/api/touchbase/due?point=" + P2, status: 403,
			expect: []string{paramError("point", "validation_scope")}, reject: []string{C2}},
		{name: "service manager narrows to a point", user: SM, url: "/api/touchbase/due?level=all&point=" + P2, before: dueHistory, status: 200,
			check: wantDue(C2)},
		{name: "paging after sorting", user: SM, url: "/api/touchbase/due?level=all&perPage=2&page=2", before: dueHistory, status: 200,
			check: func(t testing.TB, app *tests.TestApp, body []byte) {
				page := decode[duePage](t, body)
				if got, want := page.ids(), []string{C1, C1c}; !slices.Equal(got, want) || page.TotalItems != 4 || page.Page != 2 || page.PerPage != 2 {
					t.Errorf("clients = %v (total %d, page %d/%d), want %v (4, page 2/2)", got, page.TotalItems, page.Page, page.PerPage, want)
				}
			}},
		{name: "perPage 501", user: SM, url: "/api/touchbase/due?perPage=501", status: 400,
			expect: []string{paramError("perPage", "validation_out_of_range")}},
		{name: "filters: segment", user: SM, url: "/api/touchbase/due?level=all&segment=A", before: dueHistory, status: 200, check: wantDue(C1)},
		{name: "filters: q", user: SM, url: "/api/touchbase/due?level=all&q=acme", before: dueHistory, status: 200, check: wantDue(C2)},
		{name: "filters: lost clients are left out", user: SM, url: "/api/touchbase/due?level=all", status: 200,
			before: func(t testing.TB, app *tests.TestApp) {
				dueHistory(t, app)
				update(t, app, "clients", C1b, map[string]any{"stage": "lost"})
			},
			check: wantDue(C2, C1, C1c)},
		{name: "clients without a cadence for their segment are left out", user: SM, url: "/api/touchbase/due?level=all", status: 200,
			before: func(t testing.TB, app *tests.TestApp) {
				dueHistory(t, app)
				cadence, err := app.FindFirstRecordByData("cadences", "segment", "D")
				if err != nil {
					t.Fatal(err)
				}
				if err := app.Delete(cadence); err != nil {
					t.Fatal(err)
				}
			},
			check: wantDue(C1b, C2, C1)},
		{name: "a skipped mark does not reset the timer", user: PM1, url: "/api/touchbase/due", status: 200,
			before: func(t testing.TB, app *tests.TestApp) { mark(t, app, C1b, OccMandatory, "skipped", PM1) },
			check:  wantDue(C1b)},
	})
}

// TestDueRatioNeedsTouches: a client without touches in the last year has
// no ratio to meet (SPEC §6: never "met" with no touches), and the route
// says what cadence.Evaluate says for the same touches.
func TestDueRatioNeedsTouches(t *testing.T) {
	runCalls(t, []call{
		{name: "never touched, or touched only over a year ago", user: SM, url: "/api/touchbase/due?level=all", status: 200,
			before: func(t testing.TB, app *tests.TestApp) {
				// C2's only touch (T2) is 400 days old; C1b, C1c have none
				old := domain.DBTime(time.Now().AddDate(0, 0, -400))
				if _, err := app.DB().Update("touches", dbx.Params{"created": old}, dbx.HashExp{"id": T2}).Execute(); err != nil {
					t.Fatal(err)
				}
				update(t, app, "clients", C1c, map[string]any{"segment": "D"})
			},
			check: func(t testing.TB, app *tests.TestApp, body []byte) {
				page := decode[duePage](t, body)
				seen := 0
				for _, item := range page.Items {
					switch item.Client.Id {
					case C1b, C1c, C2:
						seen++
						if item.Mandatory != 0 || item.Standard != 0 || item.RatioMet {
							t.Errorf("%s: mandatory %d standard %d ratioMet %v, want 0 0 false",
								item.Client.Name, item.Mandatory, item.Standard, item.RatioMet)
						}
						if want := cadence.Evaluate(time.Now(), nil, cadence.Rule{IntervalDays: item.Interval}).RatioMet; item.RatioMet != want {
							t.Errorf("%s: ratioMet %v, cadence.Evaluate says %v", item.Client.Name, item.RatioMet, want)
						}
					}
				}
				if seen != 3 {
					t.Errorf("saw %d of C1b, C1c, C2 in %v", seen, page.ids())
				}
			}},
	})
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestDueNamesThePersonalContactOccasion: the due response names the
// built-in personal-contact occasion, with which the Due view logs a touch
// through the ordinary touches API, while it exists, is active and the
// caller may see it; otherwise "occasion" is null.
func TestDueNamesThePersonalContactOccasion(t *testing.T) {
	type dueOccasion struct {
		Occasion *struct {
			Id    string `json:"id"`
			Title string `json:"title"`
		} `json:"occasion"`
	}
	want := func(t testing.TB, app *tests.TestApp, user string, named bool) {
		t.Helper()
		status, body := get(t, app, user, "/api/touchbase/due")
		if status != 200 {
			t.Fatalf("due as %s: %d %s", user, status, body)
		}
		got := decode[dueOccasion](t, body).Occasion
		switch {
		case !named && got != nil:
			t.Errorf("due as %s names %+v, want null", user, *got)
		case named && (got == nil || got.Id != domain.PersonalContactOccasion || got.Title != "Personal contact / Личный контакт"):
			t.Errorf("due as %s names %+v, want the personal-contact occasion", user, got)
		}
		if !named && !strings.Contains(string(body), `"occasion":null`) {
			t.Errorf("due as %s: no \"occasion\":null in %s", user, body)
		}
	}

	app := New(t)
	for _, user := range []string{SM, PM1, PM2} {
		want(t, app, user, true)
	}

	// the occasion is the one a mark from Due is made with
	status, res := post(t, app, PM1, "/api/collections/touches/records",
		`{"client":"`+C1c+`","occasion":"`+domain.PersonalContactOccasion+`","status":"done","channel":"phone","comment":"Called about the delivery"}`)
	today := occurrence.Today(time.Now(), "Europe/Moscow").Format(time.DateOnly)
	if status != 200 || !strings.Contains(res, `"period":"`+today+`"`) {
		t.Fatalf("a touch from Due: %d %s", status, res)
	}

	update(t, app, "occasions", domain.PersonalContactOccasion, map[string]any{"points": []string{P2}})
	want(t, app, PM1, false) // not for Moscow any more
	want(t, app, PM2, true)

	update(t, app, "occasions", domain.PersonalContactOccasion, map[string]any{"points": []string{}, "ends": "2020-01-01 12:00:00.000Z"})
	want(t, app, PM2, false) // ended

	update(t, app, "occasions", domain.PersonalContactOccasion, map[string]any{"ends": "", "archived": true})
	want(t, app, SM, false)

	if _, err := app.DB().Delete("touches", dbx.HashExp{"occasion": domain.PersonalContactOccasion}).Execute(); err != nil {
		t.Fatal(err)
	}
	occasion, err := app.FindRecordById("occasions", domain.PersonalContactOccasion)
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Delete(occasion); err != nil {
		t.Fatal(err)
	}
	want(t, app, SM, false)
}
