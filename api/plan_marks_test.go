package api_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"touchbase/api"
	"touchbase/domain"
	"touchbase/internal/testapp"
	"touchbase/occurrence"
)

// TestPlanMarkCountsEqualMarks: the plan's mark counts read from
// mark_counts equal the marks counted from the touches, for every cell
// filter (all points, one, two; segments; stages with and without lost)
// on marks of every status in yearly, one-off and per-contact periods,
// before and after clients move cells and marks are withdrawn, moved and
// deleted by raw SQL.
func TestPlanMarkCountsEqualMarks(t *testing.T) {
	app := testapp.New(t)
	r := rand.New(rand.NewPCG(7, 7))
	segments := []string{"A+", "A", "B", "C", "D"}
	stages := []string{"new", "regular", "sleeping", "lost"}
	points := []string{testapp.P1, testapp.P2, testapp.P3}
	occasions := []string{testapp.OccMandatory, testapp.OccStandard, testapp.OccSegmentA}
	periods := []string{"", "2026", "2027", "2026/contact00000001", "2027/contact00000002", "2026-11"}
	statuses := []string{"done", "done", "skipped", "withdrawn"}
	err := app.RunInTransaction(func(tx core.App) error {
		for i := range 150 {
			id := fmt.Sprintf("pmclient%07d", i)
			if _, err := tx.DB().Insert("clients", dbx.Params{"id": id, "name": id, "search": id,
				"point": points[r.IntN(3)], "segment": segments[r.IntN(5)], "stage": stages[r.IntN(4)]}).Execute(); err != nil {
				return err
			}
			for j := range 6 {
				if r.IntN(2) == 0 {
					continue
				}
				if _, err := tx.DB().Insert("touches", dbx.Params{"id": fmt.Sprintf("pmtouch%04d%04d", i, j), "client": id,
					"occasion": occasions[r.IntN(3)], "period": periods[j], "status": statuses[r.IntN(4)]}).Execute(); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	compare := func(step string) {
		t.Helper()
		for _, f := range []struct{ points, segments, stages []string }{
			{nil, nil, nil},
			{[]string{testapp.P1}, nil, nil},
			{[]string{testapp.P2, testapp.P3}, []string{"A", "D"}, nil},
			{nil, []string{"B"}, []string{"lost"}},
			{[]string{testapp.P1}, nil, []string{"new", "lost", "regular"}},
		} {
			kept, counted, err := api.MarkGroupsBothWays(app, f.points, f.segments, f.stages, occasions, periods)
			if err != nil {
				t.Fatal(err)
			}
			if len(counted) == 0 {
				t.Fatalf("%s %+v: no marks counted at all", step, f)
			}
			if !slices.Equal(kept, counted) {
				t.Errorf("%s %+v:\nmark_counts %v\n    touches %v", step, f, kept, counted)
			}
		}
	}
	compare("generated")
	for _, sql := range []string{
		`UPDATE clients SET segment = 'A' WHERE id LIKE 'pmclient%' AND rowid % 4 = 0`,
		`UPDATE clients SET stage = 'lost', point = '` + testapp.P1 + `' WHERE id LIKE 'pmclient%' AND rowid % 5 = 0`,
		`UPDATE touches SET status = 'withdrawn' WHERE id LIKE 'pmtouch%' AND rowid % 6 = 0`,
		`UPDATE touches SET status = 'done' WHERE id LIKE 'pmtouch%' AND status = 'withdrawn' AND rowid % 7 = 0`,
		`UPDATE OR IGNORE touches SET period = '2027' WHERE id LIKE 'pmtouch%' AND rowid % 8 = 0`,
		`UPDATE OR IGNORE touches SET client = 'pmclient0000003' WHERE id LIKE 'pmtouch%' AND rowid % 9 = 0`,
		`DELETE FROM touches WHERE id LIKE 'pmtouch%' AND rowid % 10 = 0`,
		`DELETE FROM clients WHERE id LIKE 'pmclient%' AND rowid % 11 = 0`,
	} {
		if _, err := app.DB().NewQuery(sql).Execute(); err != nil {
			t.Fatal(err)
		}
	}
	compare("after raw writes")
}

// TestPlanDayWindowKeepsEveryDate: the plan reads only the clients whose
// date falls in the range by month and day (planDayWindow); every client
// date that occurrence.ClientDates puts in the range — birthdays and
// anniversaries, 29 February in leap and other years, ranges over the new
// year, a day long, a year long and longer — passes the window.
func TestPlanDayWindowKeepsEveryDate(t *testing.T) {
	app := testapp.New(t)
	r := rand.New(rand.NewPCG(29, 2))
	starts := []time.Time{
		time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC), time.Date(2027, 2, 28, 0, 0, 0, 0, time.UTC),
		time.Date(2028, 2, 29, 0, 0, 0, 0, time.UTC), time.Date(2027, 12, 31, 0, 0, 0, 0, time.UTC),
		time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	kept, checked := 0, 0
	for day := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC); day.Year() == 2000; day = day.AddDate(0, 0, 1) {
		for _, trigger := range []string{"birthday", "anniversary"} {
			base := day.AddDate(-r.IntN(3)*4, 0, 0) // leap years only, so 29 February stays
			client := occurrence.Client{Birthday: base, Since: base}
			for _, from := range starts {
				for _, days := range []int{0, 1, 30, 183, 364, 365, 400} {
					to := from.AddDate(0, 0, days)
					dates := occurrence.ClientDates(occurrence.Occasion{Trigger: trigger}, client, from, to)
					keeps, err := api.PlanDayWindowKeeps(app, domain.DBTime(base), from, to)
					if err != nil {
						t.Fatal(err)
					}
					checked++
					if keeps {
						kept++
					}
					if len(dates) > 0 && !keeps {
						t.Fatalf("%s %s in %s..%s: ClientDates gives %v, the window leaves it out",
							trigger, base.Format(time.DateOnly), from.Format(time.DateOnly), to.Format(time.DateOnly), dates)
					}
				}
			}
		}
	}
	if kept == checked {
		t.Errorf("the window kept all %d dates: it filters nothing", checked)
	}
}
