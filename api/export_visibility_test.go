package api_test

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"touchbase/internal/testapp"
)

// Touches seedHostile adds, besides T1, T2 and a touch of PM1b's on C1c.
const (
	hostileMoved     = "touchmoved00001" // PM2 on a client later moved from P2 to P1
	hostileP2Only    = "touchp2only0001" // PM2, OccP2Only, on that same client
	hostileBySM      = "touchbysm000001" // the service manager on C1
	hostileRetarget  = "touchretarget01" // PM1 on C1, occasion later retargeted to P3
	hostileColleague = "touchcolleague1" // PM1b on C1c
)

// seedHostile builds the cases where a joined column of the export could
// show what REST hides: staff of another point on a client that changed
// point, an occasion that stopped targeting the point, the service
// manager's e-mail (visible to all or not, as smVisible says) and a
// colleague's e-mail.
func seedHostile(t *testing.T, app *tests.TestApp, smVisible bool) {
	t.Helper()
	save := func(r *core.Record) {
		t.Helper()
		if err := app.RunInTransaction(func(txApp core.App) error { return txApp.Save(r) }); err != nil {
			t.Fatalf("save %s %s: %v", r.Collection().Name, r.Id, err)
		}
	}
	record := func(collection, id string, fields map[string]any) *core.Record {
		t.Helper()
		c, err := app.FindCollectionByNameOrId(collection)
		if err != nil {
			t.Fatal(err)
		}
		r := core.NewRecord(c)
		r.Id = id
		for k, v := range fields {
			r.Set(k, v)
		}
		return r
	}
	find := func(collection, id string) *core.Record {
		t.Helper()
		r, err := app.FindRecordById(collection, id)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}

	moved := record("clients", "clientmoved0001", map[string]any{"name": "Moved Ltd", "point": testapp.P2, "manager": testapp.PM2, "segment": "B"})
	save(moved)
	retargeted := record("occasions", "occretarget0001", map[string]any{"title": "Moscow only, then Kazan", "kind": "standard",
		"category": "news", "points": []string{testapp.P1}})
	save(retargeted)
	for _, touch := range []*core.Record{
		record("touches", hostileMoved, map[string]any{"client": moved.Id, "occasion": testapp.OccStandard, "status": "done", "author": testapp.PM2}),
		record("touches", hostileP2Only, map[string]any{"client": moved.Id, "occasion": testapp.OccP2Only, "status": "done", "author": testapp.PM2}),
		record("touches", hostileBySM, map[string]any{"client": testapp.C1, "occasion": testapp.OccStandard, "status": "done", "author": testapp.SM}),
		record("touches", hostileRetarget, map[string]any{"client": testapp.C1, "occasion": retargeted.Id, "status": "skipped", "author": testapp.PM1}),
		record("touches", hostileColleague, map[string]any{"client": testapp.C1c, "occasion": testapp.OccStandard, "status": "done", "author": testapp.PM1b}),
	} {
		save(touch)
	}

	// later: the client changes point, the occasion its target
	moved.Set("point", testapp.P1)
	moved.Set("manager", testapp.PM1)
	save(moved)
	retargeted.Set("points", []string{testapp.P3})
	save(retargeted)

	sm := find("users", testapp.SM)
	sm.SetEmailVisibility(smVisible)
	save(sm)
}

// TestExportMatchesREST checks the CSV export against REST for the same
// caller: every joined cell (author name and e-mail, occasion title, kind
// and category, point name) is exactly what GET
// /api/collections/{users,occasions,points}/records/{id} answers that
// caller, and empty where REST answers 404 or leaves the field out.
func TestExportMatchesREST(t *testing.T) {
	for _, smVisible := range []bool{false, true} {
		t.Run(fmt.Sprintf("service manager emailVisibility=%v", smVisible), func(t *testing.T) {
			app := testapp.New(t)
			seedHostile(t, app, smVisible)
			server := testapp.Serve(t, app)

			for _, caller := range []string{testapp.PM1, testapp.PM1b, testapp.PM2, testapp.SM, testapp.Superuser} {
				t.Run(caller, func(t *testing.T) {
					res := testapp.Request(t, server, http.MethodGet, exportURL, caller, "")
					if res.Status != http.StatusOK {
						t.Fatalf("export: %d %s", res.Status, res.Body)
					}
					rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(res.Body, "\uFEFF"))).ReadAll()
					if err != nil {
						t.Fatalf("export is not CSV: %v", err)
					}
					col := map[string]int{}
					for i, name := range rows[0] {
						col[name] = i
					}

					// rest is what REST shows the caller of a record: the
					// field's value, "" when it is left out or the record
					// cannot be viewed
					cache := map[string]map[string]any{}
					rest := func(collection, id, field string) string {
						key := collection + "/" + id
						body, ok := cache[key]
						if !ok {
							r := testapp.Request(t, server, http.MethodGet, "/api/collections/"+key, caller, "")
							switch r.Status {
							case http.StatusOK:
								body = r.JSON
							case http.StatusNotFound, http.StatusForbidden:
							default:
								t.Fatalf("GET %s: %d %s", key, r.Status, r.Body)
							}
							cache[key] = body
						}
						v, _ := body[field].(string)
						return v
					}

					seen := map[string]bool{}
					for _, row := range rows[1:] {
						touchID := row[col["touch_id"]]
						seen[touchID] = true
						touch, err := app.FindRecordById("touches", touchID)
						if err != nil {
							t.Fatal(err)
						}
						client, err := app.FindRecordById("clients", touch.GetString("client"))
						if err != nil {
							t.Fatal(err)
						}
						author := "users/records/" + touch.GetString("author")
						occasion := "occasions/records/" + touch.GetString("occasion")
						point := "points/records/" + client.GetString("point")
						for _, c := range []struct{ column, record, field string }{
							{"author_name", author, "name"},
							{"author_email", author, "email"},
							{"occasion_title", occasion, "title"},
							{"occasion_kind", occasion, "kind"},
							{"occasion_category", occasion, "category"},
							{"point_name", point, "name"},
						} {
							collection, id, _ := strings.Cut(c.record, "/records/")
							want := rest(collection+"/records", id, c.field)
							if got := row[col[c.column]]; got != want {
								t.Errorf("touch %s: %s = %q, REST shows %q (GET %s)", touchID, c.column, got, want, c.record)
							}
						}
					}

					// and REST says what the tester expects of the hostile
					// cases, so that the comparison above compares something
					smEmail := ""
					if smVisible {
						smEmail = "sm@test.local"
					}
					type anchor struct{ touch, column, want string }
					anchors := map[string][]anchor{
						testapp.PM1: {
							{hostileMoved, "author_name", ""},
							{hostileMoved, "author_email", ""},
							{hostileP2Only, "occasion_title", ""},
							{hostileRetarget, "occasion_category", ""},
							{hostileRetarget, "author_email", "pm1@test.local"}, // their own
							{hostileBySM, "author_name", "Sergey Service"},
							{hostileBySM, "author_email", smEmail},
							{hostileColleague, "author_name", "Pavel Moscow"},
							{hostileColleague, "author_email", ""},
							{hostileColleague, "point_name", "Moscow"},
						},
						testapp.SM: { // manages point managers, so sees their e-mails
							{hostileMoved, "author_email", "pm2@test.local"},
							{hostileColleague, "author_email", "pm1b@test.local"},
							{hostileP2Only, "occasion_title", "London webinar"},
							{hostileBySM, "author_email", "sm@test.local"},
						},
					}[caller]
					for _, a := range anchors {
						for _, row := range rows[1:] {
							if row[col["touch_id"]] == a.touch && row[col[a.column]] != a.want {
								t.Errorf("touch %s: %s = %q, want %q", a.touch, a.column, row[col[a.column]], a.want)
							}
						}
					}

					// the hostile touches are in the files that must show them
					want := map[string][]string{
						testapp.PM1:  {hostileMoved, hostileP2Only, hostileBySM, hostileRetarget, hostileColleague},
						testapp.PM1b: {hostileMoved, hostileBySM, hostileColleague},
						testapp.SM:   {hostileMoved, hostileP2Only, hostileBySM, hostileRetarget, hostileColleague},
					}[caller]
					for _, id := range want {
						if !seen[id] {
							t.Errorf("touch %s is not in the export", id)
						}
					}
				})
			}
		})
	}
}
