package contacts_test

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	. "touchbase/internal/testapp"
)

const contactsURL = "/api/collections/contacts/records"

// newClient adds an empty client of P1 and returns its id.
func newClient(t testing.TB, app core.App) string {
	t.Helper()
	clients, err := app.FindCollectionByNameOrId("clients")
	if err != nil {
		t.Fatal(err)
	}
	c := core.NewRecord(clients)
	c.Set("name", "ООО Тест")
	c.Set("point", P1)
	if err := app.Save(c); err != nil {
		t.Fatal(err)
	}
	return c.Id
}

// primaries returns the names of a client's primary contacts and of its
// non-archived ones, read from the database.
func primaries(t testing.TB, app core.App, client string) (primary []string, active int) {
	t.Helper()
	records, err := app.FindAllRecords("contacts", dbx.HashExp{"client": client})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range records {
		if r.GetBool("primary") {
			primary = append(primary, r.GetString("name"))
		}
		if !r.GetBool("archived") {
			active++
		}
	}
	sort.Strings(primary)
	return primary, active
}

func wantPrimary(t testing.TB, app core.App, client, name string) {
	t.Helper()
	got, _ := primaries(t, app, client)
	want := []string{}
	if name != "" {
		want = []string{name}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("primary contacts = %v, want %v", got, want)
	}
}

// TestPrimaryContact walks the rules of SPEC §3: the first contact becomes
// primary, marking another unmarks the previous one, archiving or deleting
// the primary makes the next one by name primary, and a primary cannot be
// simply unmarked.
func TestPrimaryContact(t *testing.T) {
	app := New(t)
	srv := Serve(t, app)
	client := newClient(t, app)
	post := func(body string) string {
		t.Helper()
		r := Request(t, srv, http.MethodPost, contactsURL, PM1, body)
		if r.Status != 200 {
			t.Fatalf("create %s: %d %s", body, r.Status, r.Body)
		}
		return r.JSON["id"].(string)
	}
	patch := func(id, body string, want int) Response {
		t.Helper()
		r := Request(t, srv, http.MethodPatch, contactsURL+"/"+id, PM1, body)
		if r.Status != want {
			t.Fatalf("update %s: %d %s, want %d", body, r.Status, r.Body, want)
		}
		return r
	}

	boris := post(`{"client":"` + client + `","name":"Борис"}`)
	wantPrimary(t, app, client, "Борис") // the first contact

	vera := post(`{"client":"` + client + `","name":"Вера","primary":true}`)
	wantPrimary(t, app, client, "Вера") // marking another unmarks the previous

	anna := post(`{"client":"` + client + `","name":"Анна"}`)
	wantPrimary(t, app, client, "Вера") // a new contact does not take over

	patch(boris, `{"primary":true}`, 200)
	wantPrimary(t, app, client, "Борис")

	r := patch(boris, `{"primary":false}`, 400)
	if !strings.Contains(r.Body, `"primary"`) {
		t.Errorf("unmarking the primary: %s, want an error naming primary", r.Body)
	}
	wantPrimary(t, app, client, "Борис")

	patch(boris, `{"archived":true}`, 200)
	wantPrimary(t, app, client, "Анна") // the next one by name

	if r := Request(t, srv, http.MethodDelete, contactsURL+"/"+anna, SM, ""); r.Status != 204 {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	wantPrimary(t, app, client, "Вера")

	patch(vera, `{"archived":true}`, 200)
	wantPrimary(t, app, client, "") // everyone left: nobody to address

	patch(boris, `{"archived":false}`, 200)
	wantPrimary(t, app, client, "Борис")

	// the database itself refuses a second primary
	_, err := app.DB().NewQuery(`UPDATE contacts SET "primary" = TRUE WHERE id = {:id}`).Bind(dbx.Params{"id": vera}).Execute()
	if err == nil || !strings.Contains(err.Error(), "UNIQUE") {
		t.Errorf("a second primary contact: %v, want a UNIQUE constraint error", err)
	}
}

// TestPrimaryContactOnOtherPaths: saves outside the API (import, demo,
// tests) keep the invariant too, with or without a transaction.
func TestPrimaryContactOnOtherPaths(t *testing.T) {
	app := New(t)
	client := newClient(t, app)
	contacts, _ := app.FindCollectionByNameOrId("contacts")
	save := func(name string, primary bool) *core.Record {
		r := core.NewRecord(contacts)
		r.Set("client", client)
		r.Set("name", name)
		r.Set("primary", primary)
		if err := app.Save(r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	save("Пётр", false)
	wantPrimary(t, app, client, "Пётр")
	b := save("Глеб", true)
	wantPrimary(t, app, client, "Глеб")
	if err := app.Delete(b); err != nil {
		t.Fatal(err)
	}
	wantPrimary(t, app, client, "Пётр")

	// a moved contact (by a service manager) settles both clients
	other := newClient(t, app)
	p, _ := app.FindFirstRecordByData("contacts", "name", "Пётр")
	p.Set("client", other)
	if err := app.Save(p); err != nil {
		t.Fatal(err)
	}
	wantPrimary(t, app, other, "Пётр")
	wantPrimary(t, app, client, "")
}

// TestPrimaryContactUnderConcurrency creates, marks, archives and deletes
// contacts of one client from many requests at once: afterwards the client
// has exactly one primary contact, a non-archived one.
func TestPrimaryContactUnderConcurrency(t *testing.T) {
	app := New(t)
	srv := Serve(t, app)
	client := newClient(t, app)

	const n = 12
	ids := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := fmt.Sprintf(`{"client":"%s","name":"Контакт %02d","primary":%v}`, client, i, i%3 == 0)
			r := Request(t, srv, http.MethodPost, contactsURL, PM1, body)
			if r.Status != 200 {
				t.Errorf("create %d: %d %s", i, r.Status, r.Body)
				return
			}
			ids[i] = r.JSON["id"].(string)
		}()
	}
	wg.Wait()
	if got, _ := primaries(t, app, client); len(got) != 1 {
		t.Fatalf("after concurrent creates: primaries %v, want exactly one", got)
	}

	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var r Response
			switch i % 4 {
			case 0:
				r = Request(t, srv, http.MethodPatch, contactsURL+"/"+id, PM1, `{"primary":true}`)
			case 1:
				r = Request(t, srv, http.MethodPatch, contactsURL+"/"+id, PM1b, `{"archived":true}`)
			case 2:
				r = Request(t, srv, http.MethodDelete, contactsURL+"/"+id, SM, "")
			default:
				r = Request(t, srv, http.MethodPatch, contactsURL+"/"+id, PM1, `{"name":"Переименован `+id+`"}`)
			}
			if r.Status >= 500 {
				t.Errorf("%d: %d %s", i, r.Status, r.Body)
			}
		}()
	}
	wg.Wait()
	got, active := primaries(t, app, client)
	if active == 0 || len(got) != 1 {
		t.Fatalf("after concurrent updates: primaries %v among %d active contacts, want exactly one", got, active)
	}
	var archivedPrimary int
	app.DB().NewQuery(`SELECT count(*) FROM contacts WHERE "primary" = TRUE AND archived = TRUE`).Row(&archivedPrimary)
	if archivedPrimary != 0 {
		t.Errorf("%d archived contacts are primary", archivedPrimary)
	}
}

// TestContactScoping: a point manager names only their own point's
// clients and keeps a contact with its client; another point's manager
// learns nothing through expand, back-relations or filters.
func TestContactScoping(t *testing.T) {
	unchanged := func(t testing.TB, app *tests.TestApp, res *http.Response) {
		c, err := app.FindRecordById("contacts", CT1)
		if err != nil {
			t.Fatal(err)
		}
		if c.GetString("client") != C1 {
			t.Errorf("CT1 moved to %s", c.GetString("client"))
		}
		if n := Count(t, app, "contacts", `name = "Чужой"`); n != 0 {
			t.Errorf("%d contacts created for a foreign client", n)
		}
	}
	list := func(collection, query string) string {
		return "/api/collections/" + collection + "/records?" + query
	}
	empty := []string{`"totalItems":0`}
	scenarios := []tests.ApiScenario{
		{Name: "create a contact of another point's client", Method: http.MethodPost, URL: contactsURL, Headers: Auth(PM1),
			Body: strings.NewReader(`{"client":"` + C2 + `","name":"Чужой"}`), ExpectedStatus: 400,
			ExpectedContent: []string{`"client":{"code":"validation_client_scope"`}, AfterTestFunc: unchanged},
		{Name: "create a contact of an unknown client", Method: http.MethodPost, URL: contactsURL, Headers: Auth(PM1),
			Body: strings.NewReader(`{"client":"nosuchclient000","name":"Чужой"}`), ExpectedStatus: 400,
			ExpectedContent: []string{`"client":{"code":"validation_client_scope"`}, AfterTestFunc: unchanged},
		{Name: "move a contact to another point's client", Method: http.MethodPatch, URL: contactsURL + "/" + CT1, Headers: Auth(PM1),
			Body: strings.NewReader(`{"client":"` + C2 + `"}`), ExpectedStatus: 400,
			ExpectedContent: []string{`"client":{"code":"validation_unchangeable"`}, AfterTestFunc: unchanged},
		{Name: "move a contact to another own client", Method: http.MethodPatch, URL: contactsURL + "/" + CT1, Headers: Auth(PM1),
			Body: strings.NewReader(`{"client":"` + C1b + `"}`), ExpectedStatus: 400,
			ExpectedContent: []string{`"client":{"code":"validation_unchangeable"`}, AfterTestFunc: unchanged},
		{Name: "filter contacts by another point's name", URL: list("contacts", "filter="+urlq(`client.point.name = "Moscow"`)), Headers: Auth(PM2),
			ExpectedStatus: 200, ExpectedContent: empty},
		{Name: "filter clients through the contacts back-relation", URL: list("clients", "filter="+urlq(`contacts_via_client.name ?~ "Ирина"`)), Headers: Auth(PM2),
			ExpectedStatus: 200, ExpectedContent: empty},
		{Name: "filter points through clients and contacts", URL: list("points", "filter="+urlq(`clients_via_point.contacts_via_client.name ?~ "Ирина"`)), Headers: Auth(PM2),
			ExpectedStatus: 200, ExpectedContent: empty},
		{Name: "expand own client's contacts shows only them", URL: list("clients", "perPage=500&expand=contacts_via_client"), Headers: Auth(PM2),
			ExpectedStatus: 200, ExpectedContent: []string{"John Smith"}, NotExpectedContent: []string{"Ирина", "Алексей", CT1}},
		{Name: "expand a touch's client contacts across points", URL: list("touches", "perPage=500&expand=client.contacts_via_client"), Headers: Auth(PM2),
			ExpectedStatus: 200, NotExpectedContent: []string{"Ирина", "Алексей", CT1}},
		{Name: "sort contacts by a foreign relation reveals nothing", URL: list("contacts", "perPage=500&sort=-client.point.name"), Headers: Auth(PM1),
			ExpectedStatus: 200, ExpectedContent: []string{CT1}, NotExpectedContent: []string{CT2, "John Smith"}},
		{Name: "anonymous sees no contacts", URL: list("contacts", "perPage=500"),
			ExpectedStatus: 200, ExpectedContent: empty},
	}
	for _, s := range scenarios {
		s.TestAppFactory = Factory
		s.Test(t)
	}
}

func urlq(s string) string { return url.QueryEscape(s) }

// TestContactsRealtime: automations subscribe to contacts/* (SPEC §7); a
// subscriber receives only the contacts of the points they may see, the
// primary flag's move to another contact included.
func TestContactsRealtime(t *testing.T) {
	app := New(t)
	srv := Serve(t, app)
	own, other := Connect(t, srv), Connect(t, srv)
	own.MustSubscribe(t, Auth(PM1)["Authorization"], "contacts/*")
	other.MustSubscribe(t, Auth(PM2)["Authorization"], "contacts/*")

	r := Request(t, srv, http.MethodPost, contactsURL, PM1b, `{"client":"`+C1+`","name":"Мария Иванова","primary":true}`)
	if r.Status != 200 {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	maria := r.JSON["id"].(string)

	deadline := time.Now().Add(5 * time.Second)
	var got []Event
	for time.Now().Before(deadline) {
		got = own.Got()
		if len(got) >= 2 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	seen := map[string]string{}
	for _, e := range got {
		seen[e.Id] = e.Action
	}
	if seen[maria] != "create" || seen[CT1] != "update" {
		t.Errorf("PM1 got %v, want the new contact's create and the previous primary's update", seen)
	}
	time.Sleep(200 * time.Millisecond)
	if leaked := other.Got(); len(leaked) != 0 {
		t.Errorf("PM2 received %d events of another point's contacts: %v", len(leaked), leaked)
	}
}

// TestDeletes: deleting a client takes its contacts along; deleting a
// contact a mark was addressed to keeps the mark (its contact emptied) and
// makes the next contact primary.
func TestDeletes(t *testing.T) {
	app := New(t)
	srv := Serve(t, app)
	touch, err := MarkTouch(app, C1, OccStandard, "done", PM1)
	if err != nil {
		t.Fatal(err)
	}
	if touch.GetString("contact") != CT1 {
		t.Fatalf("the mark is addressed to %q, want the primary contact", touch.GetString("contact"))
	}
	if r := Request(t, srv, http.MethodDelete, contactsURL+"/"+CT1, SM, ""); r.Status != 204 {
		t.Fatalf("delete CT1: %d %s", r.Status, r.Body)
	}
	kept, err := app.FindRecordById("touches", touch.Id)
	if err != nil || kept.GetString("contact") != "" {
		t.Errorf("the mark after its contact was deleted: %v %v", err, kept)
	}
	wantPrimary(t, app, C1, "Алексей Смирнов")

	client := newClient(t, app)
	for _, name := range []string{"А", "Б"} {
		if r := Request(t, srv, http.MethodPost, contactsURL, PM1, `{"client":"`+client+`","name":"`+name+`"}`); r.Status != 200 {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
	}
	if r := Request(t, srv, http.MethodDelete, "/api/collections/clients/records/"+client, SM, ""); r.Status != 204 {
		t.Fatalf("delete the client: %d %s", r.Status, r.Body)
	}
	if n := Count(t, app, "contacts", "client = {:c}", dbx.Params{"c": client}); n != 0 {
		t.Errorf("%d contacts outlived their client", n)
	}
}

// TestTelegramHandleExplained: a bad handle gets a message that says what a
// handle looks like, naming the field.
func TestTelegramHandleExplained(t *testing.T) {
	s := tests.ApiScenario{
		Name: "a phone number as a Telegram handle", Method: http.MethodPost, URL: "/api/collections/contacts/records",
		Headers:         Auth(PM1),
		Body:            strings.NewReader(`{"client":"` + C1 + `","name":"Анна","telegram":"+7 912 345-67-89"}`),
		ExpectedStatus:  400,
		ExpectedContent: []string{`"telegram":{"code":"validation_invalid_telegram"`, "e.g. @irina_p"},
		TestAppFactory:  Factory,
	}
	s.Test(t)
}
