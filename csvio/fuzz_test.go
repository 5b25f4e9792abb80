package csvio_test

import (
	"bytes"
	"errors"
	"testing"

	"touchbase/csvio"
	"touchbase/internal/testapp"
)

// FuzzImportClients feeds arbitrary bytes to the import: it never panics,
// and it either imports every row it reports or writes nothing at all.
func FuzzImportClients(f *testing.F) {
	for _, seed := range []string{
		"name,point\nA,Moscow\n",
		"\xef\xbb\xbfname;point;phone;tags\n\"ООО \"\"Ромашка\"\"\";moscow;'+7 495 123-45-67;vip; retail\n",
		"name;point;contact_birthday;since;segment;stage;channel\nB;London;08.03.1985;2020-01-15;a+;Regular;EMAIL\n",
		"name,point,manager,email,telegram\nC,Moscow,pm1@test.local,c@test.local,@c_client\n",
		"name,point\nM\xfcller,London\n",
		"name,point\n\xcf\xf0\xe8\xe2\xe5\xf2,Moscow\n",
		"name,point\nA,Moscow\nB\n",
		"name,point,tags\nA,Moscow,\"[\"\"a;b\"\"]\"\n",
		"name,point\n\"unterminated,Moscow\n",
		"",
	} {
		f.Add([]byte(seed))
	}

	app := testapp.New(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		before := testapp.Count(t, app, "clients", "")
		report, err := csvio.ImportClients(app, bytes.NewReader(data))
		after := testapp.Count(t, app, "clients", "")

		switch {
		case err == nil:
			if report.Imported != report.Rows || len(report.Problems) != 0 {
				t.Fatalf("success with %d of %d rows imported and problems %v", report.Imported, report.Rows, report.Problems)
			}
			if after != before+report.Imported {
				t.Fatalf("reported %d imported, the table grew by %d", report.Imported, after-before)
			}
		case errors.Is(err, csvio.ErrRejected):
			if report.Imported != 0 || len(report.Problems) == 0 {
				t.Fatalf("rejected with %d imported and no problems listed", report.Imported)
			}
			if after != before {
				t.Fatalf("rejected, yet the table grew by %d", after-before)
			}
		default:
			t.Fatalf("neither imported nor rejected: %v", err)
		}
	})
}
