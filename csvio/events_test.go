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

// TestImportEvents records events for existing clients: a broken row
// rejects the whole file with line numbers; a good file records every
// event (a purchase with its hold); importing it again skips every row as
// already recorded and changes nothing.
func TestImportEvents(t *testing.T) {
	app := testapp.New(t)

	bad := "client;kind;date;source;external_id\n" +
		"ооо ромашка;shipment;2026-03-01;erp;S-1\n" +
		"Nobody Ltd;shipment;2026-03-01;erp;S-2\n" +
		testapp.C1b + ";teleport;31/12/2026;erp;S-3\n" +
		testapp.C1b + ";order;;erp;S-4\n"
	report, err := csvio.ImportEvents(app, strings.NewReader(bad))
	if !errors.Is(err, csvio.ErrRejected) {
		t.Fatalf("bad file: err = %v, want ErrRejected\n%s", err, report.String())
	}
	want := []string{
		`line 3: client: no client with the id or name "Nobody Ltd"`,
		`line 4: kind: unknown value "teleport"; expected one of order, shipment, delivery, installation, maintenance, payment, purchase, other`,
		`line 4: date: expected a date as YYYY-MM-DD or DD.MM.YYYY, found "31/12/2026"`,
		`line 5: date: cannot be blank`,
	}
	var got []string
	for _, p := range report.Problems {
		got = append(got, p.String())
	}
	if !slices.Equal(got, want) {
		t.Errorf("problems:\n got  %q\n want %q", got, want)
	}
	if n := testapp.Count(t, app, "events", ""); n != 0 {
		t.Errorf("a rejected file recorded %d events", n)
	}

	good := "client,point,kind,date,note,source,external_id,occasion\n" +
		"ооо ромашка,Moscow,Shipment,01.03.2026,Two pallets,erp,S-1,\n" +
		testapp.C2 + ",,purchase,2026-03-02,Licence,erp,P-1,Useful article\n" +
		testapp.C1b + ",,installation,2026-03-03,,,,\n" +
		"ооо ромашка,,shipment,2026-03-01,Two pallets,erp,S-1,\n"
	report, err = csvio.ImportEvents(app, strings.NewReader(good))
	if err != nil {
		t.Fatalf("good file: %v\n%s", err, report.String())
	}
	if report.Imported != 3 || !strings.HasPrefix(report.String(), "Imported 3 events from 4 rows") ||
		!strings.Contains(report.String(), "line 5: external_id: the same event as line 2 (skipped)") {
		t.Errorf("report = %q", report.String())
	}
	if n := testapp.Count(t, app, "holds", "reason = 'bought' && client = {:c} && event != ''", dbx.Params{"c": testapp.C2}); n != 1 {
		t.Errorf("the purchase's holds: %d", n)
	}

	// again: every row with an external id is skipped; the one without is
	// a new event (nothing says it is the same)
	before := testapp.CollectionState(t, app, "events")
	again := strings.Replace(good, testapp.C1b+",,installation,2026-03-03,,,,\n", "", 1)
	report, err = csvio.ImportEvents(app, strings.NewReader(again))
	if err != nil {
		t.Fatalf("again: %v\n%s", err, report.String())
	}
	if report.Imported != 0 || len(report.Skipped) != 3 || !strings.Contains(report.String(), "line 2: external_id: already recorded as") {
		t.Errorf("report again = %q", report.String())
	}
	if testapp.CollectionState(t, app, "events") != before {
		t.Error("importing the same file again changed the events")
	}
}
