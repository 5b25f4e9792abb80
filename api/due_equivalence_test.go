package api_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"touchbase/api"
	"touchbase/cadence"
	"touchbase/domain"
	"touchbase/internal/testapp"
)

// TestDueEqualsEvaluate: the Due route's SQL (levels as ranges of
// clients.last_touch, order by days over the interval) answers what the
// plain path says — cadence.Evaluate over each client's done touches,
// sorted never-touched first, then by whole days since the last touch over
// the interval (cross-multiplied), then by name — for hostile data: touches
// a millisecond either side of every level's first day, in the future,
// withdrawn and skipped ones, clients never touched, a one-day cadence,
// lost clients; at several instants and for every scope, after raw
// writes that move, withdraw and delete touches.
func TestDueEqualsEvaluate(t *testing.T) {
	app := testapp.New(t)
	now := time.Now()
	intervals := map[string]int{"A+": 1, "A": 7, "B": 30, "C": 61, "D": 90}
	for segment, days := range intervals {
		if _, err := app.DB().Update("cadences", dbx.Params{"interval_days": days}, dbx.HashExp{"segment": segment}).Execute(); err != nil {
			t.Fatal(err)
		}
	}
	addDueClients(t, app, now, intervals, 240)

	compare := func(step string) {
		t.Helper()
		for _, shift := range []time.Duration{0, time.Millisecond, 7 * time.Hour, 24 * time.Hour, -36 * time.Hour} {
			at := now.Add(shift)
			for _, points := range [][]string{nil, {testapp.P1}, {testapp.P2, testapp.P3}} {
				for _, levels := range [][]string{{"due", "overdue"}, {"ok", "soon", "due", "overdue"}, {"soon"}} {
					counts, got, err := api.DueAt(app, points, levels, at)
					if err != nil {
						t.Fatal(err)
					}
					wantCounts, want := plainDue(t, app, points, levels, at)
					if fmt.Sprint(counts) != fmt.Sprint(wantCounts) {
						t.Errorf("%s, now%+v, points %v: counts %v, plain %v", step, shift, points, counts, wantCounts)
					}
					if !slices.Equal(got, want) {
						t.Fatalf("%s, now%+v, points %v, levels %v:\n got %v\nwant %v", step, shift, points, levels, got, want)
					}
				}
			}
		}
	}
	compare("generated")

	for _, sql := range []string{
		`UPDATE touches SET status = 'withdrawn' WHERE id LIKE 'eqtouch%' AND status = 'done' AND rowid % 7 = 0`,
		`UPDATE touches SET status = 'done' WHERE id LIKE 'eqtouch%' AND status = 'skipped' AND rowid % 3 = 0`,
		`DELETE FROM touches WHERE id LIKE 'eqtouch%' AND rowid % 11 = 0`,
		`UPDATE touches SET created = strftime('%Y-%m-%d %H:%M:%fZ', created, '-13 hours') WHERE id LIKE 'eqtouch%' AND rowid % 5 = 0`,
		`UPDATE touches SET client = 'eqclient0000001' WHERE id LIKE 'eqtouch%' AND rowid % 13 = 0`,
		`UPDATE clients SET segment = 'A+' WHERE id LIKE 'eqclient%' AND rowid % 9 = 0`,
	} {
		if _, err := app.DB().NewQuery(sql).Execute(); err != nil {
			t.Fatal(err)
		}
	}
	compare("after raw writes")
}

// addDueClients adds n clients over three points with touches through raw
// SQL (the database keeps last_touch): each client's newest done touch
// lies a millisecond before, at or after the first day of one of its
// cadence's levels, or anywhere in two years, or in the future, or there
// is none; skipped and withdrawn touches come newer than it.
func addDueClients(t *testing.T, app core.App, now time.Time, intervals map[string]int, n int) {
	t.Helper()
	r := rand.New(rand.NewPCG(15, 15))
	segments := []string{"A+", "A", "B", "C", "D"}
	stages := []string{"new", "regular", "lost"}
	points := []string{testapp.P1, testapp.P2, testapp.P3}
	occasions := []string{testapp.OccMandatory, testapp.OccStandard}
	touch := 0
	err := app.RunInTransaction(func(tx core.App) error {
		insert := func(client, status string, at time.Time) error {
			touch++
			_, err := tx.DB().Insert("touches", dbx.Params{"id": fmt.Sprintf("eqtouch%08d", touch), "client": client,
				"occasion": occasions[touch%2], "period": fmt.Sprint(touch), "status": status,
				"created": domain.DBTime(at), "updated": domain.DBTime(at)}).Execute()
			return err
		}
		for i := range n {
			id := fmt.Sprintf("eqclient%07d", i)
			segment := segments[r.IntN(len(segments))]
			// several clients share a name, so the order falls back to the id
			name := fmt.Sprintf("Client %d", r.IntN(n/3))
			_, err := tx.DB().Insert("clients", dbx.Params{"id": id, "name": name, "search": strings.ToLower(name),
				"point": points[i%len(points)], "segment": segment, "stage": stages[r.IntN(len(stages))]}).Execute()
			if err != nil {
				return err
			}
			th := cadence.ThresholdsFor(intervals[segment])
			var last time.Time
			switch k := r.IntN(6); k {
			case 0: // never touched
				continue
			case 1:
				last = now.Add(time.Duration(r.Int64N(int64(48 * time.Hour)))) // in the future
			case 2:
				last = now.Add(-time.Duration(r.Int64N(int64(730 * 24 * time.Hour))))
			default:
				day := []int{th.Soon, th.Due, th.Overdue}[k-3]
				last = cadence.Since(now, day).Add(time.Duration(r.IntN(3)-1) * time.Millisecond)
			}
			for range r.IntN(3) { // older done touches
				if err := insert(id, "done", last.Add(-time.Duration(1+r.Int64N(int64(400*24*time.Hour))))); err != nil {
					return err
				}
			}
			if err := insert(id, "done", last); err != nil {
				return err
			}
			if r.IntN(2) == 0 { // a newer mark that does not count
				status := []string{"skipped", "withdrawn"}[r.IntN(2)]
				if err := insert(id, status, last.Add(time.Duration(1+r.Int64N(int64(20*24*time.Hour))))); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// plainDue is the plain path: every client of the scope with a cadence,
// lost ones left out, its done touches through cadence.Evaluate, and the
// Due order written out.
func plainDue(t *testing.T, app core.App, points, levels []string, now time.Time) (map[string]int, []api.DueAtItem) {
	t.Helper()
	var clients []struct {
		Id       string `db:"id"`
		Search   string `db:"search"`
		Point    string `db:"point"`
		Stage    string `db:"stage"`
		Interval int    `db:"interval_days"`
	}
	err := app.DB().NewQuery(`SELECT c.id AS id, c.search AS search, c.point AS point, c.stage AS stage, cd.interval_days AS interval_days
		FROM clients c JOIN cadences cd ON cd.segment = c.segment`).All(&clients)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		item     api.DueAtItem
		search   string
		interval int
	}
	counts := map[string]int{"ok": 0, "soon": 0, "due": 0, "overdue": 0}
	var rows []row
	for _, c := range clients {
		if c.Stage == domain.StageLost || (points != nil && !slices.Contains(points, c.Point)) {
			continue
		}
		var created []string
		if err := app.DB().Select("created").From("touches").Where(dbx.HashExp{"client": c.Id, "status": "done"}).Column(&created); err != nil {
			t.Fatal(err)
		}
		var touches []cadence.Touch
		for _, at := range created {
			parsed, err := time.Parse("2006-01-02 15:04:05.000Z", at)
			if err != nil {
				t.Fatal(err)
			}
			touches = append(touches, cadence.Touch{At: parsed})
		}
		s := cadence.Evaluate(now, touches, cadence.Rule{IntervalDays: c.Interval})
		counts[string(s.Level)]++
		if slices.Contains(levels, string(s.Level)) {
			rows = append(rows, row{api.DueAtItem{Id: c.Id, Level: string(s.Level), DaysSince: s.DaysSince}, c.Search, s.Interval})
		}
	}
	slices.SortFunc(rows, func(a, b row) int {
		if (a.item.DaysSince < 0) != (b.item.DaysSince < 0) {
			if a.item.DaysSince < 0 {
				return -1
			}
			return 1
		}
		if l, r := a.item.DaysSince*b.interval, b.item.DaysSince*a.interval; a.item.DaysSince >= 0 && l != r {
			if l > r {
				return -1
			}
			return 1
		}
		if c := strings.Compare(a.search, b.search); c != 0 {
			return c
		}
		return strings.Compare(a.item.Id, b.item.Id)
	})
	items := make([]api.DueAtItem, len(rows))
	for i, r := range rows {
		items[i] = r.item
	}
	return counts, items
}
