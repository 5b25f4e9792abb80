package touches_test

import (
	"net/http"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	. "touchbase/internal/testapp"
)

// TestCardCommentsInThePointsLanguage pins SPEC §3 points.language and
// §4.1: every comment the server writes on a card is in the language of
// the client's point — a Moscow (ru) client's in Russian, a London (en)
// client's in English — for a done mark, a skipped one, a status change,
// and a ticket opened, reopened and resolved.
func TestCardCommentsInThePointsLanguage(t *testing.T) {
	type kase struct {
		client, author string
		done, skipped  string
		change         string // T1 (Moscow) / T2 (London): done → skipped by author
		opened         string
		reopened       string
		resolved       string
		changeTouch    string
	}
	cases := map[string]kase{
		"ru": {
			client: C1, author: PM1, changeTouch: T1,
			done:     "Касание «Useful article» (Ирина Петрова) по телефону — Olga Moscow. Позвонили",
			skipped:  "Пропущено «Offer for A clients» (Ирина Петрова) — Olga Moscow. Причина: не сейчас",
			change:   "Отметка «Maintenance reminder»: «выполнено» → «пропущено» — Olga Moscow.",
			opened:   "Открыто обращение «Сломан терминал». Стандартные поводы для клиента приостановлены до его решения.",
			reopened: "Обращение «Сломан терминал» открыто снова. Стандартные поводы для клиента приостановлены до его решения.",
			resolved: "Обращение «Сломан терминал» решено. Стандартные поводы возобновлены.",
		},
		"en": {
			client: C2, author: PM2, changeTouch: T2,
			done:     "Touched for «Useful article» (John Smith) by phone by Liam London. Called",
			skipped:  "Skipped «London webinar» (John Smith) by Liam London. Why: not now",
			change:   "Mark for «Maintenance reminder» changed from done to skipped by Liam London.",
			opened:   "Ticket opened: «Сломан терминал». Standard occasions are paused for this client until it is resolved.",
			reopened: "Ticket reopened: «Сломан терминал». Standard occasions are paused for this client until it is resolved.",
			resolved: "Ticket resolved: «Сломан терминал». Standard occasions resume.",
		},
	}
	for lang, c := range cases {
		t.Run(lang, func(t *testing.T) {
			app := New(t)
			mark := func(occasion, status, note string) string {
				touches, _ := app.FindCollectionByNameOrId("touches")
				touch := core.NewRecord(touches)
				touch.Set("client", c.client)
				touch.Set("occasion", occasion)
				touch.Set("status", status)
				touch.Set("channel", "phone")
				touch.Set("comment", note)
				touch.Set("author", c.author)
				if err := app.RunInTransaction(func(tx core.App) error { return tx.Save(touch) }); err != nil {
					t.Fatalf("mark %s: %v", occasion, err)
				}
				return commentText(t, app, dbx.HashExp{"touch": touch.Id})
			}
			note := map[string]string{"ru": "Позвонили", "en": "Called"}[lang]
			if got := mark(OccStandard, "done", note); got != c.done {
				t.Errorf("done mark:\n got %q\nwant %q", got, c.done)
			}
			skipped := map[string]string{"ru": OccSegmentA, "en": OccP2Only}[lang]
			why := map[string]string{"ru": "не сейчас", "en": "not now"}[lang]
			if got := mark(skipped, "skipped", why); got != c.skipped {
				t.Errorf("skipped mark:\n got %q\nwant %q", got, c.skipped)
			}

			tickets, _ := app.FindCollectionByNameOrId("tickets")
			ticket := core.NewRecord(tickets)
			ticket.Set("client", c.client)
			ticket.Set("title", "Сломан терминал")
			seen := map[string]bool{}
			saveTicket := func(status string) string {
				ticket.Set("status", status)
				if err := app.RunInTransaction(func(tx core.App) error { return tx.Save(ticket) }); err != nil {
					t.Fatalf("ticket %s: %v", status, err)
				}
				return newSystemComment(t, app, c.client, seen)
			}
			if got := saveTicket("open"); got != c.opened {
				t.Errorf("ticket opened:\n got %q\nwant %q", got, c.opened)
			}
			if got := saveTicket("resolved"); got != c.resolved {
				t.Errorf("ticket resolved:\n got %q\nwant %q", got, c.resolved)
			}
			if got := saveTicket("open"); got != c.reopened {
				t.Errorf("ticket reopened:\n got %q\nwant %q", got, c.reopened)
			}
		})

		(&tests.ApiScenario{
			Name:   lang + ": status change",
			Method: http.MethodPatch, URL: touchesURL + "/" + c.changeTouch, Headers: Auth(c.author), TestAppFactory: Factory,
			Body:            body(kv("status", "skipped")),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"skipped"`},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				comments := touchComments(t, app, c.changeTouch)
				found := false
				for _, comment := range comments {
					found = found || comment.GetString("text") == c.change
				}
				if !found {
					var texts []string
					for _, comment := range comments {
						texts = append(texts, comment.GetString("text"))
					}
					t.Errorf("no status-change comment %q among %q", c.change, texts)
				}
			},
		}).Test(t)
	}
}

// commentText is the text of the one comment matching where.
func commentText(t testing.TB, app core.App, where dbx.HashExp) string {
	t.Helper()
	comments, err := app.FindAllRecords("comments", where)
	if err != nil || len(comments) != 1 {
		t.Fatalf("want one comment where %v, got %d (%v)", where, len(comments), err)
	}
	return comments[0].GetString("text")
}

// newSystemComment is the text of the client's one system comment not
// in seen, which it adds to seen.
func newSystemComment(t testing.TB, app core.App, client string, seen map[string]bool) string {
	t.Helper()
	comments, err := app.FindAllRecords("comments", dbx.HashExp{"client": client, "kind": "system"})
	if err != nil {
		t.Fatal(err)
	}
	var fresh []*core.Record
	for _, c := range comments {
		if !seen[c.Id] {
			fresh = append(fresh, c)
			seen[c.Id] = true
		}
	}
	if len(fresh) != 1 {
		t.Fatalf("want one new system comment of %s, got %d", client, len(fresh))
	}
	return fresh[0].GetString("text")
}
