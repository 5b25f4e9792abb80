package touches_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"touchbase/days"
	"touchbase/domain"
	. "touchbase/internal/testapp"
	"touchbase/touches"
)

// TOut is the touch the outcome scenarios mark first: C1 (Moscow, ru) ×
// OccStandard, done by PM1.
const TOut = "touchout0000001"

// markOut marks TOut with status by PM1, the way the API does.
func markOut(status string) func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
	return func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
		t.Helper()
		collection, err := app.FindCollectionByNameOrId("touches")
		if err != nil {
			t.Fatal(err)
		}
		touch := core.NewRecord(collection)
		touch.Id = TOut
		touch.Load(map[string]any{"client": C1, "occasion": OccStandard, "status": status, "author": PM1})
		if err := app.RunInTransaction(func(tx core.App) error { return tx.Save(touch) }); err != nil {
			t.Fatal(err)
		}
	}
}

// change changes a touch from Go code, as actor, the way the API does.
func change(t testing.TB, app core.App, id, actor string, fields map[string]any) {
	t.Helper()
	touch, err := app.FindRecordById("touches", id)
	if err != nil {
		t.Fatal(err)
	}
	var user *core.Record
	if actor != "" {
		if user, err = app.FindRecordById("users", actor); err != nil {
			t.Fatal(err)
		}
	}
	for k, v := range fields {
		touch.Set(k, v)
	}
	if err := touches.Update(app, touch, user); err != nil {
		t.Fatalf("changing %s: %v", id, err)
	}
}

// backdate moves a touch's created moment by ago into the past.
func backdate(id string, ago time.Duration) func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
	return func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
		t.Helper()
		if _, err := app.DB().Update("touches", dbx.Params{"created": domain.DBTime(time.Now().Add(-ago))}, dbx.HashExp{"id": id}).Execute(); err != nil {
			t.Fatal(err)
		}
	}
}

func both(fns ...func(t testing.TB, app *tests.TestApp, e *core.ServeEvent)) func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
	return func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
		for _, fn := range fns {
			fn(t, app, e)
		}
	}
}

func wantStatus(id, status string) func(t testing.TB, app *tests.TestApp, res *http.Response) {
	return func(t testing.TB, app *tests.TestApp, res *http.Response) {
		t.Helper()
		touch, err := app.FindRecordById("touches", id)
		if err != nil {
			t.Fatal(err)
		}
		if got := touch.GetString("status"); got != status {
			t.Errorf("%s is %s, want %s", id, got, status)
		}
	}
}

// hasComment fails unless touch id has a comment with text by author.
func hasComment(t testing.TB, app core.App, id, text, author string) {
	t.Helper()
	var texts []string
	for _, c := range touchComments(t, app, id) {
		if c.GetString("text") == text && c.GetString("author") == author && c.GetString("kind") == "touch" {
			return
		}
		texts = append(texts, c.GetString("text"))
	}
	t.Errorf("no comment %q by %s on %s; it has %q", text, author, id, texts)
}

func TestWithdraw(t *testing.T) {
	scenarios := []tests.ApiScenario{
		{
			Name:   "the author withdraws within 24 hours; the card says who",
			Method: http.MethodPatch, URL: touchesURL + "/" + T1, Headers: Auth(PM1), TestAppFactory: Factory,
			Body:            body(kv("status", "withdrawn")),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"withdrawn"`},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				hasComment(t, app, T1, "Отметка «Maintenance reminder»: «выполнено» → «отозвано» — Olga Moscow.", PM1)
			},
		},
		{
			Name:   "another manager of the point cannot withdraw the mark: 403 naming status",
			Method: http.MethodPatch, URL: touchesURL + "/" + T1, Headers: Auth(PM1b), TestAppFactory: Factory,
			Body:            body(kv("status", "withdrawn")),
			ExpectedStatus:  403,
			ExpectedContent: []string{`"status":{"code":"validation_scope"`, "Only the author of a mark can withdraw it"},
			AfterTestFunc:   wantStatus(T1, "done"),
		},
		{
			Name:   "a manager of another point does not see the mark",
			Method: http.MethodPatch, URL: touchesURL + "/" + T1, Headers: Auth(PM2), TestAppFactory: Factory,
			Body:           body(kv("status", "withdrawn")),
			ExpectedStatus: 404, ExpectedContent: []string{`"status":404`},
			AfterTestFunc: wantStatus(T1, "done"),
		},
		{
			Name:   "the author after 24 hours: refused naming status, in the request's language",
			Method: http.MethodPatch, URL: touchesURL + "/" + T1, TestAppFactory: Factory,
			Headers:         map[string]string{"Authorization": Auth(PM1)["Authorization"], "Accept-Language": "ru"},
			Body:            body(kv("status", "withdrawn")),
			BeforeTestFunc:  backdate(T1, 25*time.Hour),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"status":{"code":"validation_withdraw_too_late"`, "больше 24 часов назад"},
			AfterTestFunc:   wantStatus(T1, "done"),
		},
		{
			Name:   "a service manager withdraws at any time",
			Method: http.MethodPatch, URL: touchesURL + "/" + T1, Headers: Auth(SM), TestAppFactory: Factory,
			Body:           body(kv("status", "withdrawn")),
			BeforeTestFunc: backdate(T1, 30*24*time.Hour),
			ExpectedStatus: 200, ExpectedContent: []string{`"id":"`},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				wantStatus(T1, "withdrawn")(t, app, res)
				hasComment(t, app, T1, "Отметка «Maintenance reminder»: «выполнено» → «отозвано» — Sergey Service.", SM)
			},
		},
		{
			Name:   "a withdrawn mark cannot be turned back to done",
			Method: http.MethodPatch, URL: touchesURL + "/" + T1, Headers: Auth(SM), TestAppFactory: Factory,
			Body: body(kv("status", "done")),
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				change(t, app, T1, PM1, map[string]any{"status": "withdrawn"})
			},
			ExpectedStatus:  400,
			ExpectedContent: []string{`"status":{"code":"validation_withdrawn_final"`},
			AfterTestFunc:   wantStatus(T1, "withdrawn"),
		},
		{
			Name:   "a new mark cannot be created withdrawn",
			Method: http.MethodPost, URL: touchesURL, Headers: Auth(PM1), TestAppFactory: Factory,
			Body:            body(kv("client", C1), kv("occasion", OccStandard), kv("status", "withdrawn")),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"status":{"code":"validation_new_withdrawn"`},
			AfterTestFunc:   expectNoTouch(C1, OccStandard),
		},
		{
			Name:   "after a withdraw the client can be marked again, by a colleague",
			Method: http.MethodPost, URL: touchesURL, Headers: Auth(PM1b), TestAppFactory: Factory,
			Body: body(kv("client", C1), kv("occasion", OccMandatory), kv("status", "done")),
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				change(t, app, T1, PM1, map[string]any{"status": "withdrawn"})
			},
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"done"`, `"author":"` + PM1b + `"`},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				if n := Count(t, app, "touches", "client = {:c} && occasion = {:o}", dbx.Params{"c": C1, "o": OccMandatory}); n != 2 {
					t.Errorf("want the withdrawn mark and the new one, got %d touches", n)
				}
				wantStatus(T1, "withdrawn")(t, app, res)
			},
		},
		{
			Name:   "…and a second re-mark is a duplicate again",
			Method: http.MethodPost, URL: touchesURL, Headers: Auth(PM1b), TestAppFactory: Factory,
			Body: body(kv("client", C1), kv("occasion", OccMandatory), kv("status", "skipped")),
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				change(t, app, T1, PM1, map[string]any{"status": "withdrawn"})
				if _, err := MarkTouch(app, C1, OccMandatory, "done", PM1); err != nil {
					t.Fatal(err)
				}
			},
			ExpectedStatus:  400,
			ExpectedContent: []string{`"client":{"code":"validation_already_touched"`},
		},
	}
	for _, s := range scenarios {
		s.Test(t)
	}
}

// TestConcurrentRemarksAfterWithdraw: 40 marks of a client whose mark was
// just withdrawn, at once: one wins, 39 get a clear 400.
func TestConcurrentRemarksAfterWithdraw(t *testing.T) {
	app := New(t)
	change(t, app, T1, PM1, map[string]any{"status": "withdrawn"})
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
				`{"client":"`+C1+`","occasion":"`+OccMandatory+`","status":"done"}`)
		}()
	}
	close(start)
	wg.Wait()

	wins := 0
	for _, r := range results {
		switch {
		case r.Status == 200:
			wins++
		case r.Status != 400 || !strings.Contains(r.Body, "validation_already_touched"):
			t.Errorf("a loser got %d %s", r.Status, r.Body)
		}
	}
	if wins != 1 {
		t.Errorf("want exactly one winner, got %d", wins)
	}
	if n := Count(t, app, "touches", "client = {:c} && occasion = {:o} && status = 'done'", dbx.Params{"c": C1, "o": OccMandatory}); n != 1 {
		t.Errorf("want one done touch, got %d", n)
	}
}

// outcomeHolds returns the holds linked to touch id.
func outcomeHolds(t testing.TB, app core.App, id string) []*core.Record {
	t.Helper()
	holds, err := app.FindAllRecords("holds", dbx.HashExp{"touch": id})
	if err != nil {
		t.Fatal(err)
	}
	return holds
}

// wantHold checks the one hold of TOut (reason "" = none) and whether C1
// is held for OccStandard now.
func wantHold(reason, until string) func(t testing.TB, app *tests.TestApp, res *http.Response) {
	return func(t testing.TB, app *tests.TestApp, res *http.Response) {
		t.Helper()
		holds := outcomeHolds(t, app, TOut)
		active, err := domain.ActiveHold(app, C1, OccStandard, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if reason == "" {
			if len(holds) != 0 || active != nil {
				t.Errorf("want no hold, got %d linked, active %v", len(holds), active)
			}
			return
		}
		if len(holds) != 1 {
			t.Fatalf("want one hold of %s, got %d", TOut, len(holds))
		}
		h := holds[0]
		got := h.GetString("until")
		if got != "" {
			got = h.GetDateTime("until").Time().Format(time.DateOnly)
		}
		if h.GetString("reason") != reason || h.GetString("occasion") != OccStandard || h.GetString("client") != C1 || got != until {
			t.Errorf("hold = %v, want reason %s until %q for %s", h.FieldsData(), reason, until, OccStandard)
		}
		if active == nil || active.Id != h.Id {
			t.Errorf("C1 should be held for %s by %s, active: %v", OccStandard, h.Id, active)
		}
	}
}

// moscowDay is the day offset days from today in Moscow.
func moscowDay(offset int) string {
	loc, _ := time.LoadLocation("Europe/Moscow")
	return days.Of(time.Now(), loc).AddDate(0, 0, offset).Format(time.DateOnly)
}

func TestOutcomes(t *testing.T) {
	url := touchesURL + "/" + TOut
	year := func() string {
		loc, _ := time.LoadLocation("Europe/Moscow")
		return days.Of(time.Now(), loc).AddDate(1, 0, 0).Format(time.DateOnly)
	}()
	scenarios := []tests.ApiScenario{
		{
			Name:   "declined → a hold for the occasion without expiry, and a card comment",
			Method: http.MethodPatch, URL: url, Headers: Auth(PM1), TestAppFactory: Factory,
			Body: body(kv("outcome", "declined")), BeforeTestFunc: markOut("done"),
			ExpectedStatus: 200, ExpectedContent: []string{`"outcome":"declined"`},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				wantHold("declined", "")(t, app, res)
				hasComment(t, app, TOut, "Итог «Useful article»: отказ — Olga Moscow. Повод для клиента приостановлен, до снятия.", PM1)
			},
		},
		{
			Name:   "bought → a hold for a year",
			Method: http.MethodPatch, URL: url, Headers: Auth(PM1), TestAppFactory: Factory,
			Body: body(kv("outcome", "bought")), BeforeTestFunc: markOut("done"),
			ExpectedStatus: 200, ExpectedContent: []string{`"id":"`},
			AfterTestFunc: wantHold("bought", year),
		},
		{
			Name:   "not now without a day → follow-up in 30 days, held until the day before",
			Method: http.MethodPatch, URL: url, Headers: Auth(PM1), TestAppFactory: Factory,
			Body: body(kv("outcome", "not_now")), BeforeTestFunc: markOut("done"),
			ExpectedStatus: 200, ExpectedContent: []string{`"follow_up":"` + moscowDay(30) + ` 12:00:00.000Z"`},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				wantHold("requested", moscowDay(29))(t, app, res)
				hasComment(t, app, TOut, "Итог «Useful article»: не сейчас, вернуться "+moscowDay(30)+" — Olga Moscow. Повод для клиента приостановлен, до "+moscowDay(29)+".", PM1)
			},
		},
		{
			Name:   "not now with a day (sent as the dashboard's local midnight) → held until the day before it",
			Method: http.MethodPatch, URL: url, Headers: Auth(PM1b), TestAppFactory: Factory,
			Body: body(kv("outcome", "not_now"), kv("follow_up", "2099-03-09 21:00:00.000Z")), BeforeTestFunc: markOut("done"),
			ExpectedStatus: 200, ExpectedContent: []string{`"follow_up":"2099-03-10 12:00:00.000Z"`},
			AfterTestFunc: wantHold("requested", "2099-03-09"),
		},
		{
			Name:   "replied, no reply, referral → no hold",
			Method: http.MethodPatch, URL: url, Headers: Auth(SM), TestAppFactory: Factory,
			Body: body(kv("outcome", "replied")), BeforeTestFunc: markOut("done"),
			ExpectedStatus: 200, ExpectedContent: []string{`"id":"`},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				wantHold("", "")(t, app, res)
				hasComment(t, app, TOut, "Итог «Useful article»: ответили — Sergey Service.", SM)
				for _, o := range []string{"no_reply", "referral"} {
					change(t, app, TOut, PM1, map[string]any{"outcome": o})
					wantHold("", "")(t, app, res)
				}
			},
		},
		{
			Name:   "changing declined to replied lifts the hold",
			Method: http.MethodPatch, URL: url, Headers: Auth(PM1), TestAppFactory: Factory,
			Body: body(kv("outcome", "replied")),
			BeforeTestFunc: both(markOut("done"), func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				change(t, app, TOut, PM1, map[string]any{"outcome": "declined"})
			}),
			ExpectedStatus: 200, ExpectedContent: []string{`"id":"`},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				wantHold("", "")(t, app, res)
				hasComment(t, app, TOut, "Итог «Useful article»: ответили — Olga Moscow. Пауза по итогу снята.", PM1)
			},
		},
		{
			Name:   "changing declined to bought replaces the hold",
			Method: http.MethodPatch, URL: url, Headers: Auth(PM1), TestAppFactory: Factory,
			Body: body(kv("outcome", "bought")),
			BeforeTestFunc: both(markOut("done"), func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				change(t, app, TOut, PM1, map[string]any{"outcome": "declined"})
			}),
			ExpectedStatus: 200, ExpectedContent: []string{`"id":"`},
			AfterTestFunc: wantHold("bought", year),
		},
		{
			Name:   "clearing the outcome lifts the hold and clears the follow-up day",
			Method: http.MethodPatch, URL: url, Headers: Auth(PM1), TestAppFactory: Factory,
			Body: body(kv("outcome", "")),
			BeforeTestFunc: both(markOut("done"), func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				change(t, app, TOut, PM1, map[string]any{"outcome": "not_now"})
			}),
			ExpectedStatus: 200, ExpectedContent: []string{`"outcome":""`, `"follow_up":""`},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				wantHold("", "")(t, app, res)
				hasComment(t, app, TOut, "Итог «Useful article» снят (был: не сейчас) — Olga Moscow. Пауза по итогу снята.", PM1)
			},
		},
		{
			Name:   "moving the follow-up day moves the hold",
			Method: http.MethodPatch, URL: url, Headers: Auth(PM1), TestAppFactory: Factory,
			Body: body(kv("follow_up", "2099-01-20")),
			BeforeTestFunc: both(markOut("done"), func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				change(t, app, TOut, PM1, map[string]any{"outcome": "not_now"})
			}),
			ExpectedStatus: 200, ExpectedContent: []string{`"id":"`},
			AfterTestFunc: wantHold("requested", "2099-01-19"),
		},
		{
			Name:   "withdrawing the touch lifts its outcome's hold",
			Method: http.MethodPatch, URL: url, Headers: Auth(PM1), TestAppFactory: Factory,
			Body: body(kv("status", "withdrawn")),
			BeforeTestFunc: both(markOut("done"), func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				change(t, app, TOut, PM1, map[string]any{"outcome": "declined"})
			}),
			ExpectedStatus: 200, ExpectedContent: []string{`"id":"`},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				wantHold("", "")(t, app, res)
				hasComment(t, app, TOut, "Пауза «Useful article» по итогу снята — Olga Moscow.", PM1)
			},
		},
		{
			Name:   "a manager of another point cannot set an outcome",
			Method: http.MethodPatch, URL: url, Headers: Auth(PM2), TestAppFactory: Factory,
			Body: body(kv("outcome", "declined")), BeforeTestFunc: markOut("done"),
			ExpectedStatus: 404, ExpectedContent: []string{`"status":404`},
			AfterTestFunc: wantHold("", ""),
		},
		{
			Name:   "an outcome on a skipped mark is refused naming outcome",
			Method: http.MethodPatch, URL: url, Headers: Auth(PM1), TestAppFactory: Factory,
			Body: body(kv("outcome", "declined")), BeforeTestFunc: markOut("skipped"),
			ExpectedStatus: 400, ExpectedContent: []string{`"outcome":{"code":"validation_outcome_not_done"`},
			AfterTestFunc: wantHold("", ""),
		},
		{
			Name:   "an unknown outcome is refused naming outcome",
			Method: http.MethodPatch, URL: url, Headers: Auth(PM1), TestAppFactory: Factory,
			Body: body(kv("outcome", "maybe")), BeforeTestFunc: markOut("done"),
			ExpectedStatus: 400, ExpectedContent: []string{`"outcome":{"code":"validation_invalid_value"`},
		},
		{
			Name:   "a follow-up day that is no date is refused naming follow_up",
			Method: http.MethodPatch, URL: url, Headers: Auth(PM1), TestAppFactory: Factory,
			Body: body(kv("outcome", "not_now"), kv("follow_up", "next week")), BeforeTestFunc: markOut("done"),
			ExpectedStatus: 400, ExpectedContent: []string{`"follow_up":{"code":`},
			AfterTestFunc: wantHold("", ""),
		},
		{
			Name:   "an outcome sent as a list is refused naming outcome",
			Method: http.MethodPatch, URL: url, Headers: Auth(PM1), TestAppFactory: Factory,
			Body: strings.NewReader(`{"outcome":["declined","bought"]}`), BeforeTestFunc: markOut("done"),
			ExpectedStatus: 400, ExpectedContent: []string{`"outcome":{"code":`},
			AfterTestFunc: wantHold("", ""),
		},
		{
			Name:   "a follow-up day in the past is refused naming follow_up",
			Method: http.MethodPatch, URL: url, Headers: Auth(PM1), TestAppFactory: Factory,
			Body: body(kv("outcome", "not_now"), kv("follow_up", "2020-01-01")), BeforeTestFunc: markOut("done"),
			ExpectedStatus: 400, ExpectedContent: []string{`"follow_up":{"code":"validation_follow_up_past"`},
			AfterTestFunc: wantHold("", ""),
		},
		{
			Name:   "a London client's outcome comment is in English",
			Method: http.MethodPatch, URL: touchesURL + "/" + T2, Headers: Auth(PM2), TestAppFactory: Factory,
			Body:           body(kv("outcome", "declined")),
			ExpectedStatus: 200, ExpectedContent: []string{`"id":"`},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				hasComment(t, app, T2, "Outcome of «Maintenance reminder»: declined by Liam London. The occasion is paused for this client, until lifted.", PM2)
				if holds := outcomeHolds(t, app, T2); len(holds) != 1 || holds[0].GetString("occasion") != OccMandatory {
					t.Errorf("want one hold of T2 for %s, got %d", OccMandatory, len(holds))
				}
			},
		},
		{
			Name:   "a mark created with an outcome gets its hold at once",
			Method: http.MethodPost, URL: touchesURL, Headers: Auth(PM1), TestAppFactory: Factory,
			Body:           body(kv("client", C1), kv("occasion", OccStandard), kv("status", "done"), kv("outcome", "declined")),
			ExpectedStatus: 200, ExpectedContent: []string{`"id":"`},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				touch := onlyTouch(t, app, C1, OccStandard)
				if holds := outcomeHolds(t, app, touch.Id); len(holds) != 1 || holds[0].GetString("reason") != "declined" {
					t.Errorf("want one declined hold, got %d", len(holds))
				}
				if n := len(touchComments(t, app, touch.Id)); n != 2 {
					t.Errorf("want the mark's and the outcome's comments, got %d", n)
				}
			},
		},
		{
			Name:   "a hold's touch is the server's: a service manager cannot set it",
			Method: http.MethodPost, URL: "/api/collections/holds/records", Headers: Auth(SM), TestAppFactory: Factory,
			Body:           body(kv("client", C1), kv("reason", "declined"), kv("touch", T1)),
			ExpectedStatus: 400, ExpectedContent: []string{`"touch":{"code":"validation_unchangeable"`},
		},
	}
	for _, s := range scenarios {
		s.Test(t)
	}
}
