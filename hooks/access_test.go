package hooks_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	. "touchbase/testapp"
)

func TestMain(m *testing.M) { Main(m) }

// actors in the order of every expectation row below.
var actors = []struct{ name, id string }{
	{"superuser", Superuser},
	{"service manager", SM},
	{"point manager P1", PM1},
	{"point manager P2", PM2},
	{"anonymous", ""},
}

// access is one row of the role × collection × action table: the request,
// and per actor (in the order of actors) the expected status. For a list,
// 200 means the target is among the items and 0 means a 200 without it.
type access struct {
	collection, action, target, body string
	expect                           [5]int
	prepare                          func(t testing.TB, app *tests.TestApp)
}

func accessTable() []access {
	newUser := `{"email":"new@test.local","password":"new-password-1","passwordConfirm":"new-password-1","name":"New PM","role":"point_manager","point":"` + P1 + `"}`
	dropCadenceD := func(t testing.TB, app *tests.TestApp) {
		record, err := app.FindFirstRecordByData("cadences", "segment", "D")
		if err != nil {
			t.Fatal(err)
		}
		if err := app.Delete(record); err != nil {
			t.Fatal(err)
		}
	}

	return []access{
		{collection: "points", action: "list", target: P1, expect: [5]int{200, 200, 200, 0, 0}},
		{collection: "points", action: "view", target: P1, expect: [5]int{200, 200, 200, 404, 404}},
		{collection: "points", action: "create", body: `{"name":"Novosibirsk","timezone":"Asia/Novosibirsk"}`, expect: [5]int{200, 200, 400, 400, 400}},
		{collection: "points", action: "update", target: P1, body: `{"name":"Moscow Centre"}`, expect: [5]int{200, 200, 404, 404, 404}},
		{collection: "points", action: "delete", target: P3, expect: [5]int{204, 204, 404, 404, 404}},

		{collection: "users", action: "list", target: PM1b, expect: [5]int{200, 200, 200, 0, 0}},
		{collection: "users", action: "view", target: PM1b, expect: [5]int{200, 200, 200, 404, 404}},
		{collection: "users", action: "create", body: newUser, expect: [5]int{200, 200, 400, 400, 400}},
		{collection: "users", action: "update", target: PM1b, body: `{"name":"Pavel Renamed"}`, expect: [5]int{200, 200, 404, 404, 404}},
		{collection: "users", action: "delete", target: PM1b, expect: [5]int{204, 204, 404, 404, 404}},

		{collection: "clients", action: "list", target: C1, expect: [5]int{200, 200, 200, 0, 0}},
		{collection: "clients", action: "view", target: C1, expect: [5]int{200, 200, 200, 404, 404}},
		{collection: "clients", action: "create", body: `{"name":"ООО Новая","point":"` + P1 + `"}`, expect: [5]int{200, 200, 200, 400, 400}},
		{collection: "clients", action: "update", target: C1, body: `{"notes":"Call on Mondays"}`, expect: [5]int{200, 200, 200, 404, 404}},
		{collection: "clients", action: "delete", target: C1c, expect: [5]int{204, 204, 404, 404, 404}},

		{collection: "occasions", action: "list", target: OccStandard, expect: [5]int{200, 200, 200, 200, 0}},
		{collection: "occasions", action: "list", target: OccP2Only, expect: [5]int{200, 200, 0, 200, 0}},
		{collection: "occasions", action: "view", target: OccP2Only, expect: [5]int{200, 200, 404, 200, 404}},
		{collection: "occasions", action: "view", target: OccStandard, expect: [5]int{200, 200, 200, 200, 404}},
		{collection: "occasions", action: "create", body: `{"title":"Webinar","kind":"standard"}`, expect: [5]int{200, 200, 400, 400, 400}},
		{collection: "occasions", action: "update", target: OccStandard, body: `{"title":"Renamed"}`, expect: [5]int{200, 200, 404, 404, 404}},
		{collection: "occasions", action: "delete", target: OccArchived, expect: [5]int{204, 204, 404, 404, 404}},

		{collection: "touches", action: "list", target: T1, expect: [5]int{200, 200, 200, 0, 0}},
		{collection: "touches", action: "view", target: T1, expect: [5]int{200, 200, 200, 404, 404}},
		{collection: "touches", action: "create", body: `{"client":"` + C1 + `","occasion":"` + OccStandard + `","status":"done"}`, expect: [5]int{200, 200, 200, 400, 400}},
		{collection: "touches", action: "update", target: T1, body: `{"comment":"Sent the manual too"}`, expect: [5]int{200, 200, 200, 404, 404}},
		{collection: "touches", action: "delete", target: T1, expect: [5]int{204, 403, 403, 403, 403}},

		{collection: "comments", action: "list", target: CM1, expect: [5]int{200, 200, 200, 0, 0}},
		{collection: "comments", action: "view", target: CM1, expect: [5]int{200, 200, 200, 404, 404}},
		{collection: "comments", action: "create", body: `{"client":"` + C1 + `","text":"Asked for a price list"}`, expect: [5]int{200, 200, 200, 400, 400}},
		{collection: "comments", action: "update", target: CM1, body: `{"text":"Prefers calls after 16:00"}`, expect: [5]int{200, 200, 200, 404, 404}},
		{collection: "comments", action: "delete", target: CM1, expect: [5]int{204, 204, 204, 404, 404}},

		{collection: "tickets", action: "list", target: TK1, expect: [5]int{200, 200, 200, 0, 0}},
		{collection: "tickets", action: "view", target: TK1, expect: [5]int{200, 200, 200, 404, 404}},
		{collection: "tickets", action: "create", body: `{"client":"` + C1 + `","title":"Late invoice","status":"open"}`, expect: [5]int{200, 200, 400, 400, 400}},
		{collection: "tickets", action: "update", target: TK1, body: `{"title":"Broken delivery (courier)"}`, expect: [5]int{200, 200, 404, 404, 404}},
		{collection: "tickets", action: "delete", target: TK1, expect: [5]int{204, 204, 404, 404, 404}},

		{collection: "holds", action: "list", target: H1, expect: [5]int{200, 200, 200, 0, 0}},
		{collection: "holds", action: "view", target: H1, expect: [5]int{200, 200, 200, 404, 404}},
		{collection: "holds", action: "create", body: `{"client":"` + C1 + `","reason":"requested","note":"Asked for a pause"}`, expect: [5]int{200, 200, 400, 400, 400}},
		{collection: "holds", action: "update", target: H1, body: `{"note":"Declined twice"}`, expect: [5]int{200, 200, 404, 404, 404}},
		{collection: "holds", action: "delete", target: H1, expect: [5]int{204, 204, 404, 404, 404}},

		{collection: "cadences", action: "list", target: "segment:A", expect: [5]int{200, 200, 200, 200, 0}},
		{collection: "cadences", action: "view", target: "segment:A", expect: [5]int{200, 200, 200, 200, 404}},
		{collection: "cadences", action: "create", body: `{"segment":"D","interval_days":45}`, prepare: dropCadenceD, expect: [5]int{200, 200, 400, 400, 400}},
		{collection: "cadences", action: "update", target: "segment:A", body: `{"interval_days":20}`, expect: [5]int{200, 200, 404, 404, 404}},
		{collection: "cadences", action: "delete", target: "segment:A", expect: [5]int{204, 204, 404, 404, 404}},
	}
}

// TestAccessTable runs every role against every collection and action, and
// checks both the answer and the database: a refused request changes
// nothing, an allowed one does what it says.
func TestAccessTable(t *testing.T) {
	for _, row := range accessTable() {
		for i, actor := range actors {
			row, actor, expected := row, actor, row.expect[i]
			name := fmt.Sprintf("%s/%s/%s", row.collection, row.action, actor.name)

			var before string
			scenario := tests.ApiScenario{
				Name:           name,
				Headers:        Auth(actor.id),
				TestAppFactory: Factory,
				BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
					if row.prepare != nil {
						row.prepare(t, app)
					}
					before = snapshot(t, app, row.collection)
				},
				AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
					after := snapshot(t, app, row.collection)
					changed := after != before
					write := row.action == "create" || row.action == "update" || row.action == "delete"
					if write && res.StatusCode < 300 && !changed {
						t.Errorf("%s: allowed, but %s did not change", name, row.collection)
					}
					if (!write || res.StatusCode >= 300) && changed {
						t.Errorf("%s: answered %d, but %s changed", name, res.StatusCode, row.collection)
					}
				},
			}

			base := "/api/collections/" + row.collection + "/records"
			switch row.action {
			case "list":
				scenario.Method, scenario.URL, scenario.ExpectedStatus = http.MethodGet, base+"?perPage=500", 200
			case "view":
				scenario.Method, scenario.URL, scenario.ExpectedStatus = http.MethodGet, base+"/{id}", expected
			case "create":
				scenario.Method, scenario.URL, scenario.ExpectedStatus = http.MethodPost, base, expected
			case "update":
				scenario.Method, scenario.URL, scenario.ExpectedStatus = http.MethodPatch, base+"/{id}", expected
			case "delete":
				scenario.Method, scenario.URL, scenario.ExpectedStatus = http.MethodDelete, base+"/{id}", expected
			}
			if row.body != "" {
				scenario.Body = strings.NewReader(row.body)
			}
			if expected >= 400 {
				scenario.ExpectedContent = []string{`"data":{`}
			} else if expected == 200 || expected == 0 {
				scenario.ExpectedContent = []string{`"`}
			}

			t.Run(name, func(t *testing.T) {
				if strings.Contains(scenario.URL, "{id}") || row.action == "list" {
					// the id is known only once the app exists: resolve it
					// from the template (ids are the same in every copy)
					scenario.URL = strings.ReplaceAll(scenario.URL, "{id}", fixedId(t, row.collection, row.target))
				}
				if row.action == "list" {
					want := fixedId(t, row.collection, row.target)
					if expected == 200 {
						scenario.ExpectedContent = []string{`"id":"` + want + `"`}
					} else {
						scenario.NotExpectedContent = []string{want}
					}
				}
				scenario.Test(t)
			})
		}
	}
}

// fixedId resolves a target written as an id or as "field:value".
func fixedId(t testing.TB, collection, target string) string {
	if !strings.Contains(target, ":") {
		return target
	}
	app := New(t)
	return resolveTarget(t, app, collection, target)
}

func resolveTarget(t testing.TB, app core.App, collection, target string) string {
	field, value, ok := strings.Cut(target, ":")
	if !ok {
		return target
	}
	record, err := app.FindFirstRecordByData(collection, field, value)
	if err != nil {
		t.Fatalf("target %s in %s: %v", target, collection, err)
	}
	return record.Id
}

// snapshot serialises every record of a collection (with hidden fields),
// so that any change is visible.
func snapshot(t testing.TB, app core.App, collection string) string {
	records, err := app.FindAllRecords(collection)
	if err != nil {
		t.Fatal(err)
	}
	rows := make(map[string]map[string]any, len(records))
	for _, r := range records {
		rows[r.Id] = r.FieldsData()
	}
	raw, err := json.Marshal(rows)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}
