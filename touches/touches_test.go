package touches_test

import (
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	. "touchbase/internal/testapp"
)

const touchesURL = "/api/collections/touches/records"

func body(fields ...string) *strings.Reader {
	return strings.NewReader("{" + strings.Join(fields, ",") + "}")
}

func kv(k, v string) string { return `"` + k + `":"` + v + `"` }

// touchComments returns the comments linked to touch id.
func touchComments(t testing.TB, app core.App, touchId string) []*core.Record {
	t.Helper()
	comments, err := app.FindAllRecords("comments", dbx.HashExp{"touch": touchId})
	if err != nil {
		t.Fatal(err)
	}
	return comments
}

// onlyTouch returns the single touch of client × occasion, failing
// otherwise.
func onlyTouch(t testing.TB, app core.App, client, occasion string) *core.Record {
	t.Helper()
	touches, err := app.FindAllRecords("touches", dbx.HashExp{"client": client, "occasion": occasion})
	if err != nil {
		t.Fatal(err)
	}
	if len(touches) != 1 {
		t.Fatalf("want exactly 1 touch of %s × %s, got %d", client, occasion, len(touches))
	}
	return touches[0]
}

func TestTouchWritesOneComment(t *testing.T) {
	scenarios := []tests.ApiScenario{
		{
			Name:   "done touch → one linked touch comment by the author",
			Method: http.MethodPost, URL: touchesURL, Headers: Auth(PM1), TestAppFactory: Factory,
			Body:            body(kv("client", C1), kv("occasion", OccStandard), kv("status", "done"), kv("channel", "telegram"), kv("comment", "Sent the article about logistics")),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"author":"` + PM1 + `"`, `"period":""`, `"status":"done"`},
			ExpectedEvents:  map[string]int{"OnRecordCreateRequest": 1, "OnRecordCreate": 2, "OnRecordAfterCreateSuccess": 2},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				touch := onlyTouch(t, app, C1, OccStandard)
				comments := touchComments(t, app, touch.Id)
				if len(comments) != 1 {
					t.Fatalf("want 1 comment, got %d", len(comments))
				}
				c := comments[0]
				want := "Касание «Useful article» (Ирина Петрова) в Telegram — Olga Moscow. Sent the article about logistics" // a Moscow (ru) client
				if c.GetString("kind") != "touch" || c.GetString("client") != C1 || c.GetString("author") != PM1 || c.GetString("text") != want {
					t.Errorf("comment = %v", c.FieldsData())
				}
			},
		},
		{
			Name:   "skipped touch → comment says skipped and why",
			Method: http.MethodPost, URL: touchesURL, Headers: Auth(PM1), TestAppFactory: Factory,
			Body:            body(kv("client", C1), kv("occasion", OccStandard), kv("status", "skipped"), kv("comment", "Already sent by mail last week")),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"skipped"`},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				touch := onlyTouch(t, app, C1, OccStandard)
				comments := touchComments(t, app, touch.Id)
				want := "Пропущено «Useful article» (Ирина Петрова) — Olga Moscow. Причина: Already sent by mail last week"
				if len(comments) != 1 || comments[0].GetString("text") != want {
					t.Errorf("want one comment %q, got %d", want, len(comments))
				}
			},
		},
		{
			Name:   "author is forced: another user's id is refused, naming author",
			Method: http.MethodPost, URL: touchesURL, Headers: Auth(PM1), TestAppFactory: Factory,
			Body:            body(kv("client", C1), kv("occasion", OccStandard), kv("status", "done"), kv("author", PM1b)),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"author":{"code":"validation_server_set"`},
			AfterTestFunc:   expectNoTouch(C1, OccStandard),
		},
		{
			Name:   "period is server-set: a forged period is refused, naming period",
			Method: http.MethodPost, URL: touchesURL, Headers: Auth(PM1), TestAppFactory: Factory,
			Body:            body(kv("client", C1), kv("occasion", OccStandard), kv("status", "done"), kv("period", "2019")),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"period":{"code":"validation_unchangeable"`},
			AfterTestFunc:   expectNoTouch(C1, OccStandard),
		},
		{
			Name:   "rollback: when the comment cannot be written, no touch remains",
			Method: http.MethodPost, URL: touchesURL, Headers: Auth(PM1), TestAppFactory: Factory,
			Body: body(kv("client", C1), kv("occasion", OccStandard), kv("status", "done")),
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				app.OnRecordCreate("comments").BindFunc(func(e *core.RecordEvent) error {
					return errors.New("disk full")
				})
			},
			ExpectedStatus:  400,
			ExpectedContent: []string{`"status":400`},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				expectNoTouch(C1, OccStandard)(t, app, res)
				if n := Count(t, app, "comments", "client = {:c}", dbx.Params{"c": C1}); n != 2 {
					t.Errorf("C1 should keep only its 2 fixture comments, has %d", n)
				}
			},
		},
		{
			Name:   "status change writes a comment naming who changed it",
			Method: http.MethodPatch, URL: touchesURL + "/" + T1, Headers: Auth(PM1b), TestAppFactory: Factory,
			Body:            body(kv("status", "skipped"), kv("comment", "Client asked to postpone")),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"skipped"`, `"author":"` + PM1 + `"`},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				comments := touchComments(t, app, T1)
				if len(comments) != 2 {
					t.Fatalf("want the creation and the change comment, got %d", len(comments))
				}
				want := "Отметка «Maintenance reminder»: «выполнено» → «пропущено» — Pavel Moscow. Client asked to postpone"
				found := false
				for _, c := range comments {
					found = found || (c.GetString("text") == want && c.GetString("author") == PM1b && c.GetString("kind") == "touch")
				}
				if !found {
					t.Errorf("no status-change comment %q", want)
				}
			},
		},
		{
			Name:   "a touch's author cannot be rewritten",
			Method: http.MethodPatch, URL: touchesURL + "/" + T1, Headers: Auth(PM1b), TestAppFactory: Factory,
			Body:            body(kv("author", PM1b)),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"author":{"code":"validation_unchangeable"`},
		},
		{
			Name:   "a touch cannot be moved to another client",
			Method: http.MethodPatch, URL: touchesURL + "/" + T1, Headers: Auth(SM), TestAppFactory: Factory,
			Body:            body(kv("client", C1b)),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"client":{"code":"validation_unchangeable"`},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				onlyTouch(t, app, C1, OccMandatory)
			},
		},
	}
	for _, s := range scenarios {
		s.Test(t)
	}
}

func expectNoTouch(client, occasion string) func(t testing.TB, app *tests.TestApp, res *http.Response) {
	return func(t testing.TB, app *tests.TestApp, res *http.Response) {
		if n := Count(t, app, "touches", "client = {:c} && occasion = {:o}", dbx.Params{"c": client, "o": occasion}); n != 0 {
			t.Errorf("want no touch of %s × %s, got %d", client, occasion, n)
		}
	}
}

func TestDuplicateMarkIsRefused(t *testing.T) {
	scenario := tests.ApiScenario{
		Name:   "second mark for the same occurrence → 400 naming who and when",
		Method: http.MethodPost, URL: touchesURL, Headers: Auth(PM1b), TestAppFactory: Factory,
		Body:           body(kv("client", C1), kv("occasion", OccMandatory), kv("status", "done")),
		ExpectedStatus: 400,
		ExpectedContent: []string{
			`"message":"ООО Ромашка was already touched for «Maintenance reminder» by Olga Moscow at `,
			`"client":{"code":"validation_already_touched"`,
		},
		AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
			onlyTouch(t, app, C1, OccMandatory)
			if n := len(touchComments(t, app, T1)); n != 1 {
				t.Errorf("T1 should keep exactly its own comment, has %d", n)
			}
		},
	}
	scenario.Test(t)
}

// TestConcurrentMarks fires 40 marks of the same client and occasion from
// two users at once: exactly one wins, the 39 others get a 400 that says
// the client was already touched, and there is one touch and one comment.
func TestConcurrentMarks(t *testing.T) {
	app := New(t)
	server := Serve(t, app)

	const marks = 40
	results := make([]Response, marks)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range marks {
		user := PM1
		if i%2 == 1 {
			user = PM1b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			results[i] = Request(t, server, http.MethodPost, touchesURL, user,
				`{"client":"`+C1+`","occasion":"`+OccStandard+`","status":"done","channel":"phone"}`)
		}()
	}
	close(start)
	wg.Wait()

	won, refused := 0, 0
	for _, r := range results {
		switch {
		case r.Status == 200:
			won++
		case r.Status == 400 && strings.Contains(r.Body, "was already touched for «Useful article» by "):
			refused++
		default:
			t.Errorf("unexpected answer %d: %s", r.Status, r.Body)
		}
	}
	if won != 1 || refused != marks-1 {
		t.Fatalf("want 1 success and %d clear refusals, got %d and %d", marks-1, won, refused)
	}
	touch := onlyTouch(t, app, C1, OccStandard)
	if n := len(touchComments(t, app, touch.Id)); n != 1 {
		t.Fatalf("want exactly one comment for the winning touch, got %d", n)
	}
}

// TestTouchNeedsTransaction: a Go caller that saves a touch outside a
// transaction gets an error instead of a touch without its comment.
func TestTouchNeedsTransaction(t *testing.T) {
	app := New(t)
	collection, err := app.FindCollectionByNameOrId("touches")
	if err != nil {
		t.Fatal(err)
	}
	touch := core.NewRecord(collection)
	touch.Load(map[string]any{"client": C1, "occasion": OccStandard, "status": "done"})
	if err := app.Save(touch); err == nil || !strings.Contains(err.Error(), "inside a transaction") {
		t.Fatalf("want a transaction error, got %v", err)
	}
	expectNoTouch(C1, OccStandard)(t, app, nil)
}
