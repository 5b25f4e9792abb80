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

	"touchbase/aggregates"
	"touchbase/api"
	"touchbase/domain"
	"touchbase/internal/testapp"
)

var duePoints = []string{testapp.P1, testapp.P2, testapp.P3}

// dueDataSet adds clients with touches through raw SQL (the triggers keep
// the aggregates): created spread over two years, and near is a share of
// them put within two days of a year before now, where the window's
// partly counted first day is.
func dueDataSet(t testing.TB, app core.App, clients, touches int, near float64, now time.Time) []string {
	t.Helper()
	r := rand.New(rand.NewPCG(15, uint64(clients)))
	segments := []string{"A", "B", "C", "D"}
	stages := []string{"new", "regular", "lost"}
	occasions := []string{testapp.OccMandatory, testapp.OccStandard, testapp.OccSegmentA, testapp.OccP2Only}
	statuses := []string{"done", "done", "done", "skipped", "withdrawn"}
	ids := make([]string, clients)
	err := app.RunInTransaction(func(tx core.App) error {
		for i := range ids {
			ids[i] = fmt.Sprintf("dueclient%06d", i)
			name := fmt.Sprintf("Due client %d", i)
			_, err := tx.DB().Insert("clients", dbx.Params{"id": ids[i], "name": name, "search": strings.ToLower(name),
				"point": duePoints[i%len(duePoints)], "segment": segments[r.IntN(len(segments))], "stage": stages[r.IntN(len(stages))]}).Execute()
			if err != nil {
				return err
			}
		}
		yearAgo := now.Add(-aggregates.YearAgo)
		for i := range touches {
			var created time.Time
			if r.Float64() < near {
				created = yearAgo.Add(time.Duration(r.Int64N(int64(96*time.Hour))) - 48*time.Hour)
			} else {
				created = now.Add(-time.Duration(r.Int64N(int64(730 * 24 * time.Hour))))
			}
			_, err := tx.DB().Insert("touches", dbx.Params{"id": fmt.Sprintf("duetouch%07d", i), "client": ids[r.IntN(len(ids))],
				"occasion": occasions[r.IntN(len(occasions))], "period": fmt.Sprint(i), "status": statuses[r.IntN(len(statuses))],
				"created": domain.DBTime(created), "updated": domain.DBTime(created)}).Execute()
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func sortedRows(rows []api.DueRow) []api.DueRow {
	slices.SortFunc(rows, func(a, b api.DueRow) int { return strings.Compare(a.Id, b.Id) })
	return rows
}

// TestDueAggregatesEqualScan: the figures Due reads from the aggregates
// equal the scan of every touch, at windows whose first day cuts through
// touches, after status changes, deletes, a kind change and moved created
// times, for every scope.
func TestDueAggregatesEqualScan(t *testing.T) {
	app := testapp.New(t)
	now := time.Now()
	dueDataSet(t, app, 300, 6000, 0.4, now)

	compare := func(step string) {
		t.Helper()
		if diffs, err := aggregates.Verify(app); err != nil || len(diffs) > 0 {
			t.Fatalf("%s: Verify: %v %v", step, err, diffs)
		}
		for _, shift := range []time.Duration{0, time.Hour, 7 * time.Hour, 13*time.Hour + 17*time.Minute, 25 * time.Hour, -30 * time.Hour} {
			at := now.Add(shift)
			for _, points := range [][]string{nil, {testapp.P1}, {testapp.P2, testapp.P3}} {
				got, err := api.DueRows(app, points, at)
				if err != nil {
					t.Fatal(err)
				}
				want, err := api.ScanDueRows(app, points, at)
				if err != nil {
					t.Fatal(err)
				}
				got, want = sortedRows(got), sortedRows(want)
				if len(got) != len(want) {
					t.Fatalf("%s, now%+v, points %v: %d rows, scan %d", step, shift, points, len(got), len(want))
				}
				for i := range got {
					if got[i] != want[i] {
						t.Errorf("%s, now%+v: %+v, scan %+v", step, shift, got[i], want[i])
					}
				}
			}
		}
	}
	compare("generated")

	exec := func(sql string) {
		t.Helper()
		if _, err := app.DB().NewQuery(sql).Execute(); err != nil {
			t.Fatal(err)
		}
	}
	exec(`UPDATE touches SET status = 'withdrawn' WHERE id LIKE 'duetouch%' AND status = 'done' AND rowid % 7 = 0`)
	exec(`UPDATE touches SET status = 'done' WHERE id LIKE 'duetouch%' AND status = 'skipped' AND rowid % 3 = 0`)
	exec(`DELETE FROM touches WHERE id LIKE 'duetouch%' AND rowid % 11 = 0`)
	exec(`UPDATE touches SET created = strftime('%Y-%m-%d %H:%M:%fZ', created, '+13 hours') WHERE id LIKE 'duetouch%' AND rowid % 5 = 0`)
	exec(`UPDATE touches SET client = 'dueclient000001' WHERE id LIKE 'duetouch%' AND rowid % 13 = 0`)
	compare("after raw writes")

	occasion, err := app.FindRecordById("occasions", testapp.OccSegmentA)
	if err != nil {
		t.Fatal(err)
	}
	occasion.Set("kind", "mandatory")
	if err := app.Save(occasion); err != nil {
		t.Fatal(err)
	}
	compare("after a kind change")
}

// BenchmarkDue compares the Due query on the aggregates with the scan of
// every done touch it replaced, on 20,000 clients and 200,000 touches, for
// a service manager (every point) and a point manager (a third of them).
// Run: go test -tags no_ui ./api -run '^$' -bench BenchmarkDue -benchtime 20x
func BenchmarkDue(b *testing.B) {
	app := testapp.New(b)
	now := time.Now()
	started := time.Now()
	dueDataSet(b, app, 20000, 200000, 0.01, now)
	b.Logf("data set: 20,000 clients, 200,000 touches in %s", time.Since(started).Round(time.Millisecond))
	started = time.Now()
	if diffs, err := aggregates.Verify(app); err != nil || len(diffs) > 0 {
		b.Fatalf("Verify: %v %v", err, diffs)
	}
	b.Logf("Verify: %s", time.Since(started).Round(time.Millisecond))
	for _, scope := range []struct {
		name   string
		points []string
	}{{"service manager", nil}, {"point manager", []string{testapp.P1}}} {
		for _, query := range []struct {
			name string
			rows func(core.App, []string, time.Time) ([]api.DueRow, error)
		}{{"aggregates", api.DueRows}, {"scan", api.ScanDueRows}} {
			b.Run(scope.name+"/"+query.name, func(b *testing.B) {
				for b.Loop() {
					if _, err := query.rows(app, scope.points, now); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
