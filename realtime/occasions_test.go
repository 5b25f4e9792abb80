package realtime_test

import (
	"slices"
	"strings"
	"testing"

	"touchbase/internal/testapp"
	"touchbase/realtime"
)

// TestOccasionsTopic: a change to an occasion or to one of its templates
// reaches the pages of those who may view the occasion at that moment
// (PocketBase's view rule), naming the occasion and nothing else: a
// London-only occasion is not announced in Moscow, and a manager moved
// to London meanwhile hears of it.
func TestOccasionsTopic(t *testing.T) {
	app := testapp.New(t)
	srv := testapp.Serve(t, app)
	page := map[string]*testapp.Conn{}
	for _, id := range []string{testapp.PM1, testapp.PM1b, testapp.PM2, testapp.SM} {
		page[id] = testapp.Connect(t, srv)
		page[id].MustSubscribe(t, testapp.Auth(id)["Authorization"], realtime.OccasionsTopic)
	}
	// PM1b moves to London after subscribing
	moved, err := app.FindRecordById("users", testapp.PM1b)
	if err != nil {
		t.Fatal(err)
	}
	moved.Set("point", testapp.P2)
	if err := app.Save(moved); err != nil {
		t.Fatal(err)
	}

	must(t, testapp.Request(t, srv, "PATCH", "/api/collections/occasions/records/"+testapp.OccP2Only, testapp.SM, `{"title":"London only, renamed"}`), 200)
	must(t, testapp.Request(t, srv, "POST", "/api/collections/occasion_templates/records", testapp.SM,
		`{"occasion":"`+testapp.OccStandard+`","language":"en","text":"Hello {{client}}"}`), 200)

	testapp.WaitFor(t, "the service manager's page", func() bool { return len(page[testapp.SM].Got()) >= 2 })
	testapp.Settle()
	want := map[string][]string{
		testapp.PM1:  {testapp.OccStandard},
		testapp.PM1b: {testapp.OccP2Only, testapp.OccStandard},
		testapp.PM2:  {testapp.OccP2Only, testapp.OccStandard},
		testapp.SM:   {testapp.OccP2Only, testapp.OccStandard},
	}
	for user, conn := range page {
		var got []string
		for _, e := range conn.Got() {
			if e.Topic != realtime.OccasionsTopic || strings.Contains(e.Data, "title") || strings.Contains(e.Data, "text") {
				t.Errorf("%s: unexpected message %s %s", user, e.Topic, e.Data)
			}
			for _, id := range []string{testapp.OccP2Only, testapp.OccStandard} {
				if strings.Contains(e.Data, `"occasion":"`+id+`"`) {
					got = append(got, id)
				}
			}
		}
		slices.Sort(got) // each message is sent on its own goroutine: arrival order is not commit order
		if strings.Join(got, " ") != strings.Join(want[user], " ") {
			t.Errorf("%s heard of %v, want %v", user, got, want[user])
		}
	}
}

// TestSubscriptionErrorsInRequestLanguage: a refused subscription says
// why in the language the request asks for, with the same code.
func TestSubscriptionErrorsInRequestLanguage(t *testing.T) {
	app := testapp.New(t)
	srv := testapp.Serve(t, app)
	pm1 := testapp.Auth(testapp.PM1)["Authorization"]
	for lang, says := range map[string][]string{
		"en":               {"Unknown topic «touchbase/clients».", "Sign in to subscribe"},
		"ru-RU,ru;q=0.9":   {"Неизвестная тема «touchbase/clients».", "Войдите, чтобы подписаться"},
		"de-DE,ru;q=0.5":   {"Неизвестная тема", "Войдите"},
		"fr-FR,fr;q=0.9,*": {"Unknown topic", "Sign in"},
	} {
		c := testapp.Connect(t, srv)
		c.Lang = lang
		status, body := c.Subscribe(t, pm1, "touchbase/clients")
		if status != 400 || !strings.Contains(body, says[0]) || !strings.Contains(body, `"code":"validation_unknown_topic"`) {
			t.Errorf("%s: %d %s, want 400 saying %q", lang, status, body, says[0])
		}
		if status, body := c.Subscribe(t, "", realtime.TouchesTopic); status != 401 || !strings.Contains(body, says[1]) {
			t.Errorf("%s: guest: %d %s, want 401 saying %q", lang, status, body, says[1])
		}
	}
}
