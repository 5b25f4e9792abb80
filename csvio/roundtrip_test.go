package csvio_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"touchbase/csvio"
	"touchbase/internal/testapp"
)

// TestCSVClientsRoundTrip exports the clients of one app and imports the
// file into a fresh one: every client comes back with the same values,
// field by field. Besides the fixture's clients the file holds one that
// exercises every escape: a name that would run as a formula and contains
// the delimiter and quotes, handles starting with + and @, a tag with ";",
// a day sent with a time of day (stored and exported as its day), a
// multi-line note.
func TestCSVClientsRoundTrip(t *testing.T) {
	source := testapp.New(t)
	rich := saveRecord(t, source, "clients", map[string]any{
		"name": `=HYPERLINK("x"); ООО "Рога и копыта", Ltd`, "point": testapp.P2, "manager": testapp.SM,
		"segment": "A+", "stage": "sleeping", "since": "2019-06-01 10:30:00.000Z",
		"tags":  []string{"vip", "опт;розница", "'=not a formula"},
		"notes": "line 1\nline 2, \"quoted\"; semi\n-minus first",
	})
	// the contact columns of a clients file are its primary contact's
	testapp.SetContact(t, source, rich.Id, map[string]any{"name": "Пётр Ёлкин",
		"birthday": "1980-02-29 00:00:00.000Z", "channel": "whatsapp", "telegram": "@roga_kopyta",
		"whatsapp": "+7 912 345-67-89", "phone": "+44 20 7946 0958", "email": "info@roga.test"})
	saveRecord(t, source, "clients", map[string]any{
		"name": "'@apostrophe first", "point": testapp.P1, "tags": []string{"a", "b"}, "notes": "+plus",
	})

	var file bytes.Buffer
	if err := csvio.ExportClients(source, &file, nil); err != nil {
		t.Fatal(err)
	}
	if header, _, _ := strings.Cut(file.String(), "\n"); header != strings.Join(csvio.ClientColumns, ",") {
		t.Fatalf("header = %q", header)
	}

	target := testapp.New(t)
	before := clientIds(t, target)
	report, err := csvio.ImportClients(target, &file)
	if err != nil {
		t.Fatalf("import: %v\n%s", err, report.String())
	}
	originals, err := source.FindAllRecords("clients")
	if err != nil {
		t.Fatal(err)
	}
	if report.Imported != len(originals) || report.Rows != len(originals) {
		t.Fatalf("imported %d of %d rows, want %d", report.Imported, report.Rows, len(originals))
	}

	imported := map[string]*core.Record{}
	all, err := target.FindAllRecords("clients")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range all {
		if !slices.Contains(before, r.Id) {
			imported[r.GetString("name")] = withContact(t, target, r)
		}
	}
	if len(imported) != len(originals) {
		t.Fatalf("%d new clients with distinct names, want %d", len(imported), len(originals))
	}

	fields := []string{"point", "manager", "segment", "stage", "contact_name", "channel",
		"telegram", "whatsapp", "phone", "email", "notes"}
	for _, original := range originals {
		original = withContact(t, source, original)
		name := original.GetString("name")
		dup, ok := imported[name]
		if !ok {
			t.Errorf("client %q did not come back", name)
			continue
		}
		for _, field := range fields {
			if got, want := dup.GetString(field), original.GetString(field); got != want {
				t.Errorf("%q: %s = %q, want %q", name, field, got, want)
			}
		}
		for _, field := range []string{"contact_birthday", "since"} {
			if got, want := dup.GetDateTime(field).String(), original.GetDateTime(field).String(); got != want {
				t.Errorf("%q: %s = %q, want %q", name, field, got, want)
			}
		}
		if got, want := tagsOf(t, dup), tagsOf(t, original); !slices.Equal(got, want) {
			t.Errorf("%q: tags = %q, want %q", name, got, want)
		}
	}

	// the one file that went through every escape, checked by value too
	back := imported[`=HYPERLINK("x"); ООО "Рога и копыта", Ltd`]
	if back == nil || back.GetString("phone") != "+442079460958" || back.GetDateTime("since").String() != "2019-06-01 12:00:00.000Z" {
		t.Errorf("rich client = %v", back)
	}

	// exporting the copies gives the same file again
	var again, first bytes.Buffer
	if err := csvio.ExportClients(source, &first, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := target.DB().NewQuery("DELETE FROM clients WHERE id IN ({:a}, {:b}, {:c}, {:d})").Bind(map[string]any{
		"a": testapp.C1, "b": testapp.C1b, "c": testapp.C1c, "d": testapp.C2,
	}).Execute(); err != nil {
		t.Fatal(err)
	}
	if err := csvio.ExportClients(target, &again, nil); err != nil {
		t.Fatal(err)
	}
	if again.String() != first.String() {
		t.Errorf("export of the imported copy differs:\n%s\nwant:\n%s", again.String(), first.String())
	}
}

// TestExportClientsScope checks that a point list limits the export.
func TestExportClientsScope(t *testing.T) {
	app := testapp.New(t)
	var out bytes.Buffer
	if err := csvio.ExportClients(app, &out, []string{testapp.P2}); err != nil {
		t.Fatal(err)
	}
	want := strings.Join(csvio.ClientColumns, ",") + "\n" +
		"Acme Ltd,London,pm2@test.local,B,regular,John Smith,,,,,'+447700900123,,john@acme.test,,\n"
	if out.String() != want {
		t.Errorf("export:\n%s\nwant:\n%s", out.String(), want)
	}
}

func clientIds(t *testing.T, app core.App) []string {
	t.Helper()
	records, err := app.FindAllRecords("clients")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range records {
		ids = append(ids, r.Id)
	}
	return ids
}
