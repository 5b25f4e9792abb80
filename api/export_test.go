package api_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"touchbase/internal/testapp"
)

const exportURL = "/api/touchbase/export/touches.csv"

// exportT3 is the touch seedExport adds: C1c (Moscow) skipped
// OccStandard, with a comment that would run as a formula.
const exportT3 = "touch3000000003"

const exportHeader = "touch_id,created,period,status,channel,comment," +
	"occasion_id,occasion_title,occasion_kind,occasion_category," +
	"client_id,client_name,client_segment,client_stage,contact_name," +
	"point_name,author_name,author_email,template_variant,template_language,outcome,follow_up\n"

// seedExport adds exportT3 and fixes the creation times, far from any
// day boundary in any zone: T1 2024-01-10, T2 2024-02-20, T3 2024-03-05.
func seedExport(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
	touches, err := app.FindCollectionByNameOrId("touches")
	if err != nil {
		t.Fatal(err)
	}
	touch := core.NewRecord(touches)
	touch.Id = exportT3
	touch.Set("client", testapp.C1c)
	touch.Set("occasion", testapp.OccStandard)
	touch.Set("status", "skipped")
	touch.Set("channel", "phone")
	touch.Set("comment", "=1+2 «не сейчас»")
	touch.Set("author", testapp.PM1b)
	if err := app.RunInTransaction(func(txApp core.App) error { return txApp.Save(touch) }); err != nil {
		t.Fatal(err)
	}
	for id, created := range map[string]string{
		testapp.T1: "2024-01-10 09:00:00.000Z",
		testapp.T2: "2024-02-20 12:00:00.000Z",
		exportT3:   "2024-03-05 12:00:00.000Z",
	} {
		if _, err := app.DB().Update("touches", dbx.Params{"created": created}, dbx.HashExp{"id": id}).Execute(); err != nil {
			t.Fatal(err)
		}
	}
}

// The rows of the three touches, as the export writes them.
const (
	rowT1 = "touch1000000001,2024-01-10T09:00:00Z,,done,telegram,,occmand00000001,Maintenance reminder,mandatory,notice," +
		"client100000001,ООО Ромашка,A,regular,Ирина Петрова,Moscow,Olga Moscow,pm1@test.local,,,,\n"
	rowT2 = "touch2000000002,2024-02-20T12:00:00Z,,done,email,,occmand00000001,Maintenance reminder,mandatory,notice," +
		"client200000002,Acme Ltd,B,regular,John Smith,London,Liam London,pm2@test.local,,,,\n"
	rowT3 = "touch3000000003,2024-03-05T12:00:00Z,,skipped,phone,'=1+2 «не сейчас»,occstd000000001,Useful article,standard,content," +
		"client1c0000001,Test client,,,,Moscow,Pavel Moscow,pm1b@test.local,,,,\n"
	// rowT3 as PM1 gets it: REST shows a point manager a colleague's name
	// but not their e-mail (emailVisibility is off, and only service
	// managers manage point managers)
	rowT3ForPM1 = "touch3000000003,2024-03-05T12:00:00Z,,skipped,phone,'=1+2 «не сейчас»,occstd000000001,Useful article,standard,content," +
		"client1c0000001,Test client,,,,Moscow,Pavel Moscow,,,,,\n"
)

// expectFile checks the whole download: status, headers, byte-order mark,
// header row and exactly these rows in this order.
func expectFile(rows ...string) func(testing.TB, *tests.TestApp, *http.Response) {
	return func(t testing.TB, _ *tests.TestApp, res *http.Response) {
		t.Helper()
		if got := res.Header.Get("Content-Type"); got != "text/csv; charset=utf-8" {
			t.Errorf("Content-Type = %q", got)
		}
		if got := res.Header.Get("Content-Disposition"); !strings.HasPrefix(got, `attachment; filename="touches-20`) || !strings.HasSuffix(got, `.csv"`) ||
			len(got) != len(`attachment; filename="touches-2006-01-02.csv"`) {
			t.Errorf("Content-Disposition = %q", got)
		}
		body, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		want := "\uFEFF" + exportHeader + strings.Join(rows, "")
		if string(body) != want {
			t.Errorf("body:\n%s\nwant:\n%s", body, want)
		}
	}
}

func TestExportTouchesRoute(t *testing.T) {
	scenarios := []tests.ApiScenario{
		{
			Name:            "anonymous gets 401",
			Method:          http.MethodGet,
			URL:             exportURL,
			ExpectedStatus:  401,
			ExpectedContent: []string{`"status":401`},
		},
		{
			Name:            "point manager gets only their point",
			Method:          http.MethodGet,
			URL:             exportURL,
			Headers:         testapp.Auth(testapp.PM1),
			ExpectedStatus:  200,
			ExpectedContent: []string{"ООО Ромашка"},
			AfterTestFunc:   expectFile(rowT1, rowT3ForPM1),
		},
		{
			Name:               "point manager asking for another point gets 403 naming point",
			Method:             http.MethodGet,
			URL:                exportURL + "?point=" + testapp.P2,
			Headers:            testapp.Auth(testapp.PM1),
			ExpectedStatus:     403,
			ExpectedContent:    []string{`"point":{`},
			NotExpectedContent: []string{"Acme"},
		},
		{
			Name:            "point manager of the other point",
			Method:          http.MethodGet,
			URL:             exportURL,
			Headers:         testapp.Auth(testapp.PM2),
			ExpectedStatus:  200,
			ExpectedContent: []string{"Acme Ltd"},
			AfterTestFunc:   expectFile(rowT2),
		},
		{
			Name:            "service manager gets every point",
			Method:          http.MethodGet,
			URL:             exportURL,
			Headers:         testapp.Auth(testapp.SM),
			ExpectedStatus:  200,
			ExpectedContent: []string{"ООО Ромашка", "Acme Ltd"},
			AfterTestFunc:   expectFile(rowT1, rowT2, rowT3),
		},
		{
			Name:            "superuser gets every point",
			Method:          http.MethodGet,
			URL:             exportURL,
			Headers:         testapp.Auth(testapp.Superuser),
			ExpectedStatus:  200,
			ExpectedContent: []string{"ООО Ромашка", "Acme Ltd"},
			AfterTestFunc:   expectFile(rowT1, rowT2, rowT3),
		},
		{
			Name:            "service manager narrows to a point",
			Method:          http.MethodGet,
			URL:             exportURL + "?point=" + testapp.P2,
			Headers:         testapp.Auth(testapp.SM),
			ExpectedStatus:  200,
			ExpectedContent: []string{"Acme Ltd"},
			AfterTestFunc:   expectFile(rowT2),
		},
		{
			Name:            "occasion",
			Method:          http.MethodGet,
			URL:             exportURL + "?occasion=" + testapp.OccStandard,
			Headers:         testapp.Auth(testapp.SM),
			ExpectedStatus:  200,
			ExpectedContent: []string{"Useful article"},
			AfterTestFunc:   expectFile(rowT3),
		},
		{
			Name:            "an occasion the point manager cannot see is a 400 naming occasion",
			Method:          http.MethodGet,
			URL:             exportURL + "?occasion=" + testapp.OccP2Only,
			Headers:         testapp.Auth(testapp.PM1),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"occasion":{`},
		},
		{
			Name:            "status",
			Method:          http.MethodGet,
			URL:             exportURL + "?status=done",
			Headers:         testapp.Auth(testapp.SM),
			ExpectedStatus:  200,
			ExpectedContent: []string{"Acme Ltd"},
			AfterTestFunc:   expectFile(rowT1, rowT2),
		},
		{
			Name:            "bad status is a 400 naming status",
			Method:          http.MethodGet,
			URL:             exportURL + "?status=maybe",
			Headers:         testapp.Auth(testapp.SM),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"status":{`, `The \"status\" parameter must be done, skipped or withdrawn`},
		},
		{
			Name:            "from and to, inclusive days",
			Method:          http.MethodGet,
			URL:             exportURL + "?from=2024-02-20&to=2024-03-05",
			Headers:         testapp.Auth(testapp.SM),
			ExpectedStatus:  200,
			ExpectedContent: []string{"Acme Ltd"},
			AfterTestFunc:   expectFile(rowT2, rowT3),
		},
		{
			Name:            "to alone, in the point manager's zone",
			Method:          http.MethodGet,
			URL:             exportURL + "?to=2024-03-04",
			Headers:         testapp.Auth(testapp.PM1),
			ExpectedStatus:  200,
			ExpectedContent: []string{"ООО Ромашка"},
			AfterTestFunc:   expectFile(rowT1),
		},
		{
			Name:            "from as an RFC 3339 instant",
			Method:          http.MethodGet,
			URL:             exportURL + "?from=2024-02-20T12:00:00%2B00:00",
			Headers:         testapp.Auth(testapp.SM),
			ExpectedStatus:  200,
			ExpectedContent: []string{"Acme Ltd"},
			AfterTestFunc:   expectFile(rowT2, rowT3),
		},
		{
			Name:               "bad from is a 400 naming from, before any byte of CSV",
			Method:             http.MethodGet,
			URL:                exportURL + "?from=20.02.2024",
			Headers:            testapp.Auth(testapp.SM),
			ExpectedStatus:     400,
			ExpectedContent:    []string{`"from":{`, `The \"from\" parameter must be a date as YYYY-MM-DD`},
			NotExpectedContent: []string{"touch_id"},
		},
		{
			Name:            "bad to is a 400 naming to",
			Method:          http.MethodGet,
			URL:             exportURL + "?to=2024-02-30",
			Headers:         testapp.Auth(testapp.SM),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"to":{`},
		},
		{
			Name:            "to before from is a 400 naming to",
			Method:          http.MethodGet,
			URL:             exportURL + "?from=2024-03-01&to=2024-02-01",
			Headers:         testapp.Auth(testapp.SM),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"to":{`, "must not be before from"},
		},
		{
			Name:            "client filters of the worklist: segment",
			Method:          http.MethodGet,
			URL:             exportURL + "?segment=B",
			Headers:         testapp.Auth(testapp.SM),
			ExpectedStatus:  200,
			ExpectedContent: []string{"Acme Ltd"},
			AfterTestFunc:   expectFile(rowT2),
		},
		{
			Name:            "client filters of the worklist: Cyrillic search in any case",
			Method:          http.MethodGet,
			URL:             exportURL + "?q=%D0%A0%D0%9E%D0%9C%D0%90%D0%A8%D0%9A%D0%90", // РОМАШКА
			Headers:         testapp.Auth(testapp.SM),
			ExpectedStatus:  200,
			ExpectedContent: []string{"ООО Ромашка"},
			AfterTestFunc:   expectFile(rowT1),
		},
		{
			Name:            "bad client filter is a 400 naming it",
			Method:          http.MethodGet,
			URL:             exportURL + "?segment=Z",
			Headers:         testapp.Auth(testapp.SM),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"segment":{`},
		},
		{
			Name:            "nothing matches: the header row alone",
			Method:          http.MethodGet,
			URL:             exportURL + "?point=" + testapp.P3,
			Headers:         testapp.Auth(testapp.SM),
			ExpectedStatus:  200,
			ExpectedContent: []string{"touch_id"},
			AfterTestFunc:   expectFile(),
		},
	}

	for _, scenario := range scenarios {
		scenario.TestAppFactory = testapp.Factory
		scenario.BeforeTestFunc = seedExport
		scenario.Test(t)
	}
}
