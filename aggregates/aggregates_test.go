package aggregates_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"touchbase/aggregates"
	"touchbase/csvio"
	"touchbase/domain"
	. "touchbase/internal/testapp"
)

func TestMain(m *testing.M) { Main(m) }

// stats is what the aggregates hold for one client: last_done and the
// day counts summed over every day.
type stats struct {
	last                      string
	done, mandatory, standard int
}

func storedStats(t testing.TB, app core.App, client string) stats {
	t.Helper()
	var s stats
	var row struct {
		Last      string `db:"last"`
		Done      int    `db:"done"`
		Mandatory int    `db:"mandatory"`
		Standard  int    `db:"standard"`
	}
	err := app.DB().NewQuery(`SELECT COALESCE((SELECT last_done FROM client_stats WHERE client = {:c}), '') AS last,
			COALESCE(SUM(done), 0) AS done, COALESCE(SUM(mandatory), 0) AS mandatory, COALESCE(SUM(standard), 0) AS standard
		FROM client_day_counts WHERE client = {:c}`).Bind(dbx.Params{"c": client}).One(&row)
	if err != nil {
		t.Fatal(err)
	}
	s.last, s.done, s.mandatory, s.standard = row.Last, row.Done, row.Mandatory, row.Standard
	return s
}

func created(t testing.TB, app core.App, touch string) string {
	t.Helper()
	r, err := app.FindRecordById("touches", touch)
	if err != nil {
		t.Fatal(err)
	}
	return domain.DBTime(r.GetDateTime("created").Time())
}

// verified fails the test on any difference between the aggregates and
// their recomputation.
func verified(t testing.TB, app core.App, step string) {
	t.Helper()
	diffs, err := aggregates.Verify(app)
	if err != nil {
		t.Fatalf("%s: Verify: %v", step, err)
	}
	for _, d := range diffs {
		t.Errorf("%s: %s", step, d)
	}
}

func wantStats(t testing.TB, app core.App, step, client string, want stats) {
	t.Helper()
	verified(t, app, step)
	if got := storedStats(t, app, client); got != want {
		t.Errorf("%s: %s stats %+v, want %+v", step, client, got, want)
	}
}

func mustStatus(t testing.TB, r Response, status int, step string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s: status %d, want %d: %s", step, r.Status, status, r.Body)
	}
}

func markBody(client, occasion, status string) string {
	return fmt.Sprintf(`{"client":%q,"occasion":%q,"status":%q}`, client, occasion, status)
}

// TestAggregatesFollowEveryWrite makes every kind of write through the API
// (and an import, and raw SQL) and checks after each that the aggregates
// equal their recomputation and hold the expected figures.
func TestAggregatesFollowEveryWrite(t *testing.T) {
	app := New(t)
	srv := Serve(t, app)
	t1, t2 := created(t, app, T1), created(t, app, T2)

	wantStats(t, app, "fixture", C1, stats{t1, 1, 1, 0})
	wantStats(t, app, "fixture", C2, stats{t2, 1, 1, 0})

	r := Request(t, srv, "POST", "/api/collections/touches/records", PM1, markBody(C1, OccStandard, "done"))
	mustStatus(t, r, 200, "create done")
	std := r.JSON["id"].(string)
	stdCreated := created(t, app, std)
	wantStats(t, app, "create done", C1, stats{max(t1, stdCreated), 2, 1, 1})

	r = Request(t, srv, "POST", "/api/collections/touches/records", PM2, markBody(C2, OccP2Only, "skipped"))
	mustStatus(t, r, 200, "create skipped")
	skipped := r.JSON["id"].(string)
	wantStats(t, app, "create skipped", C2, stats{t2, 1, 1, 0})

	r = Request(t, srv, "PATCH", "/api/collections/touches/records/"+skipped, PM2, `{"status":"done"}`)
	if r.Status == 200 {
		wantStats(t, app, "skipped → done", C2, stats{max(t2, created(t, app, skipped)), 2, 1, 1})
		r = Request(t, srv, "PATCH", "/api/collections/touches/records/"+skipped, PM2, `{"status":"skipped"}`)
		mustStatus(t, r, 200, "done → skipped")
		wantStats(t, app, "done → skipped", C2, stats{t2, 1, 1, 0})
	} else {
		verified(t, app, "skipped → done refused")
	}

	r = Request(t, srv, "PATCH", "/api/collections/touches/records/"+std, PM1, `{"status":"withdrawn"}`)
	mustStatus(t, r, 200, "withdraw")
	wantStats(t, app, "withdraw", C1, stats{t1, 1, 1, 0})

	r = Request(t, srv, "DELETE", "/api/collections/touches/records/"+T2, Superuser, "")
	mustStatus(t, r, 204, "delete by superuser")
	wantStats(t, app, "delete by superuser", C2, stats{})

	// the occasion of C1's done touch turns standard, and back
	r = Request(t, srv, "PATCH", "/api/collections/occasions/records/"+OccMandatory, SM, `{"kind":"standard"}`)
	mustStatus(t, r, 200, "occasion kind → standard")
	wantStats(t, app, "occasion kind → standard", C1, stats{t1, 1, 0, 1})
	r = Request(t, srv, "PATCH", "/api/collections/occasions/records/"+OccMandatory, SM, `{"kind":"mandatory"}`)
	mustStatus(t, r, 200, "occasion kind → mandatory")
	wantStats(t, app, "occasion kind → mandatory", C1, stats{t1, 1, 1, 0})

	// a client moving point and segment changes nothing
	r = Request(t, srv, "PATCH", "/api/collections/clients/records/"+C1, SM, fmt.Sprintf(`{"point":%q,"manager":%q,"segment":"B"}`, P2, PM2))
	mustStatus(t, r, 200, "client moves")
	wantStats(t, app, "client moves", C1, stats{t1, 1, 1, 0})

	// a touch whose created changes (as imports of history and tests do)
	old := domain.DBTime(time.Now().AddDate(-1, -1, 0))
	if _, err := app.DB().Update("touches", dbx.Params{"created": old}, dbx.HashExp{"id": T1}).Execute(); err != nil {
		t.Fatal(err)
	}
	wantStats(t, app, "created moves", C1, stats{old, 1, 1, 0})

	// client delete: C1c gets a done touch first
	touch, err := MarkTouch(app, C1c, OccMandatory, "done", PM1)
	if err != nil {
		t.Fatal(err)
	}
	wantStats(t, app, "C1c marked", C1c, stats{created(t, app, touch.Id), 1, 1, 0})
	r = Request(t, srv, "DELETE", "/api/collections/clients/records/"+C1c, SM, "")
	t.Logf("client delete with a touch: %d %s", r.Status, r.Body)
	if r.Status == 204 {
		wantStats(t, app, "client delete", C1c, stats{})
	} else {
		verified(t, app, "client delete refused")
		if err := app.Delete(touch); err != nil {
			t.Fatal(err)
		}
		r = Request(t, srv, "DELETE", "/api/collections/clients/records/"+C1c, SM, "")
		mustStatus(t, r, 204, "client delete")
		wantStats(t, app, "client delete", C1c, stats{})
	}

	// an import of clients, then marks for them
	report, err := csvio.ImportClients(app, strings.NewReader("name,point,segment\nImported One,Moscow,A\nImported Two,London,B\n"))
	if err != nil {
		t.Fatalf("import: %v %+v", err, report)
	}
	verified(t, app, "import")
	imported, err := app.FindFirstRecordByData("clients", "name", "Imported One")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := MarkTouch(app, imported.Id, OccStandard, "done", PM1); err != nil {
		t.Fatal(err)
	}
	verified(t, app, "imported client marked")

	// a client deleted under the API (raw SQL: the API refuses while
	// touches point at it) takes its aggregates along
	if _, err := app.DB().Delete("clients", dbx.HashExp{"id": imported.Id}).Execute(); err != nil {
		t.Fatal(err)
	}
	wantStats(t, app, "client deleted with its touches left", imported.Id, stats{})
}

// TestAggregatesRollBack: a transaction that writes a done touch and then
// fails leaves the aggregates as they were; so does a hook that fails
// after the touch's insert.
func TestAggregatesRollBack(t *testing.T) {
	app := New(t)
	before := storedStats(t, app, C1)
	err := app.RunInTransaction(func(txApp core.App) error {
		touches, err := txApp.FindCollectionByNameOrId("touches")
		if err != nil {
			return err
		}
		touch := core.NewRecord(touches)
		touch.Load(map[string]any{"client": C1, "occasion": OccStandard, "status": "done", "author": PM1})
		if err := txApp.Save(touch); err != nil {
			return err
		}
		if got := storedStats(t, txApp, C1); got.standard != 1 {
			t.Errorf("inside the transaction: %+v, want one standard touch", got)
		}
		return errors.New("forced")
	})
	if err == nil || err.Error() != "forced" {
		t.Fatalf("transaction: %v", err)
	}
	wantStats(t, app, "rolled back", C1, before)

	app.OnRecordCreateExecute("touches").BindFunc(func(e *core.RecordEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		return errors.New("forced after insert")
	})
	srv := Serve(t, app)
	r := Request(t, srv, "POST", "/api/collections/touches/records", PM1, markBody(C1, OccStandard, "done"))
	if r.Status == 200 {
		t.Fatalf("the failing hook did not fail the create: %s", r.Body)
	}
	if n := Count(t, app, "touches", "client = {:c} && occasion = {:o}", dbx.Params{"c": C1, "o": OccStandard}); n != 0 {
		t.Errorf("%d touches after the failed create, want 0", n)
	}
	wantStats(t, app, "failed create", C1, before)
}

// TestVerifyCatchesDrift breaks the aggregates on purpose — one trigger
// dropped, one stored count changed — and checks Verify reports exactly
// the clients it broke.
func TestVerifyCatchesDrift(t *testing.T) {
	app := New(t)
	srv := Serve(t, app)
	verified(t, app, "fixture")

	// the update that takes a done touch out no longer runs
	if _, err := app.DB().NewQuery("DROP TRIGGER client_stats_touch_update_old").Execute(); err != nil {
		t.Fatal(err)
	}
	r := Request(t, srv, "PATCH", "/api/collections/touches/records/"+T1, PM1, `{"status":"withdrawn"}`)
	mustStatus(t, r, 200, "withdraw")
	diffs, err := aggregates.Verify(app)
	if err != nil {
		t.Fatal(err)
	}
	day := created(t, app, T1)[:10]
	want := []aggregates.Diff{
		{C1, "done@" + day, "1", ""},
		{C1, "last_done", created(t, app, T1), ""},
		{C1, "mandatory@" + day, "1", ""},
		{C1, "standard@" + day, "0", ""},
	}
	if fmt.Sprint(diffs) != fmt.Sprint(want) {
		t.Errorf("diffs after a dropped trigger:\n%v\nwant\n%v", diffs, want)
	}

	// a stored count off by one
	if _, err := app.DB().NewQuery("UPDATE client_day_counts SET standard = standard + 1 WHERE client = {:c}").
		Bind(dbx.Params{"c": C2}).Execute(); err != nil {
		t.Fatal(err)
	}
	diffs, err = aggregates.Verify(app)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, d := range diffs {
		if d.Client == C2 {
			found = d.Field == "standard@"+created(t, app, T2)[:10] && d.Stored == "1" && d.Recomputed == "0"
		}
	}
	if !found {
		t.Errorf("C2's changed count not reported: %v", diffs)
	}
}

// TestBackfill: the migration's down and up again rebuild the aggregates
// from the existing touches, equal to what the triggers kept.
func TestBackfill(t *testing.T) {
	app := New(t)
	for c, occasions := range map[string][]string{C1: {OccStandard, OccSegmentA}, C1c: {OccStandard, OccMandatory}} {
		for _, o := range occasions {
			if _, err := MarkTouch(app, c, o, "done", PM1); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := app.DB().NewQuery(`UPDATE touches SET created = strftime('%Y-%m-%d %H:%M:%fZ', created, '-' || (rowid * 37) || ' days')`).Execute(); err != nil {
		t.Fatal(err)
	}
	snapshot := func() string {
		var rows []struct {
			Client string `db:"client"`
			Day    string `db:"day"`
			Done   int    `db:"done"`
			M      int    `db:"m"`
			S      int    `db:"s"`
		}
		err := app.DB().NewQuery(`SELECT client, day, done, mandatory AS m, standard AS s FROM client_day_counts
			UNION ALL SELECT client, last_done, 0, 0, 0 FROM client_stats ORDER BY 1, 2`).All(&rows)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(rows)
	}
	kept := snapshot()
	verified(t, app, "kept by the triggers")

	var migration *core.Migration
	for _, m := range core.AppMigrations.Items() {
		if m.File == "1764800000_client_stats.go" {
			migration = m
		}
	}
	if migration == nil {
		t.Fatal("migration 1764800000_client_stats.go not registered")
	}
	if err := app.RunInTransaction(migration.Down); err != nil {
		t.Fatal(err)
	}
	if err := app.RunInTransaction(migration.Up); err != nil {
		t.Fatal(err)
	}
	if got := snapshot(); got != kept {
		t.Errorf("backfilled:\n%s\nkept:\n%s", got, kept)
	}
	verified(t, app, "backfilled")
	if _, err := MarkTouch(app, C2, OccStandard, "done", PM2); err != nil {
		t.Fatal(err)
	}
	verified(t, app, "the triggers run again")
}
