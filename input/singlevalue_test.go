package input_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	. "touchbase/internal/testapp"
)

// singleValueWriters says, per collection, which staff user may write there,
// a body that creates a record, and the record to update. A collection with
// a single-valued relation or select field must be listed, so that a new
// collection is not left out of TestSingleValueFieldsRefuseLists silently.
var singleValueWriters = map[string]struct {
	user   string
	create map[string]any
	update string // id, or field:value (testapp.Resolve)
}{
	"users": {SM, map[string]any{"email": "new.pm@test.local", "password": Password, "passwordConfirm": Password,
		"name": "New Manager", "role": "point_manager", "point": P1}, PM1},
	"points":             {SM, map[string]any{"name": "Тверь", "country": "RU", "timezone": "Europe/Moscow"}, P1},
	"clients":            {PM1, map[string]any{"name": "New client", "point": P1}, C1},
	"contacts":           {PM1, map[string]any{"client": C1, "name": "Мария Иванова", "role": "user"}, CT1b},
	"occasions":          {SM, map[string]any{"title": "New occasion", "kind": "standard"}, OccStandard},
	"occasion_templates": {SM, map[string]any{"occasion": OccStandard, "language": "en", "text": "Hi {{contact}}"}, TplArchivedRu},
	"touches":            {PM1, map[string]any{"client": C1, "occasion": OccStandard, "status": "done"}, T1},
	"comments":           {PM1, map[string]any{"client": C1, "text": "A note"}, CM1},
	"tickets":            {SM, map[string]any{"client": C1, "title": "A problem"}, TK1},
	"holds":              {SM, map[string]any{"client": C1, "reason": "other"}, H1},
	"cadences":           {SM, map[string]any{"segment": "A", "interval_days": 10}, "segment:A"},
	"events":             {SM, map[string]any{"client": C1, "kind": "shipment", "date": "2026-03-01"}, "kind:shipment"},
	"digests":            {Superuser, map[string]any{"user": PM1, "day": "2026-01-06", "outcome": "sent"}, DG1},
}

// singleValueSeeds write, for a collection the fixture has no record of,
// the record that singleValueWriters' update names.
var singleValueSeeds = map[string]func(t testing.TB, app core.App){
	"events": func(t testing.TB, app core.App) {
		events, err := app.FindCollectionByNameOrId("events")
		if err != nil {
			t.Fatal(err)
		}
		event := core.NewRecord(events)
		event.Load(map[string]any{"client": C1, "kind": "shipment", "date": "2026-03-01"})
		if err := app.Save(event); err != nil {
			t.Fatal(err)
		}
	},
}

// singleValued lists the relation and select fields of collection that
// hold one value (MaxSelect <= 1), from the schema itself.
func singleValued(collection *core.Collection) []core.Field {
	var fields []core.Field
	for _, f := range collection.Fields {
		switch f := f.(type) {
		case *core.RelationField:
			if !f.IsMultiple() {
				fields = append(fields, f)
			}
		case *core.SelectField:
			if !f.IsMultiple() {
				fields = append(fields, f)
			}
		}
	}
	return fields
}

// twoValues returns a valid value of field (preferring current) and another
// one, both of the kind the field takes: record ids of the related
// collection, or allowed select values.
func twoValues(t testing.TB, app core.App, field core.Field, current string) (string, string) {
	t.Helper()
	var candidates []string
	switch f := field.(type) {
	case *core.SelectField:
		candidates = f.Values
	case *core.RelationField:
		records, err := app.FindAllRecords(f.CollectionId)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range records {
			candidates = append(candidates, r.Id)
		}
		slices.Sort(candidates)
	}
	valid := current
	if valid == "" && len(candidates) > 0 {
		valid = candidates[0]
	}
	for _, c := range candidates {
		if c != valid {
			return valid, c
		}
	}
	return valid, valid
}

// send posts body to path as JSON, or as multipart/form-data where a list
// is the field repeated (-F status=done -F status=skipped), as user.
func send(t testing.TB, server *httptest.Server, method, path, user string, body map[string]any, multi bool) Response {
	t.Helper()
	var payload bytes.Buffer
	contentType := "application/json"
	if multi {
		w := multipart.NewWriter(&payload)
		keys := make([]string, 0, len(body))
		for k := range body {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			values, ok := body[k].([]any)
			if !ok {
				values = []any{body[k]}
			}
			for _, v := range values {
				if err := w.WriteField(k, fmt.Sprint(v)); err != nil {
					t.Fatal(err)
				}
			}
		}
		w.Close()
		contentType = w.FormDataContentType()
	} else if err := json.NewEncoder(&payload).Encode(body); err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(method, server.URL+path, &payload)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	for k, v := range Auth(user) {
		req.Header.Set(k, v)
	}
	res, err := server.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := Response{Status: res.StatusCode, Body: string(raw)}
	_ = json.Unmarshal(raw, &out.JSON)
	return out
}

// TestSingleValueFieldsRefuseLists: a list sent for a single-valued
// relation or select field (SPEC §3, §10) is a 400 naming the field, on
// create and update, as JSON and as a repeated multipart field, and
// nothing is written. PocketBase itself would keep the last element.
func TestSingleValueFieldsRefuseLists(t *testing.T) {
	app := New(t)
	collections, err := app.FindAllCollections()
	if err != nil {
		t.Fatal(err)
	}
	covered := 0
	for _, collection := range collections {
		fields := singleValued(collection)
		if collection.System || len(fields) == 0 {
			continue
		}
		writer, ok := singleValueWriters[collection.Name]
		if !ok {
			t.Errorf("collection %s has single-valued fields %v but no entry in singleValueWriters", collection.Name, fields)
			continue
		}
		for _, field := range fields {
			name := field.GetName()
			for _, multi := range []bool{false, true} {
				encoding := "json"
				if multi {
					encoding = "multipart"
				}
				t.Run(collection.Name+"."+name+"/"+encoding, func(t *testing.T) {
					covered++
					app := New(t)
					server := Serve(t, app)
					url := "/api/collections/" + collection.Name + "/records"
					if seed := singleValueSeeds[collection.Name]; seed != nil {
						seed(t, app)
					}
					id := Resolve(t, app, collection.Name, writer.update)
					stored, err := app.FindRecordById(collection.Name, id)
					if err != nil {
						t.Fatal(err)
					}
					before := CollectionState(t, app, collection.Name)

					// create: another value first, the valid one last, so
					// that keeping the last element would pass unnoticed
					create := map[string]any{}
					for k, v := range writer.create {
						create[k] = v
					}
					current, _ := create[name].(string)
					valid, other := twoValues(t, app, field, current)
					create[name] = []any{other, valid}
					r := send(t, server, http.MethodPost, url, writer.user, create, multi)
					expectSingleValue(t, "create", name, r)

					// update: the current value first, another one last
					valid, other = twoValues(t, app, field, stored.GetString(name))
					r = send(t, server, http.MethodPatch, url+"/"+id, writer.user, map[string]any{name: []any{valid, other}}, multi)
					expectSingleValue(t, "update", name, r)

					if after := CollectionState(t, app, collection.Name); after != before {
						t.Errorf("refused, but %s changed", collection.Name)
					}
				})
			}
		}
	}
	if covered == 0 {
		t.Fatal("no single-valued field was found")
	}
}

func expectSingleValue(t testing.TB, action, field string, r Response) {
	t.Helper()
	if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, `"data":{"`+field+`":{"code":"validation_single_value"`) {
		t.Errorf("%s with a list for %s: %d %s", action, field, r.Status, r.Body)
	}
}

// TestSingleValueListShapes covers the edges of "a list for a single
// value": a one-element list is still a list; an empty list clears an
// optional field (as null does); a list under a modifier key (field+,
// +field, field-) is a list too; an empty list for a required field is
// PocketBase's own "cannot be blank".
func TestSingleValueListShapes(t *testing.T) {
	cases := []struct {
		name, user, method, collection, target string
		body                                   map[string]any
		form                                   bool // also sent as multipart/form-data
		status                                 int
		expect                                 string
		check                                  func(t testing.TB, app *tests.TestApp)
	}{
		{"one-element list", PM1, http.MethodPost, "touches", "",
			map[string]any{"client": C1, "occasion": OccStandard, "status": []any{"done"}}, false, 400,
			`"data":{"status":{"code":"validation_single_value"`, nil},
		{"one-element list of a relation", SM, http.MethodPatch, "clients", C1,
			map[string]any{"point": []any{P1}}, false, 400, `"data":{"point":{"code":"validation_single_value"`, nil},
		{"empty list clears an optional field", PM1, http.MethodPatch, "clients", C1,
			map[string]any{"manager": []any{}, "stage": []any{}}, false, 200, `"manager":""`,
			func(t testing.TB, app *tests.TestApp) {
				c, err := app.FindRecordById("clients", C1)
				if err != nil {
					t.Fatal(err)
				}
				if c.GetString("manager") != "" || c.GetString("stage") != "" {
					t.Errorf("manager %q stage %q, want both cleared", c.GetString("manager"), c.GetString("stage"))
				}
			}},
		{"empty list for a required field", PM1, http.MethodPost, "touches", "",
			map[string]any{"client": C1, "occasion": OccStandard, "status": []any{}}, false, 400,
			`"data":{"status":{"code":"validation_required"`, nil},
		{"append modifier with a list", SM, http.MethodPatch, "clients", C1,
			map[string]any{"point+": []any{P2, P1}}, true, 400, `"data":{"point":{"code":"validation_single_value"`, nil},
		{"prepend modifier with a list", PM1, http.MethodPatch, "touches", T1,
			map[string]any{"+status": []any{"skipped"}}, false, 400, `"data":{"status":{"code":"validation_single_value"`, nil},
		{"subtract modifier with a list", PM1, http.MethodPatch, "clients", C1,
			map[string]any{"stage-": []any{"regular", "new"}}, true, 400, `"data":{"stage":{"code":"validation_single_value"`, nil},
		{"a single value is fine", PM1, http.MethodPatch, "clients", C1,
			map[string]any{"stage": "new"}, true, 200, `"stage":"new"`, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			app := New(t)
			server := Serve(t, app)
			url := "/api/collections/" + c.collection + "/records"
			if c.target != "" {
				url += "/" + c.target
			}
			before := CollectionState(t, app, c.collection)
			for _, multi := range []bool{false, true} {
				if multi && !c.form {
					continue // a form cannot send an empty or one-element list
				}
				r := send(t, server, c.method, url, c.user, c.body, multi)
				if r.Status != c.status || !strings.Contains(r.Body, c.expect) {
					t.Errorf("multipart=%v: %d %s, want %d with %s", multi, r.Status, r.Body, c.status, c.expect)
				}
			}
			if c.status != 200 {
				if after := CollectionState(t, app, c.collection); after != before {
					t.Errorf("refused, but %s changed", c.collection)
				}
			}
			if c.check != nil {
				c.check(t, app)
			}
		})
	}
}
