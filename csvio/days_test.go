package csvio_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"touchbase/csvio"
	"touchbase/internal/testapp"
)

// TestImportExportDays imports day columns written in every form the
// import reads (YYYY-MM-DD, DD.MM.YYYY, an old export's moment such as a
// Moscow admin's local midnight in UTC) and checks that each is stored as
// its day at 12:00Z (SPEC §3) and exported as YYYY-MM-DD.
func TestImportExportDays(t *testing.T) {
	app := testapp.New(t)
	file := "name,point,contact_birthday,since\n" +
		"Dotted,Moscow,01.12.1990,8.3.2015\n" +
		"Dashed,Moscow,1990-12-01,2015-03-08\n" +
		"Old export,Moscow,1990-11-30 21:00:00.000Z,2015-03-08 05:00:00.000Z\n" +
		"RFC 3339,London,1990-12-01T00:00:00+11:00,2015-03-08T00:00:00-11:00\n"
	report, err := csvio.ImportClients(app, strings.NewReader(file))
	if err != nil {
		t.Fatalf("import: %v\n%s", err, report.String())
	}
	for _, name := range []string{"Dotted", "Dashed", "Old export", "RFC 3339"} {
		client := findClient(t, app, name)
		if got := birthdayOf(t, app, client); got != "1990-12-01 12:00:00.000Z" {
			t.Errorf("%s: contact_birthday stored as %q, want 1990-12-01 12:00:00.000Z", name, got)
		}
		if got := client.GetString("since"); got != "2015-03-08 12:00:00.000Z" {
			t.Errorf("%s: since stored as %q, want 2015-03-08 12:00:00.000Z", name, got)
		}
	}

	var out bytes.Buffer
	if err := csvio.ExportClients(app, &out, nil); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(out.String(), "\n") {
		for _, name := range []string{"Dotted,", "Dashed,", "Old export,", "RFC 3339,"} {
			if strings.HasPrefix(line, name) && !strings.Contains(line, ",1990-12-01,2015-03-08,") {
				t.Errorf("exported %q, want the days as ,1990-12-01,2015-03-08,", line)
			}
		}
	}
}

// birthdayOf is the client's birthday where this data dir keeps it: its
// primary contact's, or (before contacts) the client's contact_birthday.
func birthdayOf(t *testing.T, app core.App, client *core.Record) string {
	t.Helper()
	if _, err := app.FindCollectionByNameOrId("contacts"); err != nil {
		return client.GetString("contact_birthday")
	}
	contacts, err := app.FindRecordsByFilter("contacts", "client = {:c} && primary = true", "", 1, 0, dbx.Params{"c": client.Id})
	if err != nil || len(contacts) == 0 {
		return client.GetString("contact_birthday")
	}
	return contacts[0].GetString("birthday")
}
