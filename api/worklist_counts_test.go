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
)

// TestWorklistCountsKeptEqualCounted: the worklist's state counts read
// from mark_counts, and the stats' groups by point, manager, state,
// template and outcome read from the marks, equal the counts of every
// client's state, for a
// standard and a mandatory occasion, on clients of every cell with marks
// of every status (withdrawn ones do not count) in the current period and
// others, and holds that apply or not (expired, for another occasion, for
// every occasion, on clients with a mark), for five cell filters, before
// and after clients move and marks are withdrawn and deleted.
func TestWorklistCountsKeptEqualCounted(t *testing.T) {
	app := testapp.New(t)
	now := time.Now()
	occasions := []string{testapp.OccStandard, testapp.OccMandatory}
	periods := map[string]string{}
	for _, o := range occasions {
		_, _, period, err := api.WorklistCountsBothWays(app, o, nil, nil, nil, now)
		if err != nil {
			t.Fatal(err)
		}
		periods[o] = period
	}

	r := rand.New(rand.NewPCG(3, 3))
	segments := []string{"A+", "A", "B", "C", "D"}
	stages := []string{"new", "regular", "lost"}
	points := []string{testapp.P1, testapp.P2, testapp.P3}
	statuses := []string{"done", "skipped", "withdrawn"}
	until := []string{"", domain.DBTime(now.AddDate(0, 0, 10)), domain.DBTime(now.AddDate(0, 0, -3))}
	err := app.RunInTransaction(func(tx core.App) error {
		for i := range 200 {
			id := fmt.Sprintf("wcclient%07d", i)
			if _, err := tx.DB().Insert("clients", dbx.Params{"id": id, "name": id, "search": id,
				"point": points[r.IntN(3)], "segment": segments[r.IntN(5)], "stage": stages[r.IntN(3)],
				"manager": []string{"", testapp.PM1, testapp.PM2}[r.IntN(3)]}).Execute(); err != nil {
				return err
			}
			for j, o := range occasions {
				if r.IntN(2) == 0 {
					period := periods[o]
					if r.IntN(4) == 0 {
						period = "other"
					}
					if _, err := tx.DB().Insert("touches", dbx.Params{"id": fmt.Sprintf("wctouch%04d%04d", i, j), "client": id,
						"occasion": o, "period": period, "status": statuses[r.IntN(3)],
						"outcome": []string{"", "replied", "declined"}[r.IntN(3)], "template": []string{"", "tplvariant00001"}[r.IntN(2)]}).Execute(); err != nil {
						return err
					}
				}
			}
			if r.IntN(3) == 0 {
				occasion := []string{"", testapp.OccStandard, testapp.OccSegmentA}[r.IntN(3)]
				if _, err := tx.DB().Insert("holds", dbx.Params{"id": fmt.Sprintf("wchold%09d", i), "client": id,
					"occasion": occasion, "reason": "declined", "until": until[r.IntN(3)]}).Execute(); err != nil {
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
		for _, o := range occasions {
			for _, f := range []struct{ points, segments, stages []string }{
				{nil, nil, nil},
				{[]string{testapp.P1}, nil, nil},
				{[]string{testapp.P2, testapp.P3}, []string{"A", "D"}, nil},
				{nil, []string{"B"}, []string{"lost"}},
				{[]string{testapp.P1}, nil, []string{"new", "lost", "regular"}},
			} {
				kept, counted, _, err := api.WorklistCountsBothWays(app, o, f.points, f.segments, f.stages, now)
				if err != nil {
					t.Fatal(err)
				}
				if kept == nil {
					t.Fatalf("%s: %s has no single period", step, o)
				}
				if fmt.Sprint(kept) != fmt.Sprint(counted) {
					t.Errorf("%s, %s %+v:\nmark_counts %v\n    counted %v", step, o, f, kept, counted)
				}
				fromMarks, all, err := api.CoverageBothWays(app, o, f.points, f.segments, f.stages, now)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(fromMarks, all) {
					t.Errorf("%s, %s %+v: stats groups\nfrom the marks %v\n      counted %v", step, o, f, fromMarks, all)
				}
			}
		}
	}
	compare("generated")
	for _, sql := range []string{
		`UPDATE clients SET segment = 'A', stage = 'regular' WHERE id LIKE 'wcclient%' AND rowid % 4 = 0`,
		`UPDATE clients SET point = '` + testapp.P2 + `' WHERE id LIKE 'wcclient%' AND rowid % 5 = 0`,
		`UPDATE touches SET status = 'withdrawn' WHERE id LIKE 'wctouch%' AND rowid % 3 = 0`,
		`DELETE FROM touches WHERE id LIKE 'wctouch%' AND rowid % 7 = 0`,
		`DELETE FROM holds WHERE id LIKE 'wchold%' AND rowid % 2 = 0`,
	} {
		if _, err := app.DB().NewQuery(sql).Execute(); err != nil {
			t.Fatal(err)
		}
	}
	compare("after raw writes")
}
