package aggregates_test

import (
	"fmt"
	"net/http"
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

// stored is the client's clients.last_touch as the database holds it.
func stored(t testing.TB, app core.App, client string) string {
	t.Helper()
	var last string
	err := app.DB().NewQuery("SELECT last_touch FROM clients WHERE id = {:c}").Bind(dbx.Params{"c": client}).Row(&last)
	if err != nil {
		t.Fatalf("last_touch of %s: %v", client, err)
	}
	return last
}

// created is the touch's created time in the database's text form.
func created(t testing.TB, app core.App, touch string) string {
	t.Helper()
	r, err := app.FindRecordById("touches", touch)
	if err != nil {
		t.Fatal(err)
	}
	return domain.DBTime(r.GetDateTime("created").Time())
}

// verified fails the test on any difference between clients.last_touch
// and its recomputation from the touches.
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

// wantLast checks Verify and that the client's last_touch is want.
func wantLast(t testing.TB, app core.App, step, client, want string) {
	t.Helper()
	verified(t, app, step)
	if got := stored(t, app, client); got != want {
		t.Errorf("%s: %s last_touch %q, want %q", step, client, got, want)
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

// TestLastTouchFollowsEveryWrite makes every kind of write that moves a
// client's newest done touch — through the API, app.Save, an import and
// raw SQL — and checks after each that clients.last_touch equals its
// recomputation and holds the expected time.
func TestLastTouchFollowsEveryWrite(t *testing.T) {
	app := New(t)
	srv := Serve(t, app)
	t1, t2 := created(t, app, T1), created(t, app, T2)

	wantLast(t, app, "fixture", C1, t1)
	wantLast(t, app, "fixture", C2, t2)
	wantLast(t, app, "fixture", C1b, "")

	// loaded now, saved after the next mark: its last_touch is stale
	stale, err := app.FindRecordById("clients", C1)
	if err != nil {
		t.Fatal(err)
	}

	// a done touch through the API moves it forward
	r := Request(t, srv, "POST", "/api/collections/touches/records", PM1, markBody(C1, OccStandard, "done"))
	mustStatus(t, r, 200, "mark done")
	std := r.JSON["id"].(string)
	stdCreated := created(t, app, std)
	if stdCreated <= t1 {
		t.Fatalf("the new touch's created %q is not after the fixture's %q", stdCreated, t1)
	}
	wantLast(t, app, "mark done", C1, stdCreated)

	// the stale record saved through app.Save writes the old value back:
	// the trigger puts the touches' value back
	if stale.GetString("last_touch") != t1 {
		t.Fatalf("stale record holds %q, want %q", stale.GetString("last_touch"), t1)
	}
	stale.Set("notes", "saved from a stale record")
	if err := app.Save(stale); err != nil {
		t.Fatal(err)
	}
	wantLast(t, app, "stale client saved", C1, stdCreated)
	if got, _ := app.FindRecordById("clients", C1); got.GetString("notes") != "saved from a stale record" {
		t.Errorf("the stale save's other change was lost: notes %q", got.GetString("notes"))
	}

	// a skipped touch changes nothing
	r = Request(t, srv, "POST", "/api/collections/touches/records", PM2, markBody(C2, OccP2Only, "skipped"))
	mustStatus(t, r, 200, "mark skipped")
	skipped := r.JSON["id"].(string)
	wantLast(t, app, "mark skipped", C2, t2)
	r = Request(t, srv, "PATCH", "/api/collections/touches/records/"+skipped, PM2, `{"status":"done"}`)
	t.Logf("skipped → done: %d", r.Status)
	if r.Status == 200 {
		wantLast(t, app, "skipped → done", C2, max(t2, created(t, app, skipped)))
		r = Request(t, srv, "PATCH", "/api/collections/touches/records/"+skipped, PM2, `{"status":"skipped"}`)
		mustStatus(t, r, 200, "done → skipped")
		wantLast(t, app, "done → skipped", C2, t2)
	} else {
		wantLast(t, app, "skipped → done refused", C2, t2)
	}

	// withdrawn: back to the fixture's touch; marked again: the new mark
	r = Request(t, srv, "PATCH", "/api/collections/touches/records/"+std, PM1, `{"status":"withdrawn"}`)
	mustStatus(t, r, 200, "withdraw")
	wantLast(t, app, "withdraw", C1, t1)
	r = Request(t, srv, "PATCH", "/api/collections/touches/records/"+std, PM1, `{"status":"done"}`)
	t.Logf("withdrawn → done by PATCH: %d", r.Status)
	if r.Status == 200 {
		wantLast(t, app, "withdrawn → done", C1, stdCreated)
		r = Request(t, srv, "PATCH", "/api/collections/touches/records/"+std, PM1, `{"status":"withdrawn"}`)
		mustStatus(t, r, 200, "withdraw again")
		wantLast(t, app, "withdraw again", C1, t1)
	} else {
		wantLast(t, app, "withdrawn → done refused", C1, t1)
	}
	r = Request(t, srv, "POST", "/api/collections/touches/records", PM1, markBody(C1, OccStandard, "done"))
	mustStatus(t, r, 200, "marked again")
	again := r.JSON["id"].(string)
	againCreated := created(t, app, again)
	wantLast(t, app, "marked again", C1, againCreated)

	// deleted by a superuser: the newest remaining done touch, or none
	r = Request(t, srv, "DELETE", "/api/collections/touches/records/"+T2, Superuser, "")
	mustStatus(t, r, 204, "delete T2")
	wantLast(t, app, "delete T2", C2, "")
	r = Request(t, srv, "DELETE", "/api/collections/touches/records/"+again, Superuser, "")
	mustStatus(t, r, 204, "delete the new mark")
	wantLast(t, app, "delete the new mark", C1, t1)

	// created moved by raw SQL (as imports of history do), back and forth
	old := domain.DBTime(time.Now().AddDate(-1, -1, 0))
	if _, err := app.DB().Update("touches", dbx.Params{"created": old}, dbx.HashExp{"id": T1}).Execute(); err != nil {
		t.Fatal(err)
	}
	wantLast(t, app, "created moved back", C1, old)
	if _, err := app.DB().Update("touches", dbx.Params{"created": t1}, dbx.HashExp{"id": T1}).Execute(); err != nil {
		t.Fatal(err)
	}
	wantLast(t, app, "created moved forward", C1, t1)

	// a client moving point and segment (and manager) keeps it
	r = Request(t, srv, "PATCH", "/api/collections/clients/records/"+C1, SM, fmt.Sprintf(`{"point":%q,"manager":%q,"segment":"B"}`, P2, PM2))
	mustStatus(t, r, 200, "client moves")
	wantLast(t, app, "client moves", C1, t1)

	// a client created through app.Save with a forged last_touch gets ""
	clients, err := app.FindCollectionByNameOrId("clients")
	if err != nil {
		t.Fatal(err)
	}
	forged := core.NewRecord(clients)
	forged.Set("name", "Forged")
	forged.Set("point", P1)
	forged.Set("last_touch", "2030-01-01 00:00:00.000Z")
	if err := app.Save(forged); err != nil {
		t.Fatal(err)
	}
	wantLast(t, app, "client created with a forged last_touch", forged.Id, "")
	// and an existing client's forged by app.Save is put back too
	c2, err := app.FindRecordById("clients", C2)
	if err != nil {
		t.Fatal(err)
	}
	c2.Set("last_touch", "2030-01-01 00:00:00.000Z")
	if err := app.Save(c2); err != nil {
		t.Fatal(err)
	}
	wantLast(t, app, "client saved with a forged last_touch", C2, "")

	// imported clients start without one; a mark sets it
	report, err := csvio.ImportClients(app, strings.NewReader("name,point,segment\nImported One,Moscow,A\nImported Two,London,B\n"))
	if err != nil {
		t.Fatalf("import: %v %+v", err, report)
	}
	imported, err := app.FindFirstRecordByData("clients", "name", "Imported One")
	if err != nil {
		t.Fatal(err)
	}
	wantLast(t, app, "import", imported.Id, "")
	touch, err := MarkTouch(app, imported.Id, OccStandard, "done", PM1)
	if err != nil {
		t.Fatal(err)
	}
	wantLast(t, app, "imported client marked", imported.Id, created(t, app, touch.Id))
}

// TestVerifyCatchesDrift breaks the triggers on purpose — the insert
// trigger dropped — and checks Verify reports exactly the client whose
// touch it then missed.
func TestVerifyCatchesDrift(t *testing.T) {
	app := New(t)
	srv := Serve(t, app)
	verified(t, app, "fixture")
	t2 := created(t, app, T2)

	if _, err := app.DB().NewQuery("DROP TRIGGER clients_last_touch_touch_insert").Execute(); err != nil {
		t.Fatal(err)
	}
	r := Request(t, srv, "POST", "/api/collections/touches/records", PM2, markBody(C2, OccP2Only, "done"))
	mustStatus(t, r, 200, "mark")
	touch := r.JSON["id"].(string)
	diffs, err := aggregates.Verify(app)
	if err != nil {
		t.Fatal(err)
	}
	want := []aggregates.Diff{{What: "client " + C2 + " last_touch", Stored: t2, Recomputed: created(t, app, touch)}}
	if fmt.Sprint(diffs) != fmt.Sprint(want) {
		t.Errorf("diffs after a dropped trigger:\n%v\nwant\n%v", diffs, want)
	}
	if len(diffs) == 1 {
		s := diffs[0].String()
		if !strings.Contains(s, C2) || !strings.Contains(s, "last_touch") {
			t.Errorf("Diff.String() = %q, want the client and the field named", s)
		}
	}

	// a raw write of the column is put back at once (the kept trigger is
	// still there), so it is no drift
	if _, err := app.DB().Update("clients", dbx.Params{"last_touch": "2030-01-01 00:00:00.000Z"}, dbx.HashExp{"id": C1}).Execute(); err != nil {
		t.Fatal(err)
	}
	if diffs, err := aggregates.Verify(app); err != nil || len(diffs) != 1 || diffs[0].What != "client "+C2+" last_touch" {
		t.Errorf("after a raw write of C1's last_touch: %v %v, want only C2's difference", diffs, err)
	}
}

// TestStaleSaveNeedsKeptTrigger: app.Save of a client writes every column,
// last_touch included, so a record loaded before a touch was marked
// writes the old value back; without clients_last_touch_kept that would
// be drift, and Verify reports it.
func TestStaleSaveNeedsKeptTrigger(t *testing.T) {
	app := New(t)
	srv := Serve(t, app)
	t1 := created(t, app, T1)
	if _, err := app.DB().NewQuery("DROP TRIGGER clients_last_touch_kept").Execute(); err != nil {
		t.Fatal(err)
	}
	stale, err := app.FindRecordById("clients", C1)
	if err != nil {
		t.Fatal(err)
	}
	r := Request(t, srv, "POST", "/api/collections/touches/records", PM1, markBody(C1, OccStandard, "done"))
	mustStatus(t, r, 200, "mark")
	marked := created(t, app, r.JSON["id"].(string))
	wantLast(t, app, "mark", C1, marked)
	stale.Set("notes", "saved from a stale record")
	if err := app.Save(stale); err != nil {
		t.Fatal(err)
	}
	diffs, err := aggregates.Verify(app)
	if err != nil {
		t.Fatal(err)
	}
	want := []aggregates.Diff{{What: "client " + C1 + " last_touch", Stored: t1, Recomputed: marked}}
	if fmt.Sprint(diffs) != fmt.Sprint(want) {
		t.Errorf("diffs after a stale save without the kept trigger:\n%v\nwant\n%v", diffs, want)
	}
}

// TestAPIRefusesLastTouch: a superuser's request body (the API or the
// dashboard) that sets last_touch on a client's create or update is
// refused with a 400 naming the field and saying why, in the request's
// language. Other users cannot set it either: PocketBase drops hidden
// fields from their bodies before any hook runs, so their request passes
// without it. Either way the stored value stays the touches'.
func TestAPIRefusesLastTouch(t *testing.T) {
	app := New(t)
	srv := Serve(t, app)
	before := stored(t, app, C1)
	forged := "2030-01-01 00:00:00.000Z"
	createBody := fmt.Sprintf(`{"name":"New","point":%q,"last_touch":%q}`, P1, forged)
	refused := []struct {
		name, method, path, body string
	}{
		{"create", http.MethodPost, "/api/collections/clients/records", createBody},
		{"update", http.MethodPatch, "/api/collections/clients/records/" + C1, fmt.Sprintf(`{"notes":"x","last_touch":%q}`, forged)},
		{"update clearing it", http.MethodPatch, "/api/collections/clients/records/" + C1, `{"last_touch":""}`},
	}
	for _, c := range refused {
		for lang, why := range map[string]string{
			"en": "it is kept by the database from the client's done touches",
			"ru": "его ведёт база данных по выполненным касаниям клиента",
		} {
			r := RequestWith(t, srv, c.method, c.path, Superuser, c.body, map[string]string{"Accept-Language": lang})
			data, _ := r.JSON["data"].(map[string]any)
			field, _ := data["last_touch"].(map[string]any)
			if r.Status != 400 || field["code"] != "validation_unchangeable" {
				t.Errorf("superuser %s (%s): %d %s, want a 400 naming last_touch", c.name, lang, r.Status, r.Body)
				continue
			}
			if msg, _ := field["message"].(string); !strings.Contains(msg, why) {
				t.Errorf("superuser %s (%s): message %q, want it to say %q", c.name, lang, msg, why)
			}
		}
	}
	if got := stored(t, app, C1); got != before {
		t.Errorf("C1's last_touch %q after the refused requests, want %q", got, before)
	}
	if n := Count(t, app, "clients", "name = 'New'"); n != 0 {
		t.Errorf("%d clients created by the refused requests", n)
	}

	// a point manager's and the service manager's last_touch never reaches
	// the record (PocketBase drops hidden fields of non-superusers)
	r := Request(t, srv, http.MethodPost, "/api/collections/clients/records", PM1, createBody)
	mustStatus(t, r, 200, "point manager creates with last_touch")
	wantLast(t, app, "point manager creates with last_touch", r.JSON["id"].(string), "")
	r = Request(t, srv, http.MethodPatch, "/api/collections/clients/records/"+C1, PM1, fmt.Sprintf(`{"notes":"y","last_touch":%q}`, forged))
	mustStatus(t, r, 200, "point manager updates with last_touch")
	wantLast(t, app, "point manager updates with last_touch", C1, before)
	r = Request(t, srv, http.MethodPatch, "/api/collections/clients/records/"+C1, SM, `{"last_touch":""}`)
	mustStatus(t, r, 200, "service manager clears last_touch")
	wantLast(t, app, "service manager clears last_touch", C1, before)
	if _, shown := r.JSON["last_touch"]; shown {
		t.Errorf("last_touch shown to a non-superuser: %s", r.Body)
	}

	// the dashboard form sends the value it loaded: unchanged, it passes
	r = Request(t, srv, http.MethodGet, "/api/collections/clients/records/"+C1, Superuser, "")
	mustStatus(t, r, 200, "superuser reads C1")
	shown, _ := r.JSON["last_touch"].(string)
	if shown != before {
		t.Fatalf("a superuser's GET shows last_touch %q, want %q", shown, before)
	}
	r = Request(t, srv, http.MethodPatch, "/api/collections/clients/records/"+C1, Superuser,
		fmt.Sprintf(`{"notes":"called back","last_touch":%q}`, shown))
	mustStatus(t, r, 200, "the dashboard form saved with last_touch unchanged")
	verified(t, app, "end")
}

// markCount is mark_counts' n for one cell, 0 when there is no row.
func markCount(t testing.TB, app core.App, occasion, period, point, segment, stage, status string) int {
	t.Helper()
	var n int
	err := app.DB().NewQuery(`SELECT COALESCE(SUM(n), 0) FROM mark_counts WHERE occasion = {:o} AND period = {:p}
		AND point = {:pt} AND segment = {:s} AND stage = {:g} AND status = {:st}`).
		Bind(dbx.Params{"o": occasion, "p": period, "pt": point, "s": segment, "g": stage, "st": status}).Row(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestMarkCountsFollowEveryWrite: mark_counts equals its recomputation
// after marks (done, skipped), a withdrawal and a re-mark through the API,
// a client moving segment, stage and point, raw moves of a touch's
// occasion, period and client, a touch deleted and a client deleted
// (touches first or last); and the cell a mark is counted in is its client's.
func TestMarkCountsFollowEveryWrite(t *testing.T) {
	app := New(t)
	srv := Serve(t, app)
	verified(t, app, "fixture")

	client, err := app.FindRecordById("clients", C1c)
	if err != nil {
		t.Fatal(err)
	}
	point, segment, stage := client.GetString("point"), client.GetString("segment"), client.GetString("stage")
	r := Request(t, srv, "POST", "/api/collections/touches/records", PM1, markBody(C1c, OccStandard, "done"))
	mustStatus(t, r, 200, "mark done")
	touch := r.JSON["id"].(string)
	period := r.JSON["period"].(string)
	verified(t, app, "mark done")
	if n := markCount(t, app, OccStandard, period, point, segment, stage, "done"); n != 1 {
		t.Errorf("C1c's done mark counted %d times in its cell", n)
	}
	r = Request(t, srv, "POST", "/api/collections/touches/records", PM1, markBody(C1c, OccMandatory, "skipped"))
	mustStatus(t, r, 200, "mark skipped")
	verified(t, app, "mark skipped")

	r = Request(t, srv, "PATCH", "/api/collections/touches/records/"+touch, PM1, `{"status":"withdrawn"}`)
	mustStatus(t, r, 200, "withdraw")
	verified(t, app, "withdraw")
	if n := markCount(t, app, OccStandard, period, point, segment, stage, "done"); n != 0 {
		t.Errorf("a withdrawn mark still counted: %d", n)
	}
	r = Request(t, srv, "POST", "/api/collections/touches/records", PM1, markBody(C1c, OccStandard, "done"))
	mustStatus(t, r, 200, "mark again")
	verified(t, app, "mark again")

	for _, change := range []map[string]any{{"segment": "D"}, {"stage": "lost"}, {"point": P2}, {"segment": "A", "stage": "regular", "point": P1}} {
		client, err := app.FindRecordById("clients", C1c)
		if err != nil {
			t.Fatal(err)
		}
		client.Load(change)
		if err := app.Save(client); err != nil {
			t.Fatal(err)
		}
		verified(t, app, fmt.Sprint("client moved ", change))
	}
	if n := markCount(t, app, OccStandard, period, P1, "A", "regular", "done"); n != 1 {
		t.Errorf("after the moves the mark is counted %d times in C1c's new cell", n)
	}

	// an occasion changing its targets moves nothing: the counts are by
	// the clients' cells, and the reads apply the targets
	occasion, err := app.FindRecordById("occasions", OccStandard)
	if err != nil {
		t.Fatal(err)
	}
	occasion.Set("points", []string{P2})
	occasion.Set("segments", []string{"D"})
	if err := app.Save(occasion); err != nil {
		t.Fatal(err)
	}
	verified(t, app, "occasion targets changed")

	for _, sql := range []string{
		`UPDATE touches SET period = 'moved' WHERE id = '` + T1 + `'`,
		`UPDATE touches SET occasion = '` + OccP2Only + `' WHERE id = '` + T1 + `'`,
		`UPDATE touches SET client = '` + C1b + `' WHERE id = '` + T1 + `'`,
		`DELETE FROM touches WHERE id = '` + T2 + `'`,
	} {
		if _, err := app.DB().NewQuery(sql).Execute(); err != nil {
			t.Fatal(err)
		}
		verified(t, app, sql)
	}

	// a client's delete in either order: its touches first, or the
	// client row first with its touches left behind
	for _, sql := range []string{
		`DELETE FROM touches WHERE client = '` + C1c + `'`,
		`DELETE FROM clients WHERE id = '` + C1c + `'`,
		`DELETE FROM clients WHERE id = '` + C1b + `'`,
		`DELETE FROM touches WHERE client = '` + C1b + `'`,
	} {
		if _, err := app.DB().NewQuery(sql).Execute(); err != nil {
			t.Fatal(err)
		}
		verified(t, app, sql)
	}
}

// TestVerifyCatchesCellDrift: with the trigger that follows a client to
// its new cell dropped, moving C2 leaves the aggregate counting it (or
// its mark, T2) in the old cell, and Verify names exactly the old and the
// new cell.
func TestVerifyCatchesCellDrift(t *testing.T) {
	for _, c := range []struct {
		trigger, field, value, prefix string
	}{
		{"mark_counts_client_cell", "segment", "D", "mark_counts " + OccMandatory + " "},
		{"client_cells_move", "stage", "sleeping", "client_cells " + P2 + " "},
	} {
		t.Run(c.trigger, func(t *testing.T) {
			app := New(t)
			verified(t, app, "fixture")
			if _, err := app.DB().NewQuery("DROP TRIGGER " + c.trigger).Execute(); err != nil {
				t.Fatal(err)
			}
			client, err := app.FindRecordById("clients", C2)
			if err != nil {
				t.Fatal(err)
			}
			client.Set(c.field, c.value)
			if err := app.Save(client); err != nil {
				t.Fatal(err)
			}
			diffs, err := aggregates.Verify(app)
			if err != nil {
				t.Fatal(err)
			}
			named := 0
			for _, d := range diffs {
				if strings.HasPrefix(d.What, c.prefix) {
					named++
				}
			}
			if len(diffs) != 2 || named != 2 || !strings.Contains(diffs[0].What+diffs[1].What, " "+c.value) {
				t.Errorf("Verify after dropping %s: %v, want C2's old and new cell", c.trigger, diffs)
			}
		})
	}
}
