package csvio_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"

	"touchbase/csvio"
	"touchbase/internal/testapp"
)

// TestImportContacts adds people to existing clients: by client name (in
// any case) or id, with roles, a primary contact taking over, and a
// line-numbered report that rejects the whole file for one bad row.
func TestImportContacts(t *testing.T) {
	app := testapp.New(t)
	before := testapp.Count(t, app, "contacts", "")

	bad := "client;name;role;birthday;primary\n" +
		"ооо ромашка;Мария Иванова;finance;01.12.1990;true\n" +
		"Nobody Ltd;Пётр;user;;\n" +
		testapp.C1b + ";;cto;31/12/1990;maybe\n"
	report, err := csvio.ImportContacts(app, strings.NewReader(bad))
	if !errors.Is(err, csvio.ErrRejected) {
		t.Fatalf("bad file: err = %v, want ErrRejected\n%s", err, report.String())
	}
	want := []string{
		`line 3: client: no client with the id or name "Nobody Ltd"`,
		`line 4: name: cannot be blank`,
		`line 4: role: unknown value "cto"; expected one of decision_maker, influencer, user, technical, finance, assistant, other`,
		`line 4: birthday: expected a date as YYYY-MM-DD or DD.MM.YYYY, found "31/12/1990"`,
		`line 4: primary: expected true or false, found "maybe"`,
	}
	var got []string
	for _, p := range report.Problems {
		got = append(got, p.String())
	}
	if !slices.Equal(got, want) {
		t.Errorf("problems:\n got  %q\n want %q", got, want)
	}
	if n := testapp.Count(t, app, "contacts", ""); n != before {
		t.Errorf("a rejected file changed the contacts: %d, want %d", n, before)
	}

	good := "client,point,name,role,position,birthday,phone,primary\n" +
		"ооо ромашка,Moscow,Мария Иванова,finance,CFO,01.12.1990,+7 495 111-22-33,true\n" +
		testapp.C1b + ",,Пётр Кузнецов,decision_maker,,,,\n"
	report, err = csvio.ImportContacts(app, strings.NewReader(good))
	if err != nil {
		t.Fatalf("good file: %v\n%s", err, report.String())
	}
	if report.Imported != 2 || !strings.HasPrefix(report.String(), "Imported 2 contacts from 2 rows") {
		t.Errorf("report = %q", report.String())
	}
	maria, err := app.FindFirstRecordByData("contacts", "name", "Мария Иванова")
	if err != nil {
		t.Fatal(err)
	}
	if maria.GetString("client") != testapp.C1 || !maria.GetBool("primary") || maria.GetString("birthday") != "1990-12-01 12:00:00.000Z" ||
		maria.GetString("phone") != "+74951112233" {
		t.Errorf("Мария = %v", maria.FieldsData())
	}
	primaries, _ := app.FindAllRecords("contacts", dbx.HashExp{"client": testapp.C1, "primary": true})
	if len(primaries) != 1 {
		t.Errorf("C1 has %d primary contacts, want 1", len(primaries))
	}
	petr, err := app.FindFirstRecordByData("contacts", "name", "Пётр Кузнецов")
	if err != nil || petr.GetString("client") != testapp.C1b || !petr.GetBool("primary") {
		t.Errorf("Пётр: %v %v (the first contact of C1b is its primary one)", err, petr)
	}
	c1, _ := app.FindRecordById("clients", testapp.C1)
	if !strings.Contains(c1.GetString("search"), "мария иванова") {
		t.Errorf("C1's search %q lacks the new contact", c1.GetString("search"))
	}
}
