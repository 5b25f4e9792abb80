package clients_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	. "touchbase/internal/testapp"
)

func TestMain(m *testing.M) { Main(m) }

// TestSearchIsTheServers: the search column is kept by the server from the
// client's and its people's names; an admin editing it in the dashboard
// gets a 400 naming it instead of an edit silently overwritten, and saving
// the form unchanged still works.
func TestSearchIsTheServers(t *testing.T) {
	app := New(t)
	client, err := app.FindRecordById("clients", C1)
	if err != nil {
		t.Fatal(err)
	}
	current := client.GetString("search")
	if !strings.Contains(current, "ирина петрова") {
		t.Fatalf("search %q does not hold the primary contact's name", current)
	}
	url := "/api/collections/clients/records/" + C1
	scenarios := []tests.ApiScenario{
		{
			Name: "an admin edits search", Method: http.MethodPatch, URL: url, Headers: Auth(Superuser),
			Body:            strings.NewReader(`{"search":"anything"}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"search":{"code":"validation_unchangeable"`},
			TestAppFactory:  Factory,
		},
		{
			Name: "the dashboard form saved with search unchanged", Method: http.MethodPatch, URL: url, Headers: Auth(Superuser),
			Body:            strings.NewReader(`{"search":"` + current + `","notes":"called back"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"notes":"called back"`},
			TestAppFactory:  Factory,
		},
		{
			Name: "a new client with a search value", Method: http.MethodPost, URL: "/api/collections/clients/records", Headers: Auth(Superuser),
			Body:            strings.NewReader(`{"name":"Новый","point":"` + P1 + `","search":"x"}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"search":{"code":"validation_unchangeable"`},
			TestAppFactory:  Factory,
		},
	}
	for _, s := range scenarios {
		s.Test(t)
	}
}

// TestTagsTypedAsText: tags typed in the dashboard as "vip, retail" (a JSON
// string) are stored as the list they name.
func TestTagsTypedAsText(t *testing.T) {
	for _, typed := range []string{`"\"vip, опт; retail\""`, `"vip, опт; retail"`} {
		s := tests.ApiScenario{
			Name: "tags as text " + typed, Method: http.MethodPatch, URL: "/api/collections/clients/records/" + C1, Headers: Auth(Superuser),
			Body:            strings.NewReader(`{"tags":` + typed + `}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"tags":["vip","опт","retail"]`},
			TestAppFactory:  Factory,
		}
		s.Test(t)
	}
}
