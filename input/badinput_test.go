package input_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	. "touchbase/internal/testapp"
)

// TestBadInput sends what a careless or hostile client would (SPEC §10):
// every answer is a 4xx naming the field, never a 500, and nothing is
// written.
func TestBadInput(t *testing.T) {
	long := func(n int) string { return strings.Repeat("я", n) }
	cases := []struct {
		name, user, method, collection, id, body, field string
		status                                          int
	}{
		{"touch: unknown client", PM1, "POST", "touches", "", `{"client":"nosuchclient000","occasion":"` + OccStandard + `","status":"done"}`, "client", 400},
		{"touch: unknown occasion", PM1, "POST", "touches", "", `{"client":"` + C1 + `","occasion":"nosuchoccasion0","status":"done"}`, "occasion", 400},
		{"touch: missing status", PM1, "POST", "touches", "", `{"client":"` + C1 + `","occasion":"` + OccStandard + `"}`, "status", 400},
		{"touch: unknown status", PM1, "POST", "touches", "", `{"client":"` + C1 + `","occasion":"` + OccStandard + `","status":"maybe"}`, "status", 400},
		{"touch: unknown channel", PM1, "POST", "touches", "", `{"client":"` + C1 + `","occasion":"` + OccStandard + `","status":"done","channel":"pigeon"}`, "channel", 400},
		{"touch: over-long comment", PM1, "POST", "touches", "", `{"client":"` + C1 + `","occasion":"` + OccStandard + `","status":"done","comment":"` + long(2001) + `"}`, "comment", 400},
		{"touch: client of wrong type", SM, "POST", "touches", "", `{"client":123,"occasion":"` + OccStandard + `","status":"done"}`, "client", 400},
		{"touch: two clients at once", SM, "POST", "touches", "", `{"client":["` + C1 + `","` + C1b + `"],"occasion":"` + OccStandard + `","status":"done"}`, "client", 400},
		{"client: empty name", PM1, "POST", "clients", "", `{"name":"","point":"` + P1 + `"}`, "name", 400},
		{"client: over-long name", PM1, "POST", "clients", "", `{"name":"` + long(201) + `","point":"` + P1 + `"}`, "name", 400},
		{"contact: invalid telegram", PM1, "POST", "contacts", "", `{"name":"X","client":"` + C1 + `","telegram":"@a b"}`, "telegram", 400},
		{"contact: invalid phone", PM1, "POST", "contacts", "", `{"name":"X","client":"` + C1 + `","phone":"call me"}`, "phone", 400},
		{"contact: invalid whatsapp", PM1, "POST", "contacts", "", `{"name":"X","client":"` + C1 + `","whatsapp":"+7<script>"}`, "whatsapp", 400},
		{"contact: invalid email", PM1, "POST", "contacts", "", `{"name":"X","client":"` + C1 + `","email":"not-an-email"}`, "email", 400},
		{"contact: invalid birthday", PM1, "POST", "contacts", "", `{"name":"X","client":"` + C1 + `","birthday":"31.02.1980"}`, "birthday", 400},
		{"client: unknown segment", SM, "POST", "clients", "", `{"name":"X","point":"` + P1 + `","segment":"Z"}`, "segment", 400},
		{"client: tags not a list", PM1, "POST", "clients", "", `{"name":"X","point":"` + P1 + `","tags":{"a":1}}`, "tags", 400},
		{"client: tags with a number", PM1, "POST", "clients", "", `{"name":"X","point":"` + P1 + `","tags":["vip",5]}`, "tags", 400},
		{"client: unknown point", SM, "POST", "clients", "", `{"name":"X","point":"nosuchpoint0000"}`, "point", 400},
		{"client: manager of another point", SM, "POST", "clients", "", `{"name":"X","point":"` + P1 + `","manager":"` + PM2 + `"}`, "manager", 400},
		{"occasion: unknown placeholder", SM, "POST", "occasions", "", `{"title":"X","kind":"standard","template":"Привет, {{клиент}}!"}`, "template", 400},
		{"occasion: broken braces", SM, "POST", "occasions", "", `{"title":"X","kind":"standard","template":"Hello {{client"}`, "template", 400},
		{"occasion: ends before it starts", SM, "POST", "occasions", "", `{"title":"X","kind":"standard","starts":"2027-03-01","ends":"2027-02-01"}`, "ends", 400},
		{"occasion: missing kind", SM, "POST", "occasions", "", `{"title":"X"}`, "kind", 400},
		{"occasion: invalid date", SM, "POST", "occasions", "", `{"title":"X","kind":"standard","starts":"yesterday"}`, "starts", 400},
		{"occasion: unknown segment", SM, "POST", "occasions", "", `{"title":"X","kind":"standard","segments":["A","Q"]}`, "segments", 400},
		{"point: unknown time zone", SM, "POST", "points", "", `{"name":"Mars","timezone":"Mars/Olympus"}`, "timezone", 400},
		{"point: duplicate name", SM, "POST", "points", "", `{"name":"moscow"}`, "name", 400},
		{"cadence: zero interval", SM, "PATCH", "cadences", "segment:A", `{"interval_days":0}`, "interval_days", 400},
		{"cadence: fractional interval", SM, "PATCH", "cadences", "segment:A", `{"interval_days":1.5}`, "interval_days", 400},
		{"cadence: duplicate segment", SM, "POST", "cadences", "", `{"segment":"A","interval_days":10}`, "segment", 400},
		{"hold: ticket of another client", SM, "POST", "holds", "", `{"client":"` + C1 + `","reason":"ticket","ticket":"` + TK1 + `"}`, "ticket", 400},
		{"ticket: moved to another client", SM, "PATCH", "tickets", TK1, `{"client":"` + C1 + `"}`, "client", 400},
		{"comment: empty text", PM1, "POST", "comments", "", `{"client":"` + C1 + `","text":""}`, "text", 400},
		{"comment: over-long text", PM1, "POST", "comments", "", `{"client":"` + C1 + `","text":"` + long(5001) + `"}`, "text", 400},
		{"cadence: interval as text", SM, "PATCH", "cadences", "segment:A", `{"interval_days":"abc"}`, "interval_days", 400},
		{"occasion: archived is not a bool", SM, "POST", "occasions", "", `{"title":"X","kind":"standard","archived":"maybe"}`, "archived", 400},
		{"client: name is an object", PM1, "POST", "clients", "", `{"name":{"a":1},"point":"` + P1 + `"}`, "name", 400},
		{"touch: occasion is a number", PM1, "POST", "touches", "", `{"client":"` + C1 + `","occasion":42,"status":"done"}`, "occasion", 400},
		{"malformed filter", PM1, "GET", "clients", "", ``, "filter", 400},
	}

	for _, c := range cases {
		c := c
		url := "/api/collections/" + c.collection + "/records"
		scenario := tests.ApiScenario{
			Name:           c.name,
			Method:         c.method,
			Headers:        Auth(c.user),
			TestAppFactory: Factory,
			ExpectedStatus: c.status,
			Body:           strings.NewReader(c.body),
		}
		if c.field == "filter" {
			scenario.URL = url + "?filter=" + "name%20%3D%3D%3D%20(%22"
			scenario.ExpectedContent = []string{`"status":400`}
		} else {
			scenario.ExpectedContent = []string{`"data":{"` + c.field + `":{"code":`}
		}
		var before string
		scenario.BeforeTestFunc = nil
		t.Run(c.name, func(t *testing.T) {
			app := New(t)
			id := Resolve(t, app, c.collection, c.id)
			switch {
			case c.field == "filter":
			case id != "":
				scenario.URL = url + "/" + id
			default:
				scenario.URL = url
			}
			before = CollectionState(t, app, c.collection)
			scenario.AfterTestFunc = func(t testing.TB, app *tests.TestApp, res *http.Response) {
				if after := CollectionState(t, app, c.collection); after != before {
					t.Errorf("%s: refused, but %s changed", c.name, c.collection)
				}
			}
			scenario.Test(t)
		})
	}
}

// TestPointNamesUniqueInAnyScript: SQLite's NOCASE folds only ASCII, the
// hook folds Cyrillic too.
func TestPointNamesUniqueInAnyScript(t *testing.T) {
	app := New(t)
	server := Serve(t, app)
	if r := Request(t, server, http.MethodPost, "/api/collections/points/records", SM, `{"name":"Казань","country":"RU"}`); r.Status != 200 {
		t.Fatalf("first point: %d %s", r.Status, r.Body)
	}
	r := Request(t, server, http.MethodPost, "/api/collections/points/records", SM, `{"name":"КАЗАНЬ","country":"RU"}`)
	if r.Status != 400 || !strings.Contains(r.Body, `"name":{"code":"validation_not_unique"`) {
		t.Fatalf("same name in upper case: %d %s", r.Status, r.Body)
	}
}
