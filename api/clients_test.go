package api_test

import (
	"net/http"
	"net/url"
	"slices"
	"testing"

	. "touchbase/internal/testapp"
)

type clientsPage struct {
	Page, PerPage, TotalItems int
	Items                     []struct {
		Id, Name, Point, PointName, Stage string
	}
}

// TestClientsList: the Clients view lists every client of the caller's
// scope (lost ones too), sorted by name, paged, searchable in any script.
func TestClientsList(t *testing.T) {
	app := New(t)
	server := Serve(t, app)
	list := func(user, query string) clientsPage {
		t.Helper()
		r := Request(t, server, http.MethodGet, "/api/touchbase/clients"+query, user, "")
		if r.Status != 200 {
			t.Fatalf("%s %s: %d %s", user, query, r.Status, r.Body)
		}
		return decode[clientsPage](t, []byte(r.Body))
	}
	ids := func(p clientsPage) []string {
		var out []string
		for _, c := range p.Items {
			out = append(out, c.Id)
		}
		return out
	}
	if r := Request(t, server, http.MethodPatch, "/api/collections/clients/records/"+C1c, SM, `{"stage":"lost"}`); r.Status != 200 {
		t.Fatal(r.Body)
	}

	pm1 := list(PM1, "")
	// by name: "ИП Кузнецов", "ООО Ромашка", "Test client" in the folded order of the search column
	if got := ids(pm1); len(got) != 3 || !slices.Contains(got, C1c) || slices.Contains(got, C2) {
		t.Errorf("PM1 sees %v, want P1's three clients, the lost one included", got)
	}
	if pm1.TotalItems != 3 {
		t.Errorf("PM1 total %d, want 3", pm1.TotalItems)
	}
	if got := ids(list(PM2, "")); !slices.Equal(got, []string{C2}) {
		t.Errorf("PM2 sees %v, want only C2", got)
	}
	if got := ids(list(SM, "?perPage=2&page=2")); len(got) != 2 {
		t.Errorf("SM page 2 of 2 per page: %v, want 2 of the 4 clients", got)
	}
	if got := ids(list(PM1, "?q="+url.QueryEscape("ромашка"))); !slices.Equal(got, []string{C1}) {
		t.Errorf("Cyrillic search in another case: %v, want C1", got)
	}
	if got := ids(list(PM1, "?q="+url.QueryEscape("Acme"))); len(got) != 0 {
		t.Errorf("PM1 found another point's client: %v", got)
	}
	for _, bad := range []string{"?perPage=0", "?segment=Z", "?point=" + P2} {
		if r := Request(t, server, http.MethodGet, "/api/touchbase/clients"+bad, PM1, ""); r.Status != 400 && r.Status != 403 {
			t.Errorf("%s: %d %s, want a 4xx naming the parameter", bad, r.Status, r.Body)
		}
	}
}
