package digest_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"touchbase/digest"
	"touchbase/domain"
	"touchbase/internal/testapp"
	"touchbase/server"
)

// localTime is today's date in zone tz at hh:mm there.
func localTime(t testing.TB, tz string, hh, mm int) time.Time {
	t.Helper()
	loc, err := time.LoadLocation(tz)
	if err != nil {
		t.Fatal(err)
	}
	y, m, d := time.Now().In(loc).Date()
	return time.Date(y, m, d, hh, mm, 0, 0, loc)
}

func user(t testing.TB, app core.App, id string) *core.Record {
	t.Helper()
	u, err := app.FindRecordById("users", id)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func build(t testing.TB, app core.App, id string, now time.Time) *digest.Digest {
	t.Helper()
	d, err := digest.Build(app, user(t, app, id), now)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func exec(t testing.TB, app core.App, sql string, params dbx.Params) {
	t.Helper()
	if _, err := app.DB().NewQuery(sql).Bind(params).Execute(); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// birthdayIn is the month and day days after now's day in tz.
func birthdayIn(t testing.TB, now time.Time, tz string, days int) string {
	loc, err := time.LoadLocation(tz)
	if err != nil {
		t.Fatal(err)
	}
	return now.In(loc).AddDate(0, 0, days).Format("01-02")
}

func contains(t testing.TB, who, text string, want []string, notWant []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("%s: missing %q in\n%s", who, w, text)
		}
	}
	for _, w := range notWant {
		if strings.Contains(text, w) {
			t.Errorf("%s: should not have %q in\n%s", who, w, text)
		}
	}
}

// contentFixture: C2 (London, segment B, 30 days) last touched 35 days
// before now (due), C1b (Moscow, C) never touched (overdue); Ирина
// Петрова's birthday in two days, John Smith's tomorrow, Алексей
// Смирнов's in eight days (not within 7).
func contentFixture(t *testing.T, app core.App, now time.Time) {
	exec(t, app, "UPDATE touches SET created = {:c} WHERE id = {:id}",
		dbx.Params{"c": domain.DBTime(now.Add(-35*24*time.Hour - time.Hour)), "id": testapp.T2})
	exec(t, app, "UPDATE clients SET name = {:n} WHERE id = {:id}", dbx.Params{"n": "ИП Кузнецов <Склад & Ко>", "id": testapp.C1b})
	for id, birthday := range map[string]string{
		testapp.CT1:  birthdayIn(t, now, "Europe/Moscow", 2),
		testapp.CT2:  birthdayIn(t, now, "Europe/London", 1),
		testapp.CT1b: birthdayIn(t, now, "Europe/Moscow", 8),
	} {
		contact, err := app.FindRecordById("contacts", id)
		if err != nil {
			t.Fatal(err)
		}
		contact.Set("birthday", "1988-"+birthday)
		if err := app.Save(contact); err != nil {
			t.Fatal(err)
		}
	}
}

// TestContentPerRoleAndLanguage: a point manager's e-mail is about their
// point in their point's language; a service manager's about every
// point, with a line per point; the user's own language wins.
func TestContentPerRoleAndLanguage(t *testing.T) {
	app := testapp.New(t)
	now := localTime(t, "Europe/Moscow", 9, 0)
	contentFixture(t, app, now)

	pm1 := build(t, app, testapp.PM1, now)
	contains(t, "PM1", pm1.Subject(), []string{"Touchbase: ваш день, "}, nil)
	contains(t, "PM1", pm1.Text(), []string{
		"Доброе утро, Olga Moscow!",
		"По графику касаний: срок подошёл — 0 клиентов, срок прошёл — 1 клиент.",
		"Поводы на сегодня, ещё не отмечены:",
		"«Maintenance reminder» — ещё 2 клиента",
		"«Useful article» — ещё 2 клиента",
		"«Offer for A clients» — ещё 1 клиент",
		"Дольше всех без касания:",
		"ИП Кузнецов <Склад & Ко> — касаний ещё не было",
		"Дни рождения в ближайшие 7 дней:",
		"Ирина Петрова (ООО Ромашка)",
		"Открыть Touchbase: http://localhost:8090/",
		"Отписаться: http://localhost:8090/api/touchbase/digest/unsubscribe?token=",
	}, []string{"London", "Acme", "John Smith", "Алексей Смирнов", "(Moscow)"})

	pm2 := build(t, app, testapp.PM2, now)
	contains(t, "PM2", pm2.Subject(), []string{"Touchbase: your day, "}, nil)
	contains(t, "PM2", pm2.Text(), []string{
		"Good morning, Liam London!",
		"By cadence: 1 client due, 0 clients overdue.",
		"«London webinar» — 1 client to go",
		"«Useful article» — 1 client to go",
		"Acme Ltd — 35 days since the last touch",
		"Birthdays in the next 7 days:",
		"tomorrow, ",
		"John Smith (Acme Ltd)",
	}, []string{"Moscow", "Кузнецов", "Ирина", "Maintenance reminder", "Offer for A clients"})

	sm := build(t, app, testapp.SM, now)
	contains(t, "SM", sm.Text(), []string{
		"Good morning, Sergey Service!",
		"By cadence: 1 client due, 1 client overdue.",
		"  • London: 1 client due, 0 clients overdue\n  • Moscow: 0 clients due, 1 client overdue\n",
		"«Useful article» — 3 clients to go",
		"«Maintenance reminder» — 2 clients to go",
		"«London webinar» — 1 client to go",
		"«Offer for A clients» — 1 client to go",
		"  • ИП Кузнецов <Склад & Ко> (Moscow) — never touched\n  • Acme Ltd (London) — 35 days since the last touch\n",
		"Ирина Петрова (ООО Ромашка)",
		"John Smith (Acme Ltd)",
	}, []string{"Kazan", "Алексей Смирнов"})

	// the HTML part says the same, escaped
	html, err := pm1.HTML()
	if err != nil {
		t.Fatal(err)
	}
	contains(t, "PM1 html", html, []string{
		`<html lang="ru">`, "ИП Кузнецов &lt;Склад &amp; Ко&gt; — касаний ещё не было", "«Useful article» — ещё 2 клиента",
		`href="http://localhost:8090/"`, `href="http://localhost:8090/api/touchbase/digest/unsubscribe?token=`,
	}, []string{"<Склад"})

	// the user's own language wins over the point's
	liam := user(t, app, testapp.PM2)
	liam.Set("language", "ru")
	if err := app.Save(liam); err != nil {
		t.Fatal(err)
	}
	contains(t, "PM2 ru", build(t, app, testapp.PM2, now).Text(), []string{
		"Доброе утро, Liam London!", "срок подошёл — 1 клиент, срок прошёл — 0 клиентов", "Acme Ltd — 35 дней с последнего касания", "«London webinar» — ещё 1 клиент",
	}, nil)

	// what goes through the mailer
	if _, err := digest.Deliver(app, user(t, app, testapp.PM1), now); err != nil {
		t.Fatal(err)
	}
	if n := app.TestMailer.TotalSend(); n != 1 {
		t.Fatalf("%d e-mails sent, want 1", n)
	}
	msg := app.TestMailer.LastMessage()
	if len(msg.To) != 1 || msg.To[0].Address != "pm1@test.local" || msg.From.Address != app.Settings().Meta.SenderAddress {
		t.Errorf("from %v to %v", msg.From, msg.To)
	}
	if msg.Subject != pm1.Subject() || msg.Text != pm1.Text() || !strings.Contains(msg.HTML, "&lt;Склад &amp; Ко&gt;") {
		t.Errorf("message: subject %q, text %q", msg.Subject, msg.Text)
	}
	if !strings.HasPrefix(msg.Headers["List-Unsubscribe"], "<http://localhost:8090/api/touchbase/digest/unsubscribe?token=") {
		t.Errorf("List-Unsubscribe: %q", msg.Headers["List-Unsubscribe"])
	}
}

// nothingDue makes a state where nobody has anything to hear about: every
// client with a cadence touched today, every occasion archived, no
// birthdays in the fixture.
func nothingDue(t *testing.T, app core.App) {
	if _, err := testapp.MarkTouch(app, testapp.C1b, testapp.OccMandatory, "done", testapp.PM1); err != nil {
		t.Fatal(err)
	}
	exec(t, app, "UPDATE occasions SET archived = TRUE", nil)
}

// TestNothingToSay: with nothing due, pending or coming up nobody gets an
// e-mail; the day is recorded as empty, so a later run does not send one
// in the afternoon either.
func TestNothingToSay(t *testing.T) {
	app := testapp.New(t)
	nothingDue(t, app)
	now := localTime(t, "UTC", 12, 0)
	for _, id := range []string{testapp.SM, testapp.PM1, testapp.PM2} {
		if d := build(t, app, id, now); !d.Empty() {
			t.Errorf("%s: not empty:\n%s", id, d.Text())
		}
	}
	res, err := digest.Run(app, now)
	if err != nil {
		t.Fatal(err)
	}
	if n := app.TestMailer.TotalSend(); n != 0 || len(res.Sent) != 0 {
		t.Fatalf("%d e-mails sent about nothing", n)
	}
	if n := testapp.Count(t, app, "digests", "outcome = 'empty'"); n != 4 {
		t.Errorf("%d empty days recorded, want 4 (every staff member)", n)
	}
}

// TestOnceADayAcrossRestart: a second run of the job, and a fresh app on
// the same data, send nothing more that day.
func TestOnceADayAcrossRestart(t *testing.T) {
	app := testapp.New(t)
	now := localTime(t, "UTC", 9, 0) // past 08:00 in Moscow, London and the server's zone
	res, err := digest.Run(app, now)
	if err != nil {
		t.Fatal(err)
	}
	first := app.TestMailer.TotalSend()
	if first != 4 || len(res.Sent) != 4 {
		t.Fatalf("first run sent %d (%v), want 4", first, res)
	}
	if _, err := digest.Run(app, now.Add(5*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := digest.Run(app, now.Add(8*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n := app.TestMailer.TotalSend(); n != first {
		t.Errorf("later runs sent %d more", n-first)
	}
	if n := testapp.Count(t, app, "digests", "outcome = 'sent' && sent != ''"); n != 4 {
		t.Errorf("%d sent days recorded, want 4", n)
	}

	// a restart: a new app on the same data (PocketBase's test app clones
	// the data dir, records included)
	restarted, err := tests.NewTestApp(app.DataDir())
	if err != nil {
		t.Fatal(err)
	}
	defer restarted.Cleanup()
	server.BindAppHooks(restarted)
	if _, err := digest.Run(restarted, now.Add(10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if n := restarted.TestMailer.TotalSend(); n != 0 {
		t.Errorf("after a restart %d more e-mails", n)
	}
	// the next day it goes again
	if _, err := digest.Run(restarted, now.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n := restarted.TestMailer.TotalSend(); n != 4 {
		t.Errorf("the next day %d e-mails, want 4", n)
	}
}

// TestEightLocal: at one instant a Moscow user's 08:00 is a London user's
// 05:00; each gets the e-mail from 08:00 of their own zone, not a minute
// earlier (the service manager without a point: the server's zone, UTC
// here).
func TestEightLocal(t *testing.T) {
	app := testapp.New(t)
	sentTo := func() []string {
		var to []string
		for _, m := range app.TestMailer.Messages() {
			to = append(to, m.To[0].Address)
		}
		return to
	}
	run := func(at time.Time, want ...string) {
		t.Helper()
		app.TestMailer.Reset()
		if _, err := digest.Run(app, at); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(sentTo(), ","); got != strings.Join(want, ",") {
			t.Errorf("at %s: sent to [%s], want [%s]", at.UTC().Format(time.RFC3339), got, strings.Join(want, ","))
		}
	}
	moscow8 := localTime(t, "Europe/Moscow", 8, 0)
	if h := moscow8.In(time.UTC).Hour(); h >= 8 {
		t.Fatalf("08:00 in Moscow is %02d:00 UTC", h)
	}
	run(moscow8.Add(-time.Minute))
	run(moscow8, "pm1@test.local", "pm1b@test.local") // London and UTC: still night
	london8 := localTime(t, "Europe/London", 8, 0)
	if london8.Before(moscow8) {
		london8 = london8.AddDate(0, 0, 1)
	}
	run(london8.Add(-time.Minute))
	run(london8, "pm2@test.local", "sm@test.local") // London is UTC in winter, UTC+1 in summer
}

// TestNewUsersGetTheEmail: a new account has the e-mail on unless it is
// created with digest = false (SPEC §3: on for new accounts).
func TestNewUsersGetTheEmail(t *testing.T) {
	app := testapp.New(t)
	users, err := app.FindCollectionByNameOrId("users")
	if err != nil {
		t.Fatal(err)
	}
	u := core.NewRecord(users)
	u.Set("email", "new@test.local")
	u.Set("name", "New Person")
	u.Set("role", "point_manager")
	u.Set("point", testapp.P2)
	u.SetPassword(testapp.Password)
	if err := app.Save(u); err != nil {
		t.Fatal(err)
	}
	if !user(t, app, u.Id).GetBool("digest") {
		t.Error("a user saved without digest has it off")
	}

	for _, c := range []struct {
		body string
		want bool
	}{
		{`"digest": false`, false},
		{`"digest": true`, true},
		{`"language": "en"`, true},
	} {
		email := strings.NewReplacer(`"`, "", ":", "", " ", "").Replace(c.body) + "@test.local"
		(&tests.ApiScenario{
			Name:   c.body,
			Method: "POST",
			URL:    "/api/collections/users/records",
			Body: strings.NewReader(`{"email": "` + email + `", "password": "` + testapp.Password + `", "passwordConfirm": "` + testapp.Password +
				`", "name": "Someone", "role": "point_manager", "point": "` + testapp.P2 + `", ` + c.body + `}`),
			Headers:         testapp.Auth(testapp.Superuser),
			TestAppFactory:  testapp.Factory,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"email"`},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				record, err := app.FindAuthRecordByEmail("users", email)
				if err != nil {
					t.Fatal(err)
				}
				if record.GetBool("digest") != c.want {
					t.Errorf("%s: digest = %v, want %v", c.body, record.GetBool("digest"), c.want)
				}
			},
		}).Test(t)
	}
}

// TestDigestDependsOnItsMomentOnly: the e-mail built twice for the same
// moment is the same e-mail, however much later it is built — its
// unsubscribe link expires 60 days after that moment, not after the
// wall clock (a Deliver a second after a Build sent another text).
func TestDigestDependsOnItsMomentOnly(t *testing.T) {
	app := testapp.New(t)
	now := time.Now()
	first := build(t, app, testapp.PM1, now).Text()
	time.Sleep(1100 * time.Millisecond) // past the next whole second, a token's resolution
	if again := build(t, app, testapp.PM1, now).Text(); again != first {
		t.Errorf("built again for the same moment:\n%s\nfirst:\n%s", again, first)
	}
}
