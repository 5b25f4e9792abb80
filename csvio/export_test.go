package csvio_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"touchbase/csvio"
	"touchbase/internal/testapp"
)

const touchHeader = "touch_id,created,period,status,channel,comment," +
	"occasion_id,occasion_title,occasion_kind,occasion_category," +
	"client_id,client_name,client_segment,client_stage,contact_name," +
	"point_name,author_name,author_email,template_variant,template_language,outcome,follow_up\n"

// T3 is the touch exportApp adds: a skipped mark on C1c whose comment
// would run as a formula in a spreadsheet.
const T3 = "touch3000000003"

// exportApp is the fixture with a third touch and fixed creation times:
// T1 2024-01-10, T2 2024-02-20, T3 2024-03-05.
func exportApp(t *testing.T) *tests.TestApp {
	t.Helper()
	app := testapp.New(t)
	touches, err := app.FindCollectionByNameOrId("touches")
	if err != nil {
		t.Fatal(err)
	}
	touch := core.NewRecord(touches)
	touch.Id = T3
	touch.Set("client", testapp.C1c)
	touch.Set("occasion", testapp.OccStandard)
	touch.Set("status", "skipped")
	touch.Set("channel", "phone")
	touch.Set("comment", "=1+2, \"quoted\"\nnext line")
	touch.Set("author", testapp.PM1b)
	if err := app.RunInTransaction(func(txApp core.App) error { return txApp.Save(touch) }); err != nil {
		t.Fatal(err)
	}
	for id, created := range map[string]string{
		testapp.T1: "2024-01-10 09:00:00.000Z",
		testapp.T2: "2024-02-20 12:00:00.000Z",
		T3:         "2024-03-05 18:30:00.000Z",
	} {
		if _, err := app.DB().Update("touches", dbx.Params{"created": created}, dbx.HashExp{"id": id}).Execute(); err != nil {
			t.Fatal(err)
		}
	}
	return app
}

// TestExportTouchesCSV checks the whole file: header, row order, RFC 3339
// times, Cyrillic, quoting and formula escaping.
func TestExportTouchesCSV(t *testing.T) {
	app := exportApp(t)
	var out bytes.Buffer
	if err := csvio.ExportTouches(app, &out, csvio.TouchFilter{}); err != nil {
		t.Fatal(err)
	}
	want := touchHeader +
		"touch1000000001,2024-01-10T09:00:00Z,,done,telegram,,occmand00000001,Maintenance reminder,mandatory,notice," +
		"client100000001,ООО Ромашка,A,regular,Ирина Петрова,Moscow,Olga Moscow,pm1@test.local,,,,\n" +
		"touch2000000002,2024-02-20T12:00:00Z,,done,email,,occmand00000001,Maintenance reminder,mandatory,notice," +
		"client200000002,Acme Ltd,B,regular,John Smith,London,Liam London,pm2@test.local,,,,\n" +
		"touch3000000003,2024-03-05T18:30:00Z,,skipped,phone,\"'=1+2, \"\"quoted\"\"\nnext line\",occstd000000001,Useful article,standard,content," +
		"client1c0000001,Test client,,,,Moscow,Pavel Moscow,pm1b@test.local,,,,\n"
	if got := out.String(); got != want {
		t.Errorf("export:\n%s\nwant:\n%s", got, want)
	}
}

// TestExportTouchesCaller checks that with a caller each joined column
// holds what REST shows it of the joined record, whatever the scope: here
// a point manager exporting every point (the API would not let them) gets
// nothing of P2 or its manager, and a colleague's name without the e-mail.
// A superuser gets what the CLI gets.
func TestExportTouchesCaller(t *testing.T) {
	app := exportApp(t)
	caller := func(collection, id string) *core.RequestEvent {
		auth, err := app.FindRecordById(collection, id)
		if err != nil {
			t.Fatal(err)
		}
		e := &core.RequestEvent{App: app, Auth: auth}
		e.Request = httptest.NewRequest(http.MethodGet, "/api/touchbase/export/touches.csv", nil)
		e.Response = httptest.NewRecorder()
		return e
	}

	var out bytes.Buffer
	if err := csvio.ExportTouches(app, &out, csvio.TouchFilter{Caller: caller("users", testapp.PM1)}); err != nil {
		t.Fatal(err)
	}
	want := touchHeader +
		"touch1000000001,2024-01-10T09:00:00Z,,done,telegram,,occmand00000001,Maintenance reminder,mandatory,notice," +
		"client100000001,ООО Ромашка,A,regular,Ирина Петрова,Moscow,Olga Moscow,pm1@test.local,,,,\n" +
		"touch2000000002,2024-02-20T12:00:00Z,,done,email,,occmand00000001,Maintenance reminder,mandatory,notice," +
		"client200000002,Acme Ltd,B,regular,John Smith,,,,,,,\n" +
		"touch3000000003,2024-03-05T18:30:00Z,,skipped,phone,\"'=1+2, \"\"quoted\"\"\nnext line\",occstd000000001,Useful article,standard,content," +
		"client1c0000001,Test client,,,,Moscow,Pavel Moscow,,,,,\n"
	if got := out.String(); got != want {
		t.Errorf("export as PM1:\n%s\nwant:\n%s", got, want)
	}

	var admin, super bytes.Buffer
	if err := csvio.ExportTouches(app, &admin, csvio.TouchFilter{}); err != nil {
		t.Fatal(err)
	}
	if err := csvio.ExportTouches(app, &super, csvio.TouchFilter{Caller: caller(core.CollectionNameSuperusers, testapp.Superuser)}); err != nil {
		t.Fatal(err)
	}
	if super.String() != admin.String() {
		t.Errorf("export as a superuser:\n%s\nwant what the CLI gets:\n%s", super.String(), admin.String())
	}
}

// TestExportTouchesFilters checks each filter alone and the scope.
func TestExportTouchesFilters(t *testing.T) {
	app := exportApp(t)
	moscow, _ := time.LoadLocation("Europe/Moscow")
	day := func(s string, end bool) time.Time {
		d, ok := csvio.ParseDate(s, moscow, end)
		if !ok {
			t.Fatalf("ParseDate(%q)", s)
		}
		return d
	}

	cases := []struct {
		name   string
		filter csvio.TouchFilter
		want   []string
	}{
		{"everything", csvio.TouchFilter{}, []string{testapp.T1, testapp.T2, T3}},
		{"one point", csvio.TouchFilter{Points: []string{testapp.P1}}, []string{testapp.T1, T3}},
		{"no point at all", csvio.TouchFilter{Points: []string{}}, nil},
		{"occasion", csvio.TouchFilter{Occasion: testapp.OccStandard}, []string{T3}},
		{"status", csvio.TouchFilter{Status: "done"}, []string{testapp.T1, testapp.T2}},
		{"from a day", csvio.TouchFilter{From: day("2024-02-20", false)}, []string{testapp.T2, T3}},
		{"to a day, inclusive", csvio.TouchFilter{To: day("2024-02-20", true)}, []string{testapp.T1, testapp.T2}},
		{"to an instant, inclusive", csvio.TouchFilter{To: time.Date(2024, 2, 20, 12, 0, 0, 0, time.UTC)}, []string{testapp.T1, testapp.T2}},
		{"to just before", csvio.TouchFilter{To: time.Date(2024, 2, 20, 11, 59, 59, 0, time.UTC)}, []string{testapp.T1}},
		{"range", csvio.TouchFilter{From: day("2024-01-11", false), To: day("2024-03-05", true)}, []string{testapp.T2, T3}},
		{"client condition", csvio.TouchFilter{Clients: dbx.NewExp("c.segment = {:seg}", dbx.Params{"seg": "B"})}, []string{testapp.T2}},
		{"all together", csvio.TouchFilter{Points: []string{testapp.P1}, Occasion: testapp.OccMandatory, Status: "done",
			From: day("2024-01-10", false), To: day("2024-01-10", true)}, []string{testapp.T1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := csvio.ExportTouches(app, &out, tc.filter); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(out.String(), touchHeader) {
				t.Fatalf("no header:\n%s", out.String())
			}
			if got := firstColumn(t, out.String()); !slices.Equal(got, tc.want) {
				t.Errorf("touches = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestExportStreams checks that a long export reaches the writer in
// flushed pieces, not all at the end.
func TestExportStreams(t *testing.T) {
	app := testapp.New(t)
	err := app.RunInTransaction(func(txApp core.App) error {
		c, err := txApp.FindCollectionByNameOrId("clients")
		if err != nil {
			return err
		}
		for i := range 1000 {
			client := core.NewRecord(c)
			client.Set("name", fmt.Sprintf("Bulk client %04d", i))
			client.Set("point", testapp.P3)
			if err := txApp.Save(client); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	w := &flushRecorder{}
	if err := csvio.ExportClients(app, w, []string{testapp.P3}); err != nil {
		t.Fatal(err)
	}
	if len(w.flushedAt) < 5 {
		t.Fatalf("flushed %d times for 1000 rows, want a flush every few hundred rows", len(w.flushedAt))
	}
	if first := w.flushedAt[0]; first == 0 || first >= w.Len()/2 {
		t.Errorf("first flush after %d of %d bytes: not streamed", first, w.Len())
	}
	if rows := firstColumn(t, w.String()); len(rows) != 1000 {
		t.Errorf("rows = %d, want 1000", len(rows))
	}
}

// TestExportParseDate checks the date bounds of export filters.
func TestExportParseDate(t *testing.T) {
	moscow, _ := time.LoadLocation("Europe/Moscow")
	cases := []struct {
		in   string
		end  bool
		want string // UTC RFC 3339 with milliseconds; "" = refused
	}{
		{"2024-03-08", false, "2024-03-07T21:00:00.000Z"},
		{" 2024-03-08 ", true, "2024-03-08T20:59:59.999Z"},
		{"2024-03-08T10:00:00+03:00", true, "2024-03-08T07:00:00.000Z"},
		{"08.03.2024", false, ""},
		{"2024-02-30", false, ""},
		{"yesterday", false, ""},
		{"", false, ""},
	}
	for _, tc := range cases {
		d, ok := csvio.ParseDate(tc.in, moscow, tc.end)
		got := ""
		if ok {
			got = d.UTC().Format("2006-01-02T15:04:05.000Z")
		}
		if got != tc.want {
			t.Errorf("ParseDate(%q, end=%v) = %q, want %q", tc.in, tc.end, got, tc.want)
		}
	}
}

// TestExportWriteErrorStops checks that a writer that fails (a client that
// went away) stops the export with its error.
func TestExportWriteErrorStops(t *testing.T) {
	app := exportApp(t)
	err := csvio.ExportTouches(app, failingWriter{}, csvio.TouchFilter{})
	if !errors.Is(err, errGone) {
		t.Errorf("err = %v, want the writer's", err)
	}
}

// firstColumn parses a CSV export and returns its first column without the
// header.
func firstColumn(t *testing.T, text string) []string {
	t.Helper()
	records, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil {
		t.Fatalf("export is not valid CSV: %v", err)
	}
	var out []string
	for _, r := range records[1:] {
		out = append(out, r[0])
	}
	return out
}

// flushRecorder is a buffer that remembers how many bytes it held at each
// Flush, like an HTTP response that sends what it has.
type flushRecorder struct {
	bytes.Buffer
	flushedAt []int
}

func (f *flushRecorder) Flush() error {
	f.flushedAt = append(f.flushedAt, f.Len())
	return nil
}

var errGone = errors.New("client went away")

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errGone }

// TestExportTouchesEmptyClientCondition checks that an empty client
// condition (the API's filter without parameters) selects everything.
func TestExportTouchesEmptyClientCondition(t *testing.T) {
	app := exportApp(t)
	var out bytes.Buffer
	if err := csvio.ExportTouches(app, &out, csvio.TouchFilter{Clients: dbx.And()}); err != nil {
		t.Fatal(err)
	}
	if got := firstColumn(t, out.String()); !slices.Equal(got, []string{testapp.T1, testapp.T2, T3}) {
		t.Errorf("touches = %v", got)
	}
}
