package faults_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/hook"

	"touchbase/aggregates"
	. "touchbase/internal/testapp"
)

// Races between two point managers of the same point and the service
// manager (SPEC §4.2, §4.5): the requests are fired at once over a real
// loopback server, many times; each race must end with one clear winner,
// a 400 that explains to every loser, and card comments that tell what
// really happened.

// staffNames are the fixture users' names, as comments and refusals spell
// them.
var staffNames = map[string]string{PM1: "Olga Moscow", PM1b: "Pavel Moscow", SM: "Sergey Service"}

// verifyAggregatesAfter checks, once the test's races are over, that the
// maintained aggregate (package aggregates: clients.last_touch) equals its
// recomputation from the touches.
func verifyAggregatesAfter(t *testing.T, app core.App) {
	t.Cleanup(func() {
		diffs, err := aggregates.Verify(app)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range diffs {
			t.Errorf("aggregates after the races: %s", d)
		}
	})
}

// raceIterations is how often each race runs (TOUCHBASE_SOAK=1: ten
// times more).
func raceIterations() int {
	if soak() {
		return 200
	}
	return 20
}

type call struct{ method, path, user, body string }

// race fires calls at the same moment and returns their answers in order.
func race(t *testing.T, server *httptest.Server, calls ...call) []Response {
	t.Helper()
	out := make([]Response, len(calls))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, c := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			out[i] = Request(t, server, c.method, c.path, c.user, c.body)
		}()
	}
	close(start)
	wg.Wait()
	return out
}

// newClient adds a fresh client of P1 for one iteration, so every race
// starts from a clean card.
func newClient(t *testing.T, app *tests.TestApp, n int) string {
	t.Helper()
	clients, err := app.FindCollectionByNameOrId("clients")
	if err != nil {
		t.Fatal(err)
	}
	c := core.NewRecord(clients)
	c.Load(map[string]any{"name": fmt.Sprintf("Гонка %d", n), "point": P1, "segment": "A", "stage": "regular"})
	if err := app.Save(c); err != nil {
		t.Fatal(err)
	}
	return c.Id
}

func markBody(client, occasion, status, comment string) string {
	return fmt.Sprintf(`{"client":%q,"occasion":%q,"status":%q,"comment":%q}`, client, occasion, status, comment)
}

// commentsOf returns the client's comments of kind.
func commentsOf(t *testing.T, app core.App, client, kind string) []*core.Record {
	t.Helper()
	records, err := app.FindAllRecords("comments", dbx.HashExp{"client": client, "kind": kind})
	if err != nil {
		t.Fatal(err)
	}
	return records
}

func touchesOf(t *testing.T, app core.App, client string) []*core.Record {
	t.Helper()
	records, err := app.FindAllRecords("touches", dbx.HashExp{"client": client})
	if err != nil {
		t.Fatal(err)
	}
	return records
}

func code(r Response, field string) string {
	data, _ := r.JSON["data"].(map[string]any)
	f, _ := data[field].(map[string]any)
	s, _ := f["code"].(string)
	return s
}

// TestRaceMarkVsMark: both point managers of Moscow and the service
// manager mark the same client and occasion at once. One touch, by the
// winner; the two others are told who was first; one comment, naming the
// winner.
func TestRaceMarkVsMark(t *testing.T) {
	app := New(t)
	verifyAggregatesAfter(t, app)
	server := Serve(t, app)
	users := []string{PM1, PM1b, SM}
	wins := map[string]int{}
	for n := range raceIterations() {
		client := newClient(t, app, n)
		calls := make([]call, len(users))
		for i, u := range users {
			calls[i] = call{http.MethodPost, "/api/collections/touches/records", u, markBody(client, OccStandard, "done", "by "+u)}
		}
		res := race(t, server, calls...)

		winner := ""
		for i, r := range res {
			if r.Status == 200 {
				if winner != "" {
					t.Fatalf("iteration %d: two winners, %s and %s", n, winner, users[i])
				}
				winner = users[i]
			}
		}
		if winner == "" {
			t.Fatalf("iteration %d: no winner: %+v", n, res)
		}
		wins[winner]++
		for i, r := range res {
			if users[i] == winner {
				continue
			}
			want := "was already touched for «Useful article» by " + staffNames[winner]
			if r.Status != 400 || code(r, "client") != "validation_already_touched" || !strings.Contains(r.Body, want) {
				t.Errorf("iteration %d: loser %s got %d %s, want a 400 saying %q", n, users[i], r.Status, r.Body, want)
			}
		}

		touches := touchesOf(t, app, client)
		if len(touches) != 1 || touches[0].GetString("author") != winner || touches[0].GetString("comment") != "by "+winner {
			t.Fatalf("iteration %d: want the winner's one touch, got %d", n, len(touches))
		}
		comments := commentsOf(t, app, client, "touch")
		if len(comments) != 1 || comments[0].GetString("touch") != touches[0].Id || comments[0].GetString("author") != winner ||
			!strings.Contains(comments[0].GetString("text"), "— "+staffNames[winner]+".") {
			t.Fatalf("iteration %d: want one touch comment by the winner %s, got %d", n, winner, len(comments))
		}
	}
	t.Logf("mark vs mark vs mark, %d iterations: wins %v", raceIterations(), wins)
}

// TestRaceMarkVsTicket: a point manager marks a standard occasion while
// the service manager opens a ticket on the same client (and a colleague
// marks a mandatory one). Either the standard mark came first (both
// stand, the touch was written before the hold) or it is refused with a 400
// that names the ticket; the mandatory mark always stands; the card has a
// touch comment per touch and one "Ticket opened" comment.
func TestRaceMarkVsTicket(t *testing.T) {
	app := New(t)
	verifyAggregatesAfter(t, app)
	order := watchWrites(app, "touches", "holds")
	server := Serve(t, app)
	outcomes := map[string]int{}
	for n := range raceIterations() {
		client := newClient(t, app, n)
		title := fmt.Sprintf("Broken delivery %d", n)
		res := race(t, server,
			call{http.MethodPost, "/api/collections/touches/records", PM1, markBody(client, OccStandard, "done", "")},
			call{http.MethodPost, "/api/collections/tickets/records", SM, fmt.Sprintf(`{"client":%q,"title":%q,"status":"open"}`, client, title)},
			call{http.MethodPost, "/api/collections/touches/records", PM1b, markBody(client, OccMandatory, "done", "")},
		)
		mark, ticket, mandatory := res[0], res[1], res[2]
		if ticket.Status != 200 || mandatory.Status != 200 {
			t.Fatalf("iteration %d: the ticket (%d %s) and the mandatory mark (%d %s) must stand",
				n, ticket.Status, ticket.Body, mandatory.Status, mandatory.Body)
		}
		hold, err := app.FindFirstRecordByData("holds", "ticket", ticket.JSON["id"])
		if err != nil {
			t.Fatalf("iteration %d: the open ticket has no hold: %v", n, err)
		}

		switch mark.Status {
		case 200:
			outcomes["mark first"]++
			if _, err := app.FindRecordById("touches", fmt.Sprint(mark.JSON["id"])); err != nil {
				t.Fatalf("iteration %d: acknowledged touch missing: %v", n, err)
			}
			if order.index(mark.JSON["id"]) > order.index(hold.Id) {
				t.Errorf("iteration %d: a standard touch was accepted after the ticket's hold was written", n)
			}
		case 400:
			outcomes["ticket first"]++
			want := "is on hold (reason: ticket, open ticket «" + title + "»"
			if code(mark, "client") != "validation_client_held" || !strings.Contains(mark.Body, want) {
				t.Errorf("iteration %d: refused mark %s, want a 400 saying %q", n, mark.Body, want)
			}
		default:
			t.Fatalf("iteration %d: mark answered %d %s", n, mark.Status, mark.Body)
		}

		wantTouches := 1 // the mandatory one
		if mark.Status == 200 {
			wantTouches++
		}
		touches := touchesOf(t, app, client)
		if len(touches) != wantTouches {
			t.Errorf("iteration %d: %d touches, want %d", n, len(touches), wantTouches)
		}
		checkTouchComments(t, app, n, client, touches)
		system := commentsOf(t, app, client, "system")
		if len(system) != 1 || !strings.HasPrefix(system[0].GetString("text"), "Открыто обращение «"+title+"»") {
			t.Errorf("iteration %d: want one «Ticket opened» comment, got %d", n, len(system))
		}
	}
	t.Logf("mark vs ticket, %d iterations: %v", raceIterations(), outcomes)
}

// TestRaceMarkVsHold: a point manager marks a standard occasion while the
// service manager puts the client on hold (the client asked for a
// pause). Either the mark came first or it is refused naming the hold.
func TestRaceMarkVsHold(t *testing.T) {
	app := New(t)
	verifyAggregatesAfter(t, app)
	order := watchWrites(app, "touches", "holds")
	server := Serve(t, app)
	outcomes := map[string]int{}
	for n := range raceIterations() {
		client := newClient(t, app, n)
		res := race(t, server,
			call{http.MethodPost, "/api/collections/touches/records", PM1b, markBody(client, OccStandard, "done", "")},
			call{http.MethodPost, "/api/collections/holds/records", SM, fmt.Sprintf(`{"client":%q,"reason":"requested","note":"Asked for a pause"}`, client)},
		)
		mark, hold := res[0], res[1]
		if hold.Status != 200 {
			t.Fatalf("iteration %d: hold %d %s", n, hold.Status, hold.Body)
		}
		switch mark.Status {
		case 200:
			outcomes["mark first"]++
			if order.index(mark.JSON["id"]) > order.index(hold.JSON["id"]) {
				t.Errorf("iteration %d: a standard touch was accepted after the hold was written", n)
			}
		case 400:
			outcomes["hold first"]++
			if code(mark, "client") != "validation_client_held" || !strings.Contains(mark.Body, "is on hold (reason: requested, Asked for a pause") {
				t.Errorf("iteration %d: refused mark %s does not name the hold", n, mark.Body)
			}
		default:
			t.Fatalf("iteration %d: mark answered %d %s", n, mark.Status, mark.Body)
		}
		touches := touchesOf(t, app, client)
		if want := map[bool]int{true: 1, false: 0}[mark.Status == 200]; len(touches) != want {
			t.Errorf("iteration %d: %d touches, want %d", n, len(touches), want)
		}
		checkTouchComments(t, app, n, client, touches)
	}
	t.Logf("mark vs hold, %d iterations: %v", raceIterations(), outcomes)
}

// TestRaceStatusChange: a touch is done; both point managers and the
// service manager change it to skipped at once, each with their reason.
// Every request that was read while the mark was still done asks for the
// change done → skipped; only one of them can make it. That one gets a
// 200 and the card says once, naming them, that the mark changed; the
// others had the mark change under them and get a 400 naming status,
// never a second "changed from done to skipped" comment for a change that
// did not happen twice. (A request read after the change is a plain
// edit of the note: a 200 without a card comment.)
func TestRaceStatusChange(t *testing.T) {
	app := New(t)
	verifyAggregatesAfter(t, app)
	// what each request saw when PocketBase loaded the mark, by user
	var mu sync.Mutex
	saw := map[string]string{}
	app.OnRecordUpdateRequest("touches").Bind(&hook.Handler[*core.RecordRequestEvent]{
		Priority: -1000, // before Touchbase's hooks
		Func: func(e *core.RecordRequestEvent) error {
			mu.Lock()
			saw[e.Auth.Id] = e.Record.Original().GetString("status")
			mu.Unlock()
			return e.Next()
		},
	})
	server := Serve(t, app)
	users := []string{PM1, PM1b, SM}
	wins, refused, edits := map[string]int{}, 0, 0
	iterations := 2 * raceIterations() // the overlap this race needs is rarer
	for n := range iterations {
		client := newClient(t, app, n)
		touch, err := MarkTouch(app, client, OccStandard, "done", PM1)
		if err != nil {
			t.Fatal(err)
		}
		clear(saw)
		calls := make([]call, len(users))
		for i, u := range users {
			calls[i] = call{http.MethodPatch, "/api/collections/touches/records/" + touch.Id, u, fmt.Sprintf(`{"status":"skipped","comment":"reason of %s"}`, u)}
		}
		res := race(t, server, calls...)

		winner, answers := "", []string{}
		for i, r := range res {
			u := users[i]
			answers = append(answers, fmt.Sprintf("%s (saw %s): %d %s", staffNames[u], saw[u], r.Status, r.Body))
			switch {
			case r.Status == 200 && saw[u] == "done":
				if winner != "" {
					t.Errorf("iteration %d: %s and %s both changed the mark from done to skipped", n, staffNames[winner], staffNames[u])
				}
				winner = u
			case r.Status == 200 && saw[u] == "skipped":
				edits++
			case r.Status == 400 && code(r, "status") != "":
				refused++
			default:
				t.Errorf("iteration %d: %s got %d %s, want a 200 or a 400 naming status", n, staffNames[u], r.Status, r.Body)
			}
		}
		if winner == "" {
			t.Errorf("iteration %d: nobody changed the mark", n)
		}
		wins[winner]++

		var changes []*core.Record
		for _, c := range commentsOf(t, app, client, "touch") {
			if strings.HasPrefix(c.GetString("text"), "Отметка «Useful article»: «выполнено» → «пропущено»") {
				changes = append(changes, c)
			}
		}
		if len(changes) != 1 {
			t.Errorf("iteration %d: %d «changed from done to skipped» comments for one change", n, len(changes))
		} else if c := changes[0]; c.GetString("author") != winner || !strings.HasSuffix(c.GetString("text"), "— "+staffNames[winner]+". reason of "+winner) {
			t.Errorf("iteration %d: the change comment %q by %s does not name the one who changed the mark (%s)",
				n, c.GetString("text"), c.GetString("author"), staffNames[winner])
		}
		if final, err := app.FindRecordById("touches", touch.Id); err != nil || final.GetString("status") != "skipped" {
			t.Errorf("iteration %d: the mark is not skipped: %v", n, err)
		}
		if t.Failed() {
			t.Logf("iteration %d answers:\n%s", n, strings.Join(answers, "\n"))
			for _, c := range commentsOf(t, app, client, "touch") {
				t.Logf("card comment by %s: %s", staffNames[c.GetString("author")], c.GetString("text"))
			}
			return // one iteration's story is enough to read
		}
	}
	t.Logf("status change ×3, %d iterations: wins %v, %d refused as changed meanwhile, %d later note edits", iterations, wins, refused, edits)
}

// TestRaceTicketStatus: the service manager and a superuser resolve the
// same open ticket at once. The ticket is resolved once: its hold is
// lifted and the card says «Ticket resolved» once; a second request that
// was read while the ticket was still open gets a 400 naming status
// instead of a second «resolved» comment.
func TestRaceTicketStatus(t *testing.T) {
	app := New(t)
	verifyAggregatesAfter(t, app)
	var mu sync.Mutex
	saw := map[string]string{}
	app.OnRecordUpdateRequest("tickets").Bind(&hook.Handler[*core.RecordRequestEvent]{
		Priority: -1000,
		Func: func(e *core.RecordRequestEvent) error {
			mu.Lock()
			saw[e.Auth.Id] = e.Record.Original().GetString("status")
			mu.Unlock()
			return e.Next()
		},
	})
	server := Serve(t, app)
	users := []string{SM, Superuser}
	outcomes := map[string]int{}
	iterations := 2 * raceIterations()
	for n := range iterations {
		client := newClient(t, app, n)
		opened := Request(t, server, http.MethodPost, "/api/collections/tickets/records", SM,
			fmt.Sprintf(`{"client":%q,"title":"Late delivery %d","status":"open"}`, client, n))
		if opened.Status != 200 {
			t.Fatalf("open ticket: %d %s", opened.Status, opened.Body)
		}
		clear(saw)
		path := fmt.Sprint("/api/collections/tickets/records/", opened.JSON["id"])
		res := race(t, server,
			call{http.MethodPatch, path, SM, `{"status":"resolved"}`},
			call{http.MethodPatch, path, Superuser, `{"status":"resolved"}`})

		changed := 0
		for i, r := range res {
			switch {
			case r.Status == 200 && saw[users[i]] == "open":
				changed++
			case r.Status == 200:
				outcomes["later no-op"]++
			case r.Status == 400 && code(r, "status") != "":
				outcomes["refused as changed meanwhile"]++
			default:
				t.Errorf("iteration %d: %s got %d %s", n, users[i], r.Status, r.Body)
			}
		}
		if changed != 1 {
			t.Errorf("iteration %d: %d requests resolved the ticket (saw %v, answers %d and %d)", n, changed, saw, res[0].Status, res[1].Status)
		}
		resolved := 0
		for _, c := range commentsOf(t, app, client, "system") {
			if strings.HasPrefix(c.GetString("text"), "Обращение «") && strings.Contains(c.GetString("text"), "» решено") {
				resolved++
			}
		}
		if resolved != 1 {
			t.Errorf("iteration %d: %d «Ticket resolved» comments for one resolution", n, resolved)
		}
		if holds, _ := app.FindAllRecords("holds", dbx.HashExp{"client": client}); len(holds) != 0 {
			t.Errorf("iteration %d: the resolved ticket still holds the client", n)
		}
		if t.Failed() {
			return
		}
	}
	t.Logf("ticket resolve ×2, %d iterations: %v", iterations, outcomes)
}

// writeOrder logs the inserts of touches and holds in the order the
// single write connection performed them. An insert inside a transaction
// is logged before the commit while the transaction still holds the
// connection, so "touch before hold" in the log means the touch's
// transaction ran first: the hold could not have been visible to it.
type writeOrder struct {
	mu  sync.Mutex
	log []string
}

func watchWrites(app *tests.TestApp, collections ...string) *writeOrder {
	w := &writeOrder{}
	for _, c := range collections {
		app.OnRecordCreate(c).BindFunc(func(e *core.RecordEvent) error {
			if err := e.Next(); err != nil {
				return err
			}
			w.mu.Lock()
			w.log = append(w.log, e.Record.Id)
			w.mu.Unlock()
			return nil
		})
	}
	return w
}

// index is the position of id in the log, -1 when it was never written.
func (w *writeOrder) index(id any) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i, logged := range w.log {
		if logged == id {
			return i
		}
	}
	return -1
}

// checkTouchComments: every touch of the client has exactly one comment
// of its creation, and no touch comment points elsewhere.
func checkTouchComments(t *testing.T, app core.App, n int, client string, touches []*core.Record) {
	t.Helper()
	ids := map[string]int{}
	for _, touch := range touches {
		ids[touch.Id] = 0
	}
	for _, c := range commentsOf(t, app, client, "touch") {
		if _, ok := ids[c.GetString("touch")]; !ok {
			t.Errorf("iteration %d: comment %q points at no touch of the client", n, c.GetString("text"))
		}
		ids[c.GetString("touch")]++
	}
	for id, count := range ids {
		if count != 1 {
			t.Errorf("iteration %d: touch %s has %d comments, want 1", n, id, count)
		}
	}
}

// TestRaceRemarksAfterWithdraw (SPEC §4.7): a mark is withdrawn by its
// author, then 40 marks of the same client and occasion arrive at once
// from both point managers and the service manager. The withdrawn mark
// does not count: exactly one of the 40 wins, the 39 others get a clear
// 400, and the card has the first mark's comment, the withdrawal's and
// the winner's.
func TestRaceRemarksAfterWithdraw(t *testing.T) {
	app := New(t)
	verifyAggregatesAfter(t, app)
	server := Serve(t, app)
	users := []string{PM1, PM1b, SM}
	iterations := raceIterations() / 4
	for n := range iterations {
		client := newClient(t, app, n)
		first := Request(t, server, http.MethodPost, "/api/collections/touches/records", PM1, markBody(client, OccStandard, "done", "mis-click"))
		if first.Status != 200 {
			t.Fatalf("iteration %d: first mark: %d %s", n, first.Status, first.Body)
		}
		id, _ := first.JSON["id"].(string)
		undo := Request(t, server, http.MethodPatch, "/api/collections/touches/records/"+id, PM1, `{"status":"withdrawn"}`)
		if undo.Status != 200 {
			t.Fatalf("iteration %d: withdraw: %d %s", n, undo.Status, undo.Body)
		}

		calls := make([]call, 40)
		for i := range calls {
			u := users[i%len(users)]
			calls[i] = call{http.MethodPost, "/api/collections/touches/records", u, markBody(client, OccStandard, "done", "by "+u)}
		}
		res := race(t, server, calls...)
		winners := 0
		for i, r := range res {
			switch {
			case r.Status == 200:
				winners++
			case r.Status != 400 || code(r, "client") != "validation_already_touched":
				t.Errorf("iteration %d: loser %s got %d %s, want a 400 saying the client was already touched", n, calls[i].user, r.Status, r.Body)
			}
		}
		if winners != 1 {
			t.Fatalf("iteration %d: %d winners, want exactly one", n, winners)
		}
		var done, withdrawn int
		for _, touch := range touchesOf(t, app, client) {
			switch touch.GetString("status") {
			case "done":
				done++
			case "withdrawn":
				withdrawn++
			}
		}
		if done != 1 || withdrawn != 1 {
			t.Fatalf("iteration %d: %d done and %d withdrawn touches, want 1 and 1", n, done, withdrawn)
		}
		if comments := commentsOf(t, app, client, "touch"); len(comments) != 3 {
			t.Fatalf("iteration %d: %d touch comments, want the first mark's, the withdrawal's and the winner's", n, len(comments))
		}
	}
}
