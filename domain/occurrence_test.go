package domain_test

import (
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"touchbase/domain"
	"touchbase/internal/testapp"
	"touchbase/occurrence"
)

// TestOccurrenceConversions: an occasion record and a client record (or
// a client row of a hand-written query) convert to the occurrence
// package's types one way everywhere.
func TestOccurrenceConversions(t *testing.T) {
	app := testapp.New(t)
	save := func(collection, id string, fields map[string]any) *core.Record {
		t.Helper()
		var record *core.Record
		if id == "" {
			c, err := app.FindCollectionByNameOrId(collection)
			if err != nil {
				t.Fatal(err)
			}
			record = core.NewRecord(c)
		} else {
			var err error
			if record, err = app.FindRecordById(collection, id); err != nil {
				t.Fatal(err)
			}
		}
		for k, v := range fields {
			record.Set(k, v)
		}
		if err := app.Save(record); err != nil {
			t.Fatal(err)
		}
		return record
	}
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }

	occasion := save("occasions", "", map[string]any{"title": "Years together", "kind": "standard", "repeat": "yearly",
		"trigger": "anniversary", "starts": "2026-03-08 12:00:00.000Z", "ends": "2027-03-08 12:00:00.000Z", "archived": true})
	want := occurrence.Occasion{Repeat: "yearly", Trigger: "anniversary", Starts: day(2026, 3, 8), Ends: day(2027, 3, 8), Archived: true}
	if got := domain.OccasionRule(occasion); got != want {
		t.Errorf("OccasionRule = %+v, want %+v", got, want)
	}

	// the birthday is the contact's (the primary one), since the client's
	dated := save("clients", testapp.C1, map[string]any{"since": "2020-01-15 12:00:00.000Z"})
	datedContact := save("contacts", testapp.CT1, map[string]any{"birthday": "1980-02-29 12:00:00.000Z"})
	undated, err := app.FindRecordById("clients", testapp.C1b)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		record, contact *core.Record
		want            occurrence.Client
	}{
		{dated, datedContact, occurrence.Client{Birthday: day(1980, 2, 29), Since: day(2020, 1, 15)}},
		{undated, nil, occurrence.Client{}},
	} {
		if got := domain.ClientDates(c.record, c.contact); got != c.want {
			t.Errorf("ClientDates(%s) = %+v, want %+v", c.record.Id, got, c.want)
		}
		var row struct {
			Id string `db:"id"`
			domain.ClientDateColumns
		}
		err := app.DB().NewQuery("SELECT c.id AS id, COALESCE(pc.birthday, '') AS contact_birthday, c.since AS since FROM clients c" +
			domain.PrimaryContactSQL + " WHERE c.id = {:id}").
			Bind(dbx.Params{"id": c.record.Id}).One(&row)
		if err != nil {
			t.Fatal(err)
		}
		if got := row.Dates(); got != c.want {
			t.Errorf("row of %s: Dates() = %+v, want %+v", c.record.Id, got, c.want)
		}
	}
}
