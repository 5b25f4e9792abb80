package digest_test

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"touchbase/digest"
	"touchbase/internal/testapp"
)

// TestUnsubscribeLink: the e-mail's link turns the e-mail off for its
// user without signing in; a forged, expired or foreign token, a normal
// auth token and a link from before a password change get a 400 page and
// change nothing.
func TestUnsubscribeLink(t *testing.T) {
	// tokens are made on one copy of the fixture; every copy shares the
	// users' token keys and the collection's secret
	app := testapp.New(t)
	pm1 := user(t, app, testapp.PM1)
	pm2 := user(t, app, testapp.PM2)
	valid, err := digest.NewUnsubscribeToken(app, pm1, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	validEN, err := digest.NewUnsubscribeToken(app, pm2, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	expired, err := digest.NewTokenTTL(pm1, -time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(valid, ".")
	// the claims of PM2's token under PM1's signature, and PM1's claims
	// with the signature of another token
	forgedClaims := strings.Join([]string{parts[0], strings.Split(validEN, ".")[1], parts[2]}, ".")
	forgedSig := parts[0] + "." + parts[1] + "." + strings.Split(validEN, ".")[2]
	authToken := testapp.Token(t, app, testapp.PM1)
	resetToken, err := pm1.NewPasswordResetToken()
	if err != nil {
		t.Fatal(err)
	}

	digestOf := func(t testing.TB, app core.App, id string) bool {
		return user(t, app, id).GetBool("digest")
	}
	bad := func(name, token string, before func(testing.TB, *tests.TestApp)) tests.ApiScenario {
		return tests.ApiScenario{
			Name:               name,
			Method:             http.MethodGet,
			URL:                digest.UnsubscribePath + "?token=" + url.QueryEscape(token),
			Headers:            map[string]string{"Accept-Language": "ru-RU,ru;q=0.9"},
			TestAppFactory:     testapp.Factory,
			BeforeTestFunc:     func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) { before(t, app) },
			ExpectedStatus:     400,
			ExpectedContent:    []string{"Ссылка не работает", "действует 60 дней"},
			NotExpectedContent: []string{"Вы отписались"},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				if !digestOf(t, app, testapp.PM1) || !digestOf(t, app, testapp.PM2) {
					t.Errorf("%s: digest turned off", name)
				}
			},
		}
	}
	nothing := func(testing.TB, *tests.TestApp) {}
	scenarios := []tests.ApiScenario{
		{
			Name:            "valid link, Russian user",
			Method:          http.MethodGet,
			URL:             digest.UnsubscribePath + "?token=" + url.QueryEscape(valid),
			TestAppFactory:  testapp.Factory,
			ExpectedStatus:  200,
			ExpectedContent: []string{"Вы отписались", "pm1@test.local"},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				if digestOf(t, app, testapp.PM1) {
					t.Error("PM1's digest still on")
				}
				if !digestOf(t, app, testapp.PM2) || !digestOf(t, app, testapp.PM1b) {
					t.Error("another user's digest turned off")
				}
			},
		},
		{
			Name:            "valid link, English user, one-click POST",
			Method:          http.MethodPost,
			URL:             digest.UnsubscribePath + "?token=" + url.QueryEscape(validEN),
			Body:            strings.NewReader("List-Unsubscribe=One-Click"),
			TestAppFactory:  testapp.Factory,
			ExpectedStatus:  200,
			ExpectedContent: []string{"Unsubscribed", "The morning e-mail to pm2@test.local is off"},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				if digestOf(t, app, testapp.PM2) {
					t.Error("PM2's digest still on")
				}
			},
		},
		bad("no token", "", nothing),
		bad("garbage", "not-a-token", nothing),
		bad("forged claims", forgedClaims, nothing),
		bad("forged signature", forgedSig, nothing),
		bad("expired", expired, nothing),
		bad("a normal auth token", authToken, nothing),
		bad("a password reset token", resetToken, nothing),
		bad("after a password change", valid, func(t testing.TB, app *tests.TestApp) {
			u := user(t, app, testapp.PM1)
			u.SetPassword("another-password-2")
			if err := app.Save(u); err != nil {
				t.Fatal(err)
			}
		}),
	}
	for _, s := range scenarios {
		s.Test(t)
	}
}

// TestDryRunCommand: `digest --user EMAIL --dry-run` prints the
// plain-text e-mail and says when there is nothing to send; nothing is
// sent or recorded. Without --dry-run it sends once a day.
func TestDryRunCommand(t *testing.T) {
	app := testapp.New(t)
	now := localTime(t, "Europe/Moscow", 7, 0) // before 08:00: the command does not wait

	var out bytes.Buffer
	if err := digest.Command(app, &out, "pm1@test.local", true, now); err != nil {
		t.Fatal(err)
	}
	text := build(t, app, testapp.PM1, now).Text()
	contains(t, "dry run", out.String(), []string{"To: pm1@test.local\nSubject: Touchbase: ваш день, ", "\n\nДоброе утро, Olga Moscow!\n", "ИП Кузнецов — касаний ещё не было"}, nil)
	if !strings.HasSuffix(out.String(), text) {
		t.Errorf("dry run does not print the e-mail's text:\n%s", out.String())
	}
	if n := app.TestMailer.TotalSend(); n != 0 {
		t.Errorf("dry run sent %d e-mails", n)
	}
	if n := testapp.Count(t, app, "digests", "id != {:fixture}", dbx.Params{"fixture": testapp.DG1}); n != 0 {
		t.Errorf("dry run recorded %d days", n)
	}

	// every user with digest on
	out.Reset()
	if err := digest.Command(app, &out, "", true, now); err != nil {
		t.Fatal(err)
	}
	contains(t, "dry run, everyone", out.String(), []string{"To: pm1@test.local", "To: pm1b@test.local", "To: pm2@test.local", "To: sm@test.local"}, nil)

	if err := digest.Command(app, &out, "nobody@test.local", true, now); err == nil || !strings.Contains(err.Error(), "--user") {
		t.Errorf("unknown user: %v", err)
	}

	// sending: once that day
	out.Reset()
	if err := digest.Command(app, &out, "pm1@test.local", false, now); err != nil {
		t.Fatal(err)
	}
	if err := digest.Command(app, &out, "pm1@test.local", false, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	contains(t, "send", out.String(), []string{"sent to pm1@test.local\n", "pm1@test.local: today's morning e-mail was already handled"}, nil)
	if n := app.TestMailer.TotalSend(); n != 1 {
		t.Errorf("%d e-mails sent, want 1", n)
	}

	// nothing to say
	nothingDue(t, app)
	out.Reset()
	if err := digest.Command(app, &out, "pm2@test.local", true, now); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "Nothing to send to pm2@test.local: nothing is due, pending or coming up.\n"; got != want {
		t.Errorf("empty dry run: %q, want %q", got, want)
	}
}
