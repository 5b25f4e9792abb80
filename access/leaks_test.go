package access_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	. "touchbase/internal/testapp"
)

// secretClient puts a P2 client named "Secret Corp", managed by the
// service manager and with a touch, next to the fixture: the data a point
// manager of P1 must not learn anything about.
func secretClient(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
	clients, err := app.FindCollectionByNameOrId("clients")
	if err != nil {
		t.Fatal(err)
	}
	client := core.NewRecord(clients)
	client.Id = "secretclient001"
	client.Load(map[string]any{"name": "Secret Corp", "point": P2, "manager": SM, "notes": "confidential"})
	if err := app.Save(client); err != nil {
		t.Fatal(err)
	}
	if _, err := MarkTouch(app, client.Id, OccP2Only, "done", PM2); err != nil {
		t.Fatal(err)
	}
	occasions, err := app.FindCollectionByNameOrId("occasions")
	if err != nil {
		t.Fatal(err)
	}
	both := core.NewRecord(occasions)
	both.Id = "occboth00000001"
	both.Load(map[string]any{"title": "Shared webinar", "kind": "standard", "points": []string{P1, P2}})
	if err := app.Save(both); err != nil {
		t.Fatal(err)
	}
}

func list(collection, query string) string {
	return "/api/collections/" + collection + "/records?" + query
}

func q(params ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(params); i += 2 {
		v.Set(params[i], params[i+1])
	}
	return v.Encode()
}

// TestLeaks tries what a hostile point manager of P1 would: filters, sorts
// and expands that reach into P2 through relations and back-relations.
// Every answer must be empty of P2 data.
func TestLeaks(t *testing.T) {
	empty := []string{`"totalItems":0`}
	scenarios := []tests.ApiScenario{
		{Name: "filter clients by another point", URL: list("clients", q("filter", `point = "`+P2+`"`)), ExpectedContent: empty},
		{Name: "filter clients by another point's name", URL: list("clients", q("filter", `point.name = "London"`)), ExpectedContent: empty},
		{Name: "filter touches by another point's client", URL: list("touches", q("filter", `client.name ~ "Secret"`)), ExpectedContent: empty},
		{Name: "back-relation filter from users to foreign clients",
			URL: list("users", q("filter", `clients_via_manager.name ?~ "Secret"`)), ExpectedContent: empty},
		{Name: "back-relation filter from points to foreign touches",
			URL: list("points", q("filter", `clients_via_point.notes ?~ "confidential"`)), ExpectedContent: empty},
		{Name: "back-relation filter on an own occasion to foreign touches",
			URL: list("occasions", q("filter", `touches_via_occasion.client.name ?~ "Secret"`)), ExpectedContent: empty},
		{Name: "filter occasions by a foreign point's name",
			URL: list("occasions", q("filter", `points.name ?= "London"`)), ExpectedContent: empty},
		{Name: "sort by a foreign relation does not reveal rows",
			URL: list("touches", q("sort", "-client.point.name", "perPage", "500")), NotExpectedContent: []string{"secretclient001", T2}},
		{Name: "expand points of a shared occasion shows only the own point",
			URL:                list("occasions", q("filter", `id = "occboth00000001"`, "expand", "points")),
			ExpectedContent:    []string{`"id":"` + P1 + `"`},
			NotExpectedContent: []string{`"name":"London"`}},
		{Name: "expand back-relation of an own point shows only own clients",
			URL:                list("points", q("expand", "clients_via_point", "perPage", "500")),
			ExpectedContent:    []string{"ООО Ромашка"},
			NotExpectedContent: []string{"Secret Corp", "Acme Ltd"}},
		{Name: "expand touches of an own occasion shows only own touches",
			URL:                list("occasions", q("filter", `id = "`+OccMandatory+`"`, "expand", "touches_via_occasion.client")),
			ExpectedContent:    []string{T1},
			NotExpectedContent: []string{T2, "Acme Ltd"}},
		{Name: "expand the manager of a foreign client through a touch",
			URL: list("touches", q("expand", "client.manager,author", "perPage", "500")), NotExpectedContent: []string{"Secret Corp", "Liam London", "Acme Ltd"}},
		{Name: "users: no colleague of another point",
			URL: list("users", q("perPage", "500")), NotExpectedContent: []string{PM2, "Liam London"}},
		{Name: "view a foreign client directly", URL: "/api/collections/clients/records/secretclient001",
			ExpectedStatus: 404, ExpectedContent: []string{`"status":404`}},
		{Name: "view a foreign client through expand of the own occasion", URL: "/api/collections/occasions/records/" + OccP2Only + "?expand=touches_via_occasion",
			ExpectedStatus: 404, ExpectedContent: []string{`"status":404`}},
	}
	for _, s := range scenarios {
		s.Method = http.MethodGet
		s.Headers = Auth(PM1)
		s.TestAppFactory = Factory
		s.BeforeTestFunc = secretClient
		if s.ExpectedStatus == 0 {
			s.ExpectedStatus = 200
			s.NotExpectedContent = append(s.NotExpectedContent, "secretclient001", "Secret Corp")
		}
		s.Test(t)
	}
}

// TestUsersCannotPromoteThemselves covers the users collection: no public
// sign-up, no self-promotion, no moving to another point, no service
// manager created by a service manager.
func TestUsersCannotPromoteThemselves(t *testing.T) {
	usersURL := "/api/collections/users/records"
	unchanged := func(id, field, want string) func(t testing.TB, app *tests.TestApp, res *http.Response) {
		return func(t testing.TB, app *tests.TestApp, res *http.Response) {
			user, err := app.FindRecordById("users", id)
			if err != nil {
				t.Fatal(err)
			}
			if got := user.GetString(field); got != want {
				t.Errorf("%s.%s = %q, want %q", id, field, got, want)
			}
		}
	}
	noNewUser := func(t testing.TB, app *tests.TestApp, res *http.Response) {
		if n := Count(t, app, "users", ""); n != 4 {
			t.Errorf("users: want the 4 fixture users, got %d", n)
		}
	}
	signup := `{"email":"evil@test.local","password":"evil-password-1","passwordConfirm":"evil-password-1","name":"Evil","role":"service_manager"}`
	scenarios := []tests.ApiScenario{
		{Name: "public sign-up is closed", Method: http.MethodPost, URL: usersURL, Body: body(signup[1 : len(signup)-1]),
			ExpectedStatus: 400, ExpectedContent: []string{`"status":400`}, AfterTestFunc: noNewUser},
		{Name: "public sign-up as a point manager is closed too", Method: http.MethodPost, URL: usersURL,
			Body:           body(`"email":"evil@test.local","password":"evil-password-1","passwordConfirm":"evil-password-1","name":"Evil","role":"point_manager","point":"` + P1 + `"`),
			ExpectedStatus: 400, ExpectedContent: []string{`"status":400`}, AfterTestFunc: noNewUser},
		{Name: "point manager promotes self", Method: http.MethodPatch, URL: usersURL + "/" + PM1, Headers: Auth(PM1),
			Body: body(kv("role", "service_manager")), ExpectedStatus: 404, ExpectedContent: []string{`"status":404`},
			AfterTestFunc: unchanged(PM1, "role", "point_manager")},
		{Name: "point manager promotes self with a modifier", Method: http.MethodPatch, URL: usersURL + "/" + PM1, Headers: Auth(PM1),
			Body: body(kv("role+", "service_manager")), ExpectedStatus: 404, ExpectedContent: []string{`"status":404`},
			AfterTestFunc: unchanged(PM1, "role", "point_manager")},
		{Name: "point manager moves self to another point", Method: http.MethodPatch, URL: usersURL + "/" + PM1, Headers: Auth(PM1),
			Body: body(kv("point", P2)), ExpectedStatus: 404, ExpectedContent: []string{`"status":404`},
			AfterTestFunc: unchanged(PM1, "point", P1)},
		{Name: "point manager clears own point", Method: http.MethodPatch, URL: usersURL + "/" + PM1, Headers: Auth(PM1),
			Body: body(kv("point", "")), ExpectedStatus: 404, ExpectedContent: []string{`"status":404`},
			AfterTestFunc: unchanged(PM1, "point", P1)},
		{Name: "point manager renames self", Method: http.MethodPatch, URL: usersURL + "/" + PM1, Headers: Auth(PM1),
			Body: body(kv("name", "Olga N.")), ExpectedStatus: 200, ExpectedContent: []string{`"name":"Olga N."`},
			AfterTestFunc: unchanged(PM1, "role", "point_manager")},
		{Name: "point manager verifies or re-emails self", Method: http.MethodPatch, URL: usersURL + "/" + PM1, Headers: Auth(PM1),
			Body: body(kv("email", "boss@test.local")), ExpectedStatus: 400, ExpectedContent: []string{`"email":`},
			AfterTestFunc: unchanged(PM1, "email", "pm1@test.local")},
		{Name: "point manager changes a colleague", Method: http.MethodPatch, URL: usersURL + "/" + PM1b, Headers: Auth(PM1),
			Body: body(kv("role", "service_manager")), ExpectedStatus: 404, ExpectedContent: []string{`"status":404`},
			AfterTestFunc: unchanged(PM1b, "role", "point_manager")},
		{Name: "service manager cannot create a service manager", Method: http.MethodPost, URL: usersURL, Headers: Auth(SM),
			Body: body(signup[1 : len(signup)-1]), ExpectedStatus: 400, ExpectedContent: []string{`"status":400`}, AfterTestFunc: noNewUser},
		{Name: "service manager cannot promote a point manager", Method: http.MethodPatch, URL: usersURL + "/" + PM1, Headers: Auth(SM),
			Body: body(kv("role", "service_manager")), ExpectedStatus: 404, ExpectedContent: []string{`"status":404`},
			AfterTestFunc: unchanged(PM1, "role", "point_manager")},
		{Name: "service manager creates a point manager without a point", Method: http.MethodPost, URL: usersURL, Headers: Auth(SM),
			Body:           body(`"email":"new@test.local","password":"new-password-1","passwordConfirm":"new-password-1","name":"New","role":"point_manager"`),
			ExpectedStatus: 400, ExpectedContent: []string{`"point":{"code":"validation_required"`}, AfterTestFunc: noNewUser},
		{Name: "service manager moves a point manager to another point", Method: http.MethodPatch, URL: usersURL + "/" + PM1b, Headers: Auth(SM),
			Body: body(kv("point", P2)), ExpectedStatus: 200, ExpectedContent: []string{`"point":"` + P2 + `"`},
			AfterTestFunc: unchanged(PM1b, "point", P2)},
	}
	for _, s := range scenarios {
		s.TestAppFactory = Factory
		s.Test(t)
	}
}

// TestClientScoping: a point manager cannot create clients in another
// point, move a client, or reclassify its segment.
func TestClientScoping(t *testing.T) {
	clientsURL := "/api/collections/clients/records"
	stays := func(field, want string) func(t testing.TB, app *tests.TestApp, res *http.Response) {
		return func(t testing.TB, app *tests.TestApp, res *http.Response) {
			c, err := app.FindRecordById("clients", C1)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.GetString(field); got != want {
				t.Errorf("C1.%s = %q, want %q", field, got, want)
			}
		}
	}
	scenarios := []tests.ApiScenario{
		{Name: "create a client in another point", Method: http.MethodPost, URL: clientsURL,
			Body: body(kv("name", "Stolen Ltd"), kv("point", P2)), ExpectedStatus: 400, ExpectedContent: []string{`"point":{"code":"validation_point_scope"`},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				if n := Count(t, app, "clients", `name = "Stolen Ltd"`); n != 0 {
					t.Error("client created in another point")
				}
			}},
		{Name: "create an own client managed by another point's manager", Method: http.MethodPost, URL: clientsURL,
			Body: body(kv("name", "Mixed Ltd"), kv("point", P1), kv("manager", PM2)), ExpectedStatus: 400, ExpectedContent: []string{`"manager":{"code":"validation_manager_point"`}},
		{Name: "move an own client to another point", Method: http.MethodPatch, URL: clientsURL + "/" + C1,
			Body: body(kv("point", P2)), ExpectedStatus: 400, ExpectedContent: []string{`"point":{"code":"validation_point_scope"`}, AfterTestFunc: stays("point", P1)},
		{Name: "reclassify an own client's segment", Method: http.MethodPatch, URL: clientsURL + "/" + C1,
			Body: body(kv("segment", "A+")), ExpectedStatus: 400, ExpectedContent: []string{`"segment":{"code":"validation_segment_owner"`}, AfterTestFunc: stays("segment", "A")},
		{Name: "edit an own client's contact details", Method: http.MethodPatch, URL: "/api/collections/contacts/records/" + CT1,
			Body: body(kv("name", "Ирина Сергеевна"), kv("phone", "+7 495 765-43-21")), ExpectedStatus: 200,
			ExpectedContent: []string{`"name":"Ирина Сергеевна"`}, AfterTestFunc: stays("search", "ооо ромашка ирина сергеевна алексей смирнов")},
		{Name: "the search column is hidden", Method: http.MethodGet, URL: clientsURL + "/" + C1,
			ExpectedStatus: 200, ExpectedContent: []string{`"name":"ООО Ромашка"`}, NotExpectedContent: []string{`"search"`}},
		{Name: "filtering on the hidden search column is refused", Method: http.MethodGet, URL: list("clients", q("filter", `search ~ "secret"`)),
			ExpectedStatus: 400, ExpectedContent: []string{`"status":400`}},
	}
	for _, s := range scenarios {
		s.Headers = Auth(PM1)
		s.TestAppFactory = Factory
		s.Test(t)
	}
}

// TestServerCommentsAreImmutable: touch and system comments are an audit
// trail; manual comments belong to their author.
func TestServerCommentsAreImmutable(t *testing.T) {
	commentsURL := "/api/collections/comments/records"
	scenarios := []struct {
		name, method, user, body string
		status                   int
		content                  string
	}{
		{"point manager edits a touch comment", http.MethodPatch, PM1, `{"text":"never happened"}`, 404, `"status":404`},
		{"point manager deletes a touch comment", http.MethodDelete, PM1, ``, 404, `"status":404`},
		{"service manager edits a touch comment", http.MethodPatch, SM, `{"text":"never happened"}`, 404, `"status":404`},
		{"service manager deletes a touch comment", http.MethodDelete, SM, ``, 404, `"status":404`},
		{"superuser cannot turn it into a manual comment", http.MethodPatch, Superuser, `{"kind":"manual"}`, 400, `"kind":{"code":"validation_unchangeable"`},
	}
	for _, s := range scenarios {
		scenario := tests.ApiScenario{
			Name: s.name, Method: s.method, Headers: Auth(s.user), TestAppFactory: Factory,
			Body: body(), ExpectedStatus: s.status, ExpectedContent: []string{s.content},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				c, err := app.FindFirstRecordByData("comments", "touch", T1)
				if err != nil || c.GetString("kind") != "touch" || c.GetString("text") == "never happened" {
					t.Errorf("touch comment changed: %v %v", err, c)
				}
			},
		}
		if s.body != "" {
			scenario.Body = body(s.body[1 : len(s.body)-1])
		}
		// the id exists only in the app: resolve it from a copy (the
		// fixture is the same in every copy)
		app := New(t)
		c, err := app.FindFirstRecordByData("comments", "touch", T1)
		if err != nil {
			t.Fatal(err)
		}
		scenario.URL = commentsURL + "/" + c.Id
		scenario.Test(t)
	}

	forged := []tests.ApiScenario{
		{Name: "create a comment of kind touch", Body: body(kv("client", C1), kv("text", "forged"), kv("kind", "touch")),
			ExpectedContent: []string{`"kind":{"code":"validation_server_set"`}},
		{Name: "create a comment of kind system", Body: body(kv("client", C1), kv("text", "forged"), kv("kind", "system")),
			ExpectedContent: []string{`"kind":{"code":"validation_server_set"`}},
		{Name: "create a comment linked to a touch", Body: body(kv("client", C1), kv("text", "forged"), kv("touch", T1)),
			ExpectedContent: []string{`"touch":{"code":"validation_server_set"`}},
		{Name: "create a comment as someone else", Body: body(kv("client", C1), kv("text", "forged"), kv("author", PM1b)),
			ExpectedContent: []string{`"author":{"code":"validation_server_set"`}},
		{Name: "create a comment on another point's client", Body: body(kv("client", C2), kv("text", "hello")),
			ExpectedContent: []string{`"client":{"code":"validation_client_scope"`}},
		{Name: "create a comment on an unknown client", Body: body(kv("client", "nosuchclient000"), kv("text", "hello")),
			ExpectedContent: []string{`"client":{"code":"validation_client_scope"`}},
	}
	for _, s := range forged {
		s.Method, s.URL, s.Headers, s.TestAppFactory, s.ExpectedStatus = http.MethodPost, commentsURL, Auth(PM1), Factory, 400
		s.AfterTestFunc = func(t testing.TB, app *tests.TestApp, res *http.Response) {
			if n := Count(t, app, "comments", `text = "forged" || text = "hello"`); n != 0 {
				t.Errorf("a forged comment was written")
			}
		}
		s.Test(t)
	}

	colleague := tests.ApiScenario{
		Name: "a colleague cannot edit someone else's manual comment", Method: http.MethodPatch,
		URL: commentsURL + "/" + CM1, Headers: Auth(PM1b), TestAppFactory: Factory, Body: body(kv("text", "edited")),
		ExpectedStatus: 404, ExpectedContent: []string{`"status":404`},
	}
	colleague.Test(t)
}

func body(fields ...string) *strings.Reader {
	return strings.NewReader("{" + strings.Join(fields, ",") + "}")
}

func kv(k, v string) string { return `"` + k + `":"` + v + `"` }
