package faults_test

import (
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/router"

	. "touchbase/internal/testapp"
	"touchbase/realtime"
)

// The access review (SPEC §2, §4.3, §6): one table decides, for every
// collection of the app and every action, and for every custom route
// under /api/touchbase/, what each role gets. The test enumerates the
// collections and walks the router: a collection, action or route without
// a decision fails the test, so nothing new ships without one.

// reviewRoles are the columns of every row: the target of a row always
// belongs to point P1 (Moscow) or to every point.
var reviewRoles = []struct{ name, id string }{
	{"superuser", Superuser},
	{"service manager", SM},
	{"point manager, own point", PM1},
	{"point manager, other point", PM2},
	{"anonymous", ""},
}

// systemCollections are PocketBase's own; their access is PocketBase's.
var systemCollections = []string{
	core.CollectionNameSuperusers, core.CollectionNameMFAs, core.CollectionNameOTPs,
	core.CollectionNameExternalAuths, core.CollectionNameAuthOrigins,
}

// reviewActions are the record actions every collection needs decisions
// for.
var reviewActions = []string{"list", "view", "create", "update", "delete"}

// decision is one row of the table: a collection action on a target (an
// id, or "field:value"), or a custom route (method and pattern as
// registered, and a concrete URL), with the expected status per role.
//
// For a list (and for a route with seen set), 200 means a 200 whose body
// shows seen (the target), 0 a 200 whose body does not: the rows a role
// may not see are filtered out, not refused.
type decision struct {
	collection, action, target, body string

	method, route, url, seen string

	expect  [5]int
	prepare func(t testing.TB, app *tests.TestApp)
	// page: the route answers a person's browser (a link in an e-mail)
	// with an HTML page, refusals too
	page bool
}

func (d decision) key() string {
	if d.route != "" {
		return d.method + " " + d.route
	}
	return d.collection + " " + d.action
}

func accessDecisions() []decision {
	newUser := `{"email":"new@test.local","password":"new-password-1","passwordConfirm":"new-password-1","name":"New PM","role":"point_manager","point":"` + P1 + `"}`
	dropCadenceD := func(t testing.TB, app *tests.TestApp) {
		record, err := app.FindFirstRecordByData("cadences", "segment", "D")
		if err == nil {
			err = app.Delete(record)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	route := func(path, url, seen string, expect [5]int) decision {
		return decision{method: http.MethodGet, route: "/api/touchbase" + path, url: url, seen: seen, expect: expect}
	}
	// the server-written comment of the fixture touch T1
	touchComment := "touch:" + T1

	return []decision{
		{collection: "points", action: "list", target: P1, expect: [5]int{200, 200, 200, 0, 0}},
		{collection: "points", action: "view", target: P1, expect: [5]int{200, 200, 200, 404, 404}},
		{collection: "points", action: "create", body: `{"name":"Novosibirsk","timezone":"Asia/Novosibirsk","country":"RU"}`, expect: [5]int{200, 200, 400, 400, 400}},
		{collection: "points", action: "update", target: P1, body: `{"name":"Moscow Centre"}`, expect: [5]int{200, 200, 404, 404, 404}},
		{collection: "points", action: "delete", target: P3, expect: [5]int{204, 204, 404, 404, 404}},

		{collection: "users", action: "list", target: PM1b, expect: [5]int{200, 200, 200, 0, 0}},
		{collection: "users", action: "view", target: PM1b, expect: [5]int{200, 200, 200, 404, 404}},
		{collection: "users", action: "create", body: newUser, expect: [5]int{200, 200, 400, 400, 400}},
		{collection: "users", action: "update", target: PM1b, body: `{"name":"Pavel Renamed"}`, expect: [5]int{200, 200, 404, 404, 404}},
		{collection: "users", action: "update", target: PM1b, body: `{"role":"service_manager"}`, expect: [5]int{200, 404, 404, 404, 404}},
		{collection: "users", action: "delete", target: PM1b, expect: [5]int{204, 204, 404, 404, 404}},

		{collection: "clients", action: "list", target: C1, expect: [5]int{200, 200, 200, 0, 0}},
		{collection: "clients", action: "view", target: C1, expect: [5]int{200, 200, 200, 404, 404}},
		{collection: "clients", action: "create", body: `{"name":"ООО Новая","point":"` + P1 + `"}`, expect: [5]int{200, 200, 200, 400, 400}},
		{collection: "clients", action: "update", target: C1, body: `{"notes":"Call on Mondays"}`, expect: [5]int{200, 200, 200, 404, 404}},
		{collection: "clients", action: "update", target: C1b, body: `{"point":"` + P2 + `"}`, expect: [5]int{200, 200, 400, 404, 404}},
		{collection: "clients", action: "delete", target: C1c, expect: [5]int{204, 204, 404, 404, 404}},

		// contacts: the client's people, scoped like the client; a point
		// manager keeps a contact with its client (400 naming client) and
		// archives people instead of deleting them
		{collection: "contacts", action: "list", target: CT1, expect: [5]int{200, 200, 200, 0, 0}},
		{collection: "contacts", action: "view", target: CT1, expect: [5]int{200, 200, 200, 404, 404}},
		{collection: "contacts", action: "create", body: `{"client":"` + C1 + `","name":"Мария Иванова","role":"user"}`, expect: [5]int{200, 200, 200, 400, 400}},
		{collection: "contacts", action: "update", target: CT1, body: `{"position":"Директор"}`, expect: [5]int{200, 200, 200, 404, 404}},
		{collection: "contacts", action: "update", target: CT1b, body: `{"client":"` + C1b + `"}`, expect: [5]int{200, 200, 400, 404, 404}},
		{collection: "contacts", action: "update", target: CT1b, body: `{"archived":true}`, expect: [5]int{200, 200, 200, 404, 404}},
		{collection: "contacts", action: "delete", target: CT1b, expect: [5]int{204, 204, 404, 404, 404}},

		{collection: "occasions", action: "list", target: OccStandard, expect: [5]int{200, 200, 200, 200, 0}},
		{collection: "occasions", action: "list", target: OccP2Only, expect: [5]int{200, 200, 0, 200, 0}},
		{collection: "occasions", action: "view", target: OccStandard, expect: [5]int{200, 200, 200, 200, 404}},
		{collection: "occasions", action: "view", target: OccP2Only, expect: [5]int{200, 200, 404, 200, 404}},
		{collection: "occasions", action: "create", body: `{"title":"Webinar","kind":"standard"}`, expect: [5]int{200, 200, 400, 400, 400}},
		{collection: "occasions", action: "update", target: OccStandard, body: `{"title":"Renamed"}`, expect: [5]int{200, 200, 404, 404, 404}},
		{collection: "occasions", action: "delete", target: OccArchived, expect: [5]int{204, 204, 404, 404, 404}},

		// occasion_templates: read by whoever may read the occasion (TplP2OnlyEn
		// is London's only), written by service managers
		{collection: "occasion_templates", action: "list", target: TplArchivedRu, expect: [5]int{200, 200, 200, 200, 0}},
		{collection: "occasion_templates", action: "list", target: TplP2OnlyEn, expect: [5]int{200, 200, 0, 200, 0}},
		{collection: "occasion_templates", action: "view", target: TplArchivedRu, expect: [5]int{200, 200, 200, 200, 404}},
		{collection: "occasion_templates", action: "view", target: TplP2OnlyEn, expect: [5]int{200, 200, 404, 200, 404}},
		{collection: "occasion_templates", action: "create", body: `{"occasion":"` + OccStandard + `","language":"en","text":"Hi {{contact}}"}`, expect: [5]int{200, 200, 400, 400, 400}},
		{collection: "occasion_templates", action: "update", target: TplArchivedRu, body: `{"text":"Привет, {{contact}}"}`, expect: [5]int{200, 200, 404, 404, 404}},
		{collection: "occasion_templates", action: "delete", target: TplArchivedRu, expect: [5]int{204, 204, 404, 404, 404}},

		{collection: "touches", action: "list", target: T1, expect: [5]int{200, 200, 200, 0, 0}},
		{collection: "touches", action: "view", target: T1, expect: [5]int{200, 200, 200, 404, 404}},
		{collection: "touches", action: "create", body: `{"client":"` + C1 + `","occasion":"` + OccStandard + `","status":"done"}`, expect: [5]int{200, 200, 200, 400, 400}},
		{collection: "touches", action: "update", target: T1, body: `{"comment":"Sent the manual too"}`, expect: [5]int{200, 200, 200, 404, 404}},
		// undo (SPEC §4.7): T1's author (PM1, within 24 hours), a service
		// manager or an admin; outcomes (SPEC §4.8): the point's staff
		{collection: "touches", action: "update", target: T1, body: `{"status":"withdrawn"}`, expect: [5]int{200, 200, 200, 404, 404}},
		{collection: "touches", action: "update", target: T1, body: `{"outcome":"replied"}`, expect: [5]int{200, 200, 200, 404, 404}},
		{collection: "touches", action: "update", target: T1, body: `{"outcome":"declined"}`, expect: [5]int{200, 200, 200, 404, 404}},
		{collection: "touches", action: "delete", target: T1, expect: [5]int{204, 403, 403, 403, 403}},

		{collection: "comments", action: "list", target: CM1, expect: [5]int{200, 200, 200, 0, 0}},
		{collection: "comments", action: "view", target: CM1, expect: [5]int{200, 200, 200, 404, 404}},
		{collection: "comments", action: "create", body: `{"client":"` + C1 + `","text":"Asked for a price list"}`, expect: [5]int{200, 200, 200, 400, 400}},
		{collection: "comments", action: "update", target: CM1, body: `{"text":"Prefers calls after 16:00"}`, expect: [5]int{200, 200, 200, 404, 404}},
		{collection: "comments", action: "update", target: touchComment, body: `{"text":"Never happened"}`, expect: [5]int{200, 404, 404, 404, 404}},
		{collection: "comments", action: "delete", target: CM1, expect: [5]int{204, 204, 204, 404, 404}},
		{collection: "comments", action: "delete", target: touchComment, expect: [5]int{204, 404, 404, 404, 404}},

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

		// events (issue 14): scoped like the client's records; written by
		// service managers (automations) and by point managers for their
		// own clients; deleted by service managers; a second record of
		// one (source, external_id) is a 400 for everyone
		{collection: "events", action: "list", target: reviewEventId, expect: [5]int{200, 200, 200, 0, 0}},
		{collection: "events", action: "view", target: reviewEventId, expect: [5]int{200, 200, 200, 404, 404}},
		{collection: "events", action: "create", body: `{"client":"` + C1 + `","kind":"shipment","date":"2026-03-02","source":"erp","external_id":"SHIP-2"}`, expect: [5]int{200, 200, 200, 400, 400}},
		{collection: "events", action: "create", body: `{"client":"` + C1 + `","kind":"shipment","date":"2026-03-02","source":"erp","external_id":"SHIP-1"}`, prepare: reviewEvent, expect: [5]int{400, 400, 400, 400, 400}},
		{collection: "events", action: "update", target: reviewEventId, body: `{"note":"Two pallets"}`, prepare: reviewEvent, expect: [5]int{200, 200, 200, 404, 404}},
		{collection: "events", action: "update", target: reviewEventId, body: `{"client":"` + C2 + `"}`, prepare: reviewEvent, expect: [5]int{200, 200, 400, 404, 404}},
		{collection: "events", action: "delete", target: reviewEventId, prepare: reviewEvent, expect: [5]int{204, 204, 404, 404, 404}},

		{collection: "cadences", action: "list", target: "segment:A", expect: [5]int{200, 200, 200, 200, 0}},
		{collection: "cadences", action: "view", target: "segment:A", expect: [5]int{200, 200, 200, 200, 404}},
		{collection: "cadences", action: "create", body: `{"segment":"D","interval_days":45}`, prepare: dropCadenceD, expect: [5]int{200, 200, 400, 400, 400}},
		{collection: "cadences", action: "update", target: "segment:A", body: `{"interval_days":20}`, expect: [5]int{200, 200, 404, 404, 404}},
		{collection: "cadences", action: "delete", target: "segment:A", expect: [5]int{204, 204, 404, 404, 404}},

		// what the morning e-mail sent: superusers only (the dashboard)
		{collection: "digests", action: "list", target: DG1, expect: [5]int{200, 403, 403, 403, 403}},
		{collection: "digests", action: "view", target: DG1, expect: [5]int{200, 403, 403, 403, 403}},
		{collection: "digests", action: "create", body: `{"user":"` + PM1 + `","day":"2026-01-06","outcome":"sent"}`, expect: [5]int{200, 403, 403, 403, 403}},
		{collection: "digests", action: "update", target: DG1, body: `{"outcome":"failed"}`, expect: [5]int{200, 403, 403, 403, 403}},
		{collection: "digests", action: "delete", target: DG1, expect: [5]int{204, 403, 403, 403, 403}},

		// custom routes: asking for P1 by name is refused to the other
		// point's manager (403 naming point); asking without it shows them
		// only their own point (0: a 200 without P1's client)
		route("/occasions", "/api/touchbase/occasions", OccP2Only, [5]int{200, 200, 0, 200, 401}),
		route("/occasions", "/api/touchbase/occasions?point="+P1, "", [5]int{200, 200, 200, 403, 401}),
		route("/worklist", "/api/touchbase/worklist?occasion="+OccStandard+"&state=all", C1, [5]int{200, 200, 200, 0, 401}),
		route("/worklist", "/api/touchbase/worklist?occasion="+OccStandard+"&point="+P1, "", [5]int{200, 200, 200, 403, 401}),
		route("/due", "/api/touchbase/due?level=all", C1, [5]int{200, 200, 200, 0, 401}),
		route("/due", "/api/touchbase/due?point="+P1, "", [5]int{200, 200, 200, 403, 401}),
		route("/plan", "/api/touchbase/plan", OccStandard, [5]int{200, 200, 200, 200, 401}),
		route("/plan", "/api/touchbase/plan?point="+P1, "", [5]int{200, 200, 200, 403, 401}),
		route("/stats", "/api/touchbase/stats?occasion="+OccStandard, P1, [5]int{200, 200, 200, 0, 401}),
		route("/stats", "/api/touchbase/stats?occasion="+OccStandard+"&point="+P1, "", [5]int{200, 200, 200, 403, 401}),
		route("/effectiveness", "/api/touchbase/effectiveness", "Maintenance reminder", [5]int{200, 200, 200, 200, 401}),
		route("/effectiveness", "/api/touchbase/effectiveness?point="+P1, "", [5]int{200, 200, 200, 403, 401}),
		route("/clients/{id}/timeline", "/api/touchbase/clients/"+C1+"/timeline", C1, [5]int{200, 200, 200, 404, 401}),
		route("/clients", "/api/touchbase/clients", "ООО Ромашка", [5]int{200, 200, 200, 0, 401}),
		route("/clients", "/api/touchbase/clients?point="+P1, "", [5]int{200, 200, 200, 403, 401}),
		route("/export/touches.csv", "/api/touchbase/export/touches.csv", "ООО Ромашка", [5]int{200, 200, 200, 0, 401}),
		route("/export/touches.csv", "/api/touchbase/export/touches.csv?point="+P1, "", [5]int{200, 200, 200, 403, 401}),
		// the morning e-mail's unsubscribe link: no sign-in, a signed token
		// or nothing (digest/ tests the tokens)
		{method: http.MethodGet, route: "/api/touchbase/digest/unsubscribe", url: "/api/touchbase/digest/unsubscribe?token=forged", expect: [5]int{400, 400, 400, 400, 400}, page: true},
		{method: http.MethodPost, route: "/api/touchbase/digest/unsubscribe", url: "/api/touchbase/digest/unsubscribe?token=forged", expect: [5]int{400, 400, 400, 400, 400}, page: true},
		// the occasion editor's preview: service managers only (it renders
		// any client's message)
		{method: http.MethodPost, route: "/api/touchbase/preview", url: "/api/touchbase/preview", seen: "ООО Ромашка",
			body: `{"client":"` + C1 + `","template":"{{client}}"}`, expect: [5]int{200, 200, 403, 403, 401}},
	}
}

// TestAccessReview runs the table and checks that it is complete: every
// collection × action and every custom route has at least one row, and
// every row names something that exists.
func TestAccessReview(t *testing.T) {
	table := accessDecisions()
	decided := map[string]bool{}
	for _, d := range table {
		decided[d.key()] = true
	}

	// completeness: collections
	app := New(t)
	reviewEvent(t, app)
	collections, err := app.FindAllCollections()
	if err != nil {
		t.Fatal(err)
	}
	exists := map[string]bool{}
	for _, c := range collections {
		if slices.Contains(systemCollections, c.Name) {
			continue
		}
		for _, action := range reviewActions {
			key := c.Name + " " + action
			exists[key] = true
			if !decided[key] {
				t.Errorf("no access decision for %s: add rows to accessDecisions", key)
			}
		}
	}

	// completeness: routes
	routes := customRoutes(t, app)
	if len(routes) == 0 {
		t.Fatal("found no route under /api/touchbase/: the router walk no longer works")
	}
	for _, r := range routes {
		exists[r] = true
		if !decided[r] {
			t.Errorf("no access decision for the route %s: add rows to accessDecisions", r)
		}
	}
	for key := range decided {
		if !exists[key] {
			t.Errorf("the table decides %s, which does not exist", key)
		}
	}

	// reads share one app; every write gets its own
	h := handler(t, app)
	for _, d := range table {
		for i, role := range reviewRoles {
			d, role, want := d, role, d.expect[i]
			t.Run(d.key()+"/"+role.name, func(t *testing.T) {
				if d.route != "" || d.action == "list" || d.action == "view" {
					checkDecision(t, app, h, d, role.id, want)
					return
				}
				writeApp := New(t)
				if d.prepare != nil {
					d.prepare(t, writeApp)
				}
				checkDecision(t, writeApp, handler(t, writeApp), d, role.id, want)
			})
		}
	}
}

// checkDecision sends the row's request as user and checks the answer,
// and that the collection changed exactly when a write was allowed.
func checkDecision(t *testing.T, app *tests.TestApp, h http.Handler, d decision, user string, want int) {
	method, url := d.method, d.url
	if d.route == "" {
		base := "/api/collections/" + d.collection + "/records"
		id := Resolve(t, app, d.collection, d.target)
		switch d.action {
		case "list":
			method, url = http.MethodGet, base+"?perPage=500"
		case "view":
			method, url = http.MethodGet, base+"/"+id
		case "create":
			method, url = http.MethodPost, base
		case "update":
			method, url = http.MethodPatch, base+"/"+id
		case "delete":
			method, url = http.MethodDelete, base+"/"+id
		}
		if d.action == "list" {
			d.seen = id
		}
	}
	var before string
	if d.collection != "" {
		before = CollectionState(t, app, d.collection)
	}

	res := do(h, method, url, user, "", d.body)
	status := want
	if want == 0 {
		status = 200
	}
	if res.Status != status {
		t.Fatalf("%s %s: got %d %s, want %d", method, url, res.Status, truncate(res.Body), status)
	}
	if d.seen != "" && want == 200 && !strings.Contains(res.Body, d.seen) {
		t.Errorf("%s %s: the answer does not show %s: %s", method, url, d.seen, truncate(res.Body))
	}
	if d.seen != "" && want == 0 && strings.Contains(res.Body, d.seen) {
		t.Errorf("%s %s: the answer shows %s, which this role may not see: %s", method, url, d.seen, truncate(res.Body))
	}
	if status >= 400 && !d.page && !strings.HasPrefix(res.Body, "{") {
		t.Errorf("%s %s: a refusal must be JSON in PocketBase's format: %s", method, url, truncate(res.Body))
	}
	if d.collection != "" {
		changed := CollectionState(t, app, d.collection) != before
		write := d.action == "create" || d.action == "update" || d.action == "delete"
		if write && status < 300 && !changed {
			t.Errorf("allowed, but %s did not change", d.collection)
		}
		if (!write || status >= 300) && changed {
			t.Errorf("answered %d, but %s changed", status, d.collection)
		}
	}
}

// customRoutes returns "METHOD /pattern" of every route under
// /api/touchbase/ that the app's router serves, walking the router built
// the way `serve` builds it (PocketBase's routes plus every OnServe
// binding).
func customRoutes(t testing.TB, app *tests.TestApp) []string {
	t.Helper()
	r, err := apis.NewRouter(app)
	if err != nil {
		t.Fatal(err)
	}
	err = app.OnServe().Trigger(&core.ServeEvent{App: app, Router: r}, func(e *core.ServeEvent) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, route := range walkRoutes(reflect.ValueOf(r.RouterGroup), "") {
		if strings.HasPrefix(strings.SplitN(route, " ", 2)[1], "/api/touchbase/") {
			out = append(out, route)
		}
	}
	slices.Sort(out)
	return out
}

// walkRoutes lists the routes of a router group and its subgroups. The
// router keeps its children unexported; reflection reads them (read
// only), and TestAccessReview fails loudly if that stops finding routes.
func walkRoutes(group reflect.Value, prefix string) []string {
	groupType := reflect.TypeFor[*router.RouterGroup[*core.RequestEvent]]()
	routeType := reflect.TypeFor[*router.Route[*core.RequestEvent]]()
	g := group.Elem()
	prefix += g.FieldByName("Prefix").String()
	children := g.FieldByName("children")
	var out []string
	for i := range children.Len() {
		child := children.Index(i).Elem()
		switch child.Type() {
		case groupType:
			out = append(out, walkRoutes(child, prefix)...)
		case routeType:
			route := child.Elem()
			out = append(out, route.FieldByName("Method").String()+" "+prefix+route.FieldByName("Path").String())
		}
	}
	return out
}

// dbState is collectionState of every collection, Touchbase's and
// PocketBase's: the whole database as far as records go.
func dbState(t testing.TB, app core.App) string {
	t.Helper()
	collections, err := app.FindAllCollections()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, c := range collections {
		fmt.Fprintf(&b, "%s=%s\n", c.Name, CollectionState(t, app, c.Name))
	}
	return b.String()
}

func truncate(s string) string {
	if len(s) > 600 {
		return s[:600] + "…"
	}
	return s
}

// topicDecisions are the realtime topics' rows: per role, 200 when a
// subscriber receives the event of a P1 client's record (for the
// occasions topic: of a change to the London-only occasion), 0 when the
// subscription is accepted and nothing arrives, 401 when it is refused.
// Superusers subscribe to the standard topics (the dashboard does); the
// custom ones carry staff's view.
var topicDecisions = map[string][5]int{
	realtime.TouchesTopic:   {0, 200, 200, 0, 401},
	realtime.CommentsTopic:  {0, 200, 200, 0, 401},
	realtime.OccasionsTopic: {0, 200, 0, 200, 401},
}

// TestAccessReviewTopics subscribes every role to every custom topic of
// the realtime package, makes a touch (and with it a comment) at point P1,
// and checks who received it.
func TestAccessReviewTopics(t *testing.T) {
	for topic := range realtime.Topics() {
		if _, ok := topicDecisions[topic]; !ok {
			t.Errorf("no access decision for the realtime topic %s: add it to topicDecisions", topic)
		}
	}
	app := New(t)
	srv := Serve(t, app)
	conns := map[string][]*Conn{}
	for topic, expect := range topicDecisions {
		for i, role := range reviewRoles {
			c := Connect(t, srv)
			status, body := c.Subscribe(t, Auth(role.id)["Authorization"], topic)
			if want := map[bool]int{true: 401, false: 204}[expect[i] == 401]; status != want {
				t.Errorf("%s as %s: subscribe %d %s, want %d", topic, role.name, status, body, want)
			}
			conns[topic] = append(conns[topic], c)
		}
	}
	if r := Request(t, srv, "POST", "/api/collections/touches/records", PM1,
		`{"client":"`+C1+`","occasion":"`+OccStandard+`","status":"done"}`); r.Status != 200 {
		t.Fatalf("mark: %d %s", r.Status, r.Body)
	}
	if r := Request(t, srv, "PATCH", "/api/collections/occasions/records/"+OccP2Only, SM, `{"title":"London only"}`); r.Status != 200 {
		t.Fatalf("occasion change: %d %s", r.Status, r.Body)
	}
	WaitFor(t, "the service manager's events", func() bool {
		return len(conns[realtime.TouchesTopic][1].Got()) > 0 && len(conns[realtime.CommentsTopic][1].Got()) > 0 &&
			len(conns[realtime.OccasionsTopic][1].Got()) > 0
	})
	Settle()
	for topic, expect := range topicDecisions {
		for i, role := range reviewRoles {
			got := len(conns[topic][i].Got())
			if (expect[i] == 200) != (got > 0) {
				t.Errorf("%s as %s: %d events, want %s", topic, role.name, got, map[bool]string{true: "the event", false: "none"}[expect[i] == 200])
			}
		}
	}
}

// reviewEventId is the event of C1 (Moscow) the events rows are about.
const reviewEventId = "event1000000001"

// reviewEvent records reviewEventId: a shipment of C1 from the ERP.
func reviewEvent(t testing.TB, app *tests.TestApp) {
	t.Helper()
	events, err := app.FindCollectionByNameOrId("events")
	if err != nil {
		t.Fatal(err)
	}
	event := core.NewRecord(events)
	event.Id = reviewEventId
	event.Load(map[string]any{"client": C1, "kind": "shipment", "date": "2026-03-01", "source": "erp", "external_id": "SHIP-1", "note": "One pallet"})
	if err := app.Save(event); err != nil {
		t.Fatal(err)
	}
}
