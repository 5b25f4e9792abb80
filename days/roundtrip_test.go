package days_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"touchbase/days"
	. "touchbase/internal/testapp"
)

// dayRecords is, per collection of days.Fields, the body of a record that
// the service manager may create, and the days to send for its day fields
// (holds refuse an until more than a year ago). A collection added to
// days.Fields needs a line here.
var dayRecords = map[string]struct {
	body map[string]any
	days []string
}{
	"clients":   {map[string]any{"name": "Days test", "point": P1}, []string{"1990-12-01", "2041-01-01", "1992-02-29", "2040-03-01"}},
	"contacts":  {map[string]any{"client": C1, "name": "Days test"}, []string{"1990-12-01", "2041-01-01", "1992-02-29", "2040-03-01"}},
	"occasions": {map[string]any{"title": "Days test", "kind": "standard", "category": "other"}, []string{"2040-12-01", "2041-01-01", "2040-02-29", "2040-03-01"}},
	"holds":     {map[string]any{"client": C1, "reason": "other"}, []string{"2040-12-01", "2041-01-01", "2040-02-29", "2040-03-01"}},
	"events":    {map[string]any{"client": C1, "kind": "shipment"}, []string{"1990-12-01", "2041-01-01", "1992-02-29", "2040-03-01"}},
}

// dashboardValue is what the dashboard sends for a day picked by an admin
// whose browser is offset hours from UTC: local midnight, in UTC.
func dashboardValue(day string, offset int) string {
	d, _ := time.Parse(time.DateOnly, day)
	local := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.FixedZone("", offset*3600))
	return local.UTC().Format("2006-01-02 15:04:05.000Z")
}

// TestDayFieldsRoundTrip sends every day field of days.Fields through the
// REST API as the dashboard does from every zone UTC−11 … UTC+11 (local
// midnight converted to UTC), on create and on update, and checks that the
// answer, a fresh GET and the stored column all hold that day at 12:00Z.
func TestDayFieldsRoundTrip(t *testing.T) {
	app := New(t)
	server := Serve(t, app)

	for collection, fields := range days.Fields {
		spec, ok := dayRecords[collection]
		if !ok {
			t.Errorf("days.Fields has %s: add a record body for it to dayRecords", collection)
			continue
		}
		for _, field := range present(t, app, collection, fields) {
			for _, day := range spec.days {
				want := day + " 12:00:00.000Z"
				for offset := -11; offset <= 11; offset++ {
					sent := dashboardValue(day, offset)
					where := fmt.Sprintf("%s.%s = %s (the day %s picked at UTC%+d)", collection, field, sent, day, offset)

					body := map[string]any{}
					for k, v := range spec.body {
						body[k] = v
					}
					body[field] = sent
					raw, _ := json.Marshal(body)
					res := Request(t, server, http.MethodPost, "/api/collections/"+collection+"/records", SM, string(raw))
					if res.Status != 200 {
						t.Fatalf("create %s: %d %s", where, res.Status, res.Body)
					}
					id, _ := res.JSON["id"].(string)
					check(t, app, server, collection, field, id, want, "create "+where, res)

					// update: the next day, picked in the same zone
					next, _ := time.Parse(time.DateOnly, day)
					nextDay := next.AddDate(0, 0, 1).Format(time.DateOnly)
					sent = dashboardValue(nextDay, offset)
					res = Request(t, server, http.MethodPatch, "/api/collections/"+collection+"/records/"+id, SM,
						fmt.Sprintf(`{%q:%q}`, field, sent))
					if res.Status != 200 {
						t.Fatalf("update %s: %d %s", where, res.Status, res.Body)
					}
					check(t, app, server, collection, field, id, nextDay+" 12:00:00.000Z",
						fmt.Sprintf("update %s.%s = %s (the day %s picked at UTC%+d)", collection, field, sent, nextDay, offset), res)
				}
			}
		}
	}
}

// TestDayFieldsOtherForms sends a day as a bare date, as RFC 3339 with an
// offset, and as a stored day: each is that day at 12:00Z; an empty value
// stays empty.
func TestDayFieldsOtherForms(t *testing.T) {
	app := New(t)
	server := Serve(t, app)
	forms := map[string]string{
		"2040-12-01":                "2040-12-01 12:00:00.000Z",
		"2040-12-01T00:00:00+03:00": "2040-12-01 12:00:00.000Z",
		"2040-12-01T00:00:00-11:00": "2040-12-01 12:00:00.000Z",
		"2040-12-01 12:00:00.000Z":  "2040-12-01 12:00:00.000Z",
		"2040-12-01 12:00:00Z":      "2040-12-01 12:00:00.000Z",
		"":                          "",
	}
	for collection, fields := range days.Fields {
		spec := dayRecords[collection]
		for _, field := range present(t, app, collection, fields) {
			for sent, want := range forms {
				if sent == "" && required(t, app, collection, field) {
					continue // a required day (events.date) cannot be empty
				}
				body := map[string]any{}
				for k, v := range spec.body {
					body[k] = v
				}
				body[field] = sent
				raw, _ := json.Marshal(body)
				res := Request(t, server, http.MethodPost, "/api/collections/"+collection+"/records", SM, string(raw))
				if res.Status != 200 {
					t.Fatalf("create %s.%s = %q: %d %s", collection, field, sent, res.Status, res.Body)
				}
				id, _ := res.JSON["id"].(string)
				check(t, app, server, collection, field, id, want, fmt.Sprintf("%s.%s = %q", collection, field, sent), res)
			}
		}
	}
}

// present returns the fields of collection that this data dir has: a line
// of days.Fields may name a collection or field that is added (or dropped)
// by another migration.
func present(t *testing.T, app core.App, collection string, fields []string) []string {
	t.Helper()
	c, err := app.FindCollectionByNameOrId(collection)
	if err != nil {
		t.Logf("no collection %s in this data dir: skipped", collection)
		return nil
	}
	var out []string
	for _, field := range fields {
		if c.Fields.GetByName(field) == nil {
			t.Logf("no field %s.%s in this data dir: skipped", collection, field)
			continue
		}
		out = append(out, field)
	}
	return out
}

// check compares the value in the write's answer, in a fresh GET and in
// the database column with want.
func check(t *testing.T, app core.App, server *httptest.Server, collection, field, id, want, where string, res Response) {
	t.Helper()
	if got, _ := res.JSON[field].(string); got != want {
		t.Errorf("%s: answered %q, want %q", where, got, want)
	}
	view := Request(t, server, http.MethodGet, "/api/collections/"+collection+"/records/"+id, SM, "")
	if got, _ := view.JSON[field].(string); got != want {
		t.Errorf("%s: GET gives %q, want %q", where, got, want)
	}
	var column string
	if err := app.DB().NewQuery("SELECT [[" + field + "]] FROM {{" + collection + "}} WHERE id = {:id}").
		Bind(dbx.Params{"id": id}).Row(&column); err != nil {
		t.Fatal(err)
	}
	if column != want {
		t.Errorf("%s: stored %q, want %q", where, column, want)
	}
}

// required reports whether the field must have a value (SPEC §3: events.date).
func required(t *testing.T, app core.App, collection, field string) bool {
	t.Helper()
	c, err := app.FindCollectionByNameOrId(collection)
	if err != nil {
		t.Fatal(err)
	}
	f, ok := c.Fields.GetByName(field).(*core.DateField)
	return ok && f.Required
}
