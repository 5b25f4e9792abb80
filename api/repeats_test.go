package api_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/types"

	. "touchbase/internal/testapp"
	"touchbase/occurrence"
)

// post runs one JSON POST against app's router as user.
func post(t testing.TB, app *tests.TestApp, user, target, body string) (int, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range Auth(user) {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	router(t, app).ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

// markRepeatAt saves a done touch as if it were made at the instant at (the
// touches hook takes the mark's moment from created), in a transaction
// like the API.
func markRepeatAt(app core.App, client, occasion, author string, at time.Time) (*core.Record, error) {
	c, err := app.FindCollectionByNameOrId("touches")
	if err != nil {
		return nil, err
	}
	touch := core.NewRecord(c)
	touch.Set("client", client)
	touch.Set("occasion", occasion)
	touch.Set("status", "done")
	touch.Set("author", author)
	created, err := types.ParseDateTime(at.UTC())
	if err != nil {
		return nil, err
	}
	touch.SetRaw("created", created) // an autodate field keeps a value set raw
	return touch, app.RunInTransaction(func(tx core.App) error { return tx.Save(touch) })
}

// localNoon is 12:00 on the calendar date day at the zone tz.
func localNoon(t testing.TB, day time.Time, tz string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation(tz)
	if err != nil {
		t.Fatal(err)
	}
	return time.Date(day.Year(), day.Month(), day.Day(), 12, 0, 0, 0, loc)
}

// TestWeeklyWorklistAndMarksAgree: a weekly occasion's worklist row and a
// mark made for it through the API name the same period (this ISO week at
// the client's point); a second mark in the same week is refused with the
// duplicate message, one in the next week is accepted under the next
// week's period, and the week turns at each point's own midnight.
func TestWeeklyWorklistAndMarksAgree(t *testing.T) {
	app := New(t)
	weekly := create(t, app, "occasions", map[string]any{"title": "Weekly tip", "kind": "standard", "category": "advice",
		"repeat": "weekly", "template": "Hello {{contact}}"})
	now := time.Now()
	moscow := occurrence.Today(now, "Europe/Moscow")
	thisWeek := occurrence.For(occurrence.Occasion{Repeat: "weekly"}, occurrence.Client{}, moscow)
	if !strings.Contains(thisWeek.Period, "-W") {
		t.Fatalf("weekly period %q", thisWeek.Period)
	}

	status, body := get(t, app, PM1, worklistURL(weekly, "state=all"))
	if status != 200 {
		t.Fatalf("worklist: %d %s", status, body)
	}
	row := decode[worklistPage](t, body).entry(t, C1)
	if row.Period != thisWeek.Period || row.Date != thisWeek.Date.Format(time.DateOnly) || row.State != "pending" {
		t.Fatalf("worklist row: period %q date %q state %q, want %q %s pending", row.Period, row.Date, row.State,
			thisWeek.Period, thisWeek.Date.Format(time.DateOnly))
	}

	status, res := post(t, app, PM1, "/api/collections/touches/records",
		`{"client":"`+C1+`","occasion":"`+weekly+`","status":"done","channel":"phone"}`)
	if status != 200 || !strings.Contains(res, `"period":"`+row.Period+`"`) {
		t.Fatalf("mark: %d %s, want period %q", status, res, row.Period)
	}
	_, body = get(t, app, PM1, worklistURL(weekly, "state=all"))
	if row := decode[worklistPage](t, body).entry(t, C1); row.State != "done" || row.Touch == nil || row.Period != thisWeek.Period {
		t.Errorf("after the mark: state %q period %q", row.State, row.Period)
	}

	status, res = post(t, app, PM1b, "/api/collections/touches/records",
		`{"client":"`+C1+`","occasion":"`+weekly+`","status":"done"}`)
	if status != 400 || !strings.Contains(res, "was already touched for «Weekly tip» by Olga Moscow") ||
		!strings.Contains(res, "validation_already_touched") {
		t.Errorf("second mark this week: %d %s", status, res)
	}

	// another day of the same ISO week (Sunday, or Monday when today is Sunday)
	other := thisWeek.From.AddDate(0, 0, 6)
	if other.Equal(moscow) {
		other = thisWeek.From
	}
	if _, err := markRepeatAt(app, C1, weekly, PM1b, localNoon(t, other, "Europe/Moscow")); err == nil ||
		!strings.Contains(err.Error(), "was already touched for «Weekly tip»") {
		t.Errorf("a mark on %s, same week: %v, want the duplicate refusal", other.Format(time.DateOnly), err)
	}

	nextMonday := thisWeek.From.AddDate(0, 0, 7)
	nextWeek := occurrence.For(occurrence.Occasion{Repeat: "weekly"}, occurrence.Client{}, nextMonday).Period
	touch, err := markRepeatAt(app, C1, weekly, PM1b, localNoon(t, nextMonday, "Europe/Moscow"))
	if err != nil || touch.GetString("period") != nextWeek {
		t.Fatalf("a mark next week: %v, period %q, want %q", err, touch.GetString("period"), nextWeek)
	}

	// Monday 00:30 in Moscow is still Sunday in London: the Moscow client
	// is in the next week, the London one in this week
	instant := time.Date(nextMonday.Year(), nextMonday.Month(), nextMonday.Day(), 0, 30, 0, 0, mustZone(t, "Europe/Moscow"))
	touch, err = markRepeatAt(app, C1c, weekly, PM1, instant)
	if err != nil || touch.GetString("period") != nextWeek {
		t.Errorf("Moscow at Monday 00:30: %v, period %q, want %q", err, touch.GetString("period"), nextWeek)
	}
	touch, err = markRepeatAt(app, C2, weekly, PM2, instant)
	if err != nil || touch.GetString("period") != thisWeek.Period {
		t.Errorf("London at Sunday 22:30: %v, period %q, want %q", err, touch.GetString("period"), thisWeek.Period)
	}
}

func mustZone(t testing.TB, tz string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(tz)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestDailyMarksThroughTheAPI: one mark per client and day for a daily
// occasion; the day's second is refused, and yesterday's mark does not
// block today's.
func TestDailyMarksThroughTheAPI(t *testing.T) {
	app := New(t)
	daily := create(t, app, "occasions", map[string]any{"title": "Daily call", "kind": "standard", "category": "other", "repeat": "daily"})
	today := occurrence.Today(time.Now(), "Europe/London").Format(time.DateOnly)
	body := `{"client":"` + C2 + `","occasion":"` + daily + `","status":"done"}`

	status, res := post(t, app, PM2, "/api/collections/touches/records", body)
	if status != 200 || !strings.Contains(res, `"period":"`+today+`"`) {
		t.Fatalf("first mark: %d %s, want period %s", status, res, today)
	}
	status, res = post(t, app, PM2, "/api/collections/touches/records", body)
	if status != 400 || !strings.Contains(res, "Acme Ltd was already touched for «Daily call» by Liam London") {
		t.Fatalf("second mark today: %d %s", status, res)
	}

	// the first mark becomes yesterday's
	yesterday := occurrence.Today(time.Now(), "Europe/London").AddDate(0, 0, -1).Format(time.DateOnly)
	if _, err := app.DB().Update("touches", dbx.Params{"period": yesterday},
		dbx.HashExp{"client": C2, "occasion": daily}).Execute(); err != nil {
		t.Fatal(err)
	}
	status, res = post(t, app, PM2, "/api/collections/touches/records", body)
	if status != 200 || !strings.Contains(res, `"period":"`+today+`"`) {
		t.Fatalf("today's mark after yesterday's: %d %s", status, res)
	}
}

// TestPlanRepeats: the plan lists a monthly and a weekly occasion once per
// month / ISO week (the one in progress on from included, dated on from)
// with the marks of that occurrence, and a daily one once, dated on the
// range's first day, with that day's marks.
func TestPlanRepeats(t *testing.T) {
	app := New(t)
	monthly := create(t, app, "occasions", map[string]any{"title": "Monthly digest", "kind": "standard", "category": "news",
		"repeat": "monthly", "starts": "2026-11-10 12:00:00.000Z", "ends": "2027-01-20 12:00:00.000Z"})
	weekly := create(t, app, "occasions", map[string]any{"title": "Weekly tip", "kind": "standard", "category": "advice", "repeat": "weekly"})
	daily := create(t, app, "occasions", map[string]any{"title": "Daily call", "kind": "standard", "category": "other",
		"repeat": "daily", "ends": "2027-03-31 12:00:00.000Z"})
	for i, m := range []struct{ client, occasion, period, status string }{
		{C1, monthly, "2026-12", "done"},
		{C2, monthly, "2026-12", "skipped"},
		{C1, monthly, "2026-11", "done"},
		{C1, weekly, "2026-W53", "done"},
		{C2, weekly, "2026-W53", "done"},
		{C1, daily, "2026-12-28", "done"},
		{C1, daily, "2026-12-29", "done"},
	} {
		id := "reptouch" + strings.Repeat("0", 6) + string(rune('a'+i))
		if _, err := app.DB().Insert("touches", dbx.Params{"id": id, "client": m.client, "occasion": m.occasion,
			"period": m.period, "status": m.status}).Execute(); err != nil {
			t.Fatal(err)
		}
	}

	status, body := get(t, app, SM, "/api/touchbase/plan?from=2026-12-28&to=2027-01-12")
	if status != 200 {
		t.Fatalf("plan: %d %s", status, body)
	}
	plan := decode[planResponse](t, body)
	got := map[string][]string{}
	for _, item := range plan.Items {
		got[item.Occasion.Id] = append(got[item.Occasion.Id], strings.Join([]string{item.Date, item.Period, item.From, item.To,
			strconv.Itoa(item.Touched), strconv.Itoa(item.Skipped)}, " "))
	}
	want := map[string][]string{
		monthly: {"2026-12-28 2026-12 2026-12-01 2026-12-31 1 1", "2027-01-01 2027-01 2027-01-01 2027-01-20 0 0"},
		weekly: {"2026-12-28 2026-W53 2026-12-28 2027-01-03 2 0", "2027-01-04 2027-W01 2027-01-04 2027-01-10 0 0",
			"2027-01-11 2027-W02 2027-01-11 2027-01-17 0 0"},
		daily: {"2026-12-28 2026-12-28  2027-03-31 1 0"},
	}
	for id, rows := range want {
		if strings.Join(got[id], " | ") != strings.Join(rows, " | ") {
			t.Errorf("occasion %s:\n got  %q\n want %q", id, got[id], rows)
		}
	}
}
