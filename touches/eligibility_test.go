package touches_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	. "touchbase/internal/testapp"
	"touchbase/occurrence"
)

// mark is the body of a done touch.
func mark(client, occasion string) string {
	return `{"client":"` + client + `","occasion":"` + occasion + `","status":"done"}`
}

// TestEligibility: a point manager may mark only active occasions that
// target the client's point and segment; a service manager may back-fill.
func TestEligibility(t *testing.T) {
	cases := []struct {
		name, user, client, occasion string
		status                       int
		content                      string
	}{
		{"archived occasion", PM1, C1, OccArchived, 400, `«Old promo» cannot be marked for ООО Ромашка: the occasion is archived.`},
		{"ended occasion", PM1, C1, OccEnded, 400, `the occasion ended on `},
		{"occasion for another point", PM1, C1, OccP2Only, 400, `the occasion does not target the point Moscow`},
		{"occasion for other segments", PM1, C1c, OccSegmentA, 400, `the occasion targets segments [A+ A], the client's segment is none`},
		{"occasion for the client's segment", PM1, C1, OccSegmentA, 200, `"occasion":"` + OccSegmentA + `"`},
		{"service manager back-fills an archived occasion", SM, C1, OccArchived, 200, `"occasion":"` + OccArchived + `"`},
		{"service manager back-fills another point's occasion", SM, C1, OccP2Only, 200, `"occasion":"` + OccP2Only + `"`},
	}
	for _, c := range cases {
		s := tests.ApiScenario{
			Name: c.name, Method: http.MethodPost, URL: touchesURL, Headers: Auth(c.user), TestAppFactory: Factory,
			Body: body(kv("client", c.client), kv("occasion", c.occasion), kv("status", "done")), ExpectedStatus: c.status,
			ExpectedContent: []string{c.content},
		}
		if c.status == 400 {
			s.ExpectedContent = append(s.ExpectedContent, `"occasion":{"code":"validation_not_eligible"`)
			s.AfterTestFunc = expectNoTouch(c.client, c.occasion)
		}
		s.Test(t)
	}
}

// TestSuppression follows a ticket through its life: while it is open a
// standard touch is refused and a mandatory one accepted; resolving it
// lifts the hold and standard touches come back.
func TestSuppression(t *testing.T) {
	app := New(t)
	server := Serve(t, app)

	hold, err := app.FindFirstRecordByData("holds", "ticket", TK1)
	if err != nil {
		t.Fatalf("the open fixture ticket has no hold: %v", err)
	}
	if hold.GetString("reason") != "ticket" || hold.GetString("client") != C1b {
		t.Fatalf("ticket hold = %v", hold.FieldsData())
	}

	r := Request(t, server, http.MethodPost, touchesURL, PM1, mark(C1b, OccStandard))
	if r.Status != 400 || r.JSON["message"] != "ИП Кузнецов is on hold (reason: ticket, open ticket «Broken delivery», until lifted): standard occasions are paused for this client; mandatory touches remain allowed." {
		t.Fatalf("standard touch while held: %d %s", r.Status, r.Body)
	}
	r = Request(t, server, http.MethodPost, touchesURL, SM, mark(C1b, OccStandard))
	if r.Status != 400 {
		t.Fatalf("a service manager's standard touch while held: %d %s", r.Status, r.Body)
	}
	r = Request(t, server, http.MethodPost, touchesURL, PM1, mark(C1b, OccMandatory))
	if r.Status != 200 {
		t.Fatalf("mandatory touch while held: %d %s", r.Status, r.Body)
	}

	r = Request(t, server, http.MethodPatch, "/api/collections/tickets/records/"+TK1, SM, `{"status":"resolved"}`)
	if r.Status != 200 || r.JSON["resolved_at"] == "" {
		t.Fatalf("resolve: %d %s", r.Status, r.Body)
	}
	if n := Count(t, app, "holds", "ticket = {:t}", dbx.Params{"t": TK1}); n != 0 {
		t.Fatalf("resolving did not lift the hold (%d left)", n)
	}
	system := Count(t, app, "comments", `client = {:c} && kind = "system"`, dbx.Params{"c": C1b})
	if system != 2 {
		t.Fatalf("want the opened and resolved system comments, got %d", system)
	}

	r = Request(t, server, http.MethodPost, touchesURL, PM1, mark(C1b, OccStandard))
	if r.Status != 200 {
		t.Fatalf("standard touch after resolve: %d %s", r.Status, r.Body)
	}

	r = Request(t, server, http.MethodPatch, "/api/collections/tickets/records/"+TK1, SM, `{"status":"open"}`)
	if r.Status != 200 || Count(t, app, "holds", "ticket = {:t}", dbx.Params{"t": TK1}) != 1 {
		t.Fatalf("reopening must hold the client again: %d %s", r.Status, r.Body)
	}
}

// TestHolds: expired holds stop applying by themselves; a hold for one
// occasion blocks only that occasion.
func TestHolds(t *testing.T) {
	// until is a day (SPEC §3) that runs through that day at C1's point
	day := func(offset int) string {
		return occurrence.Today(time.Now(), "Europe/Moscow").AddDate(0, 0, offset).Format(time.DateOnly)
	}
	cases := []struct {
		name     string
		hold     map[string]any
		occasion string
		status   int
	}{
		{"expired hold no longer applies", map[string]any{"reason": "requested", "until": day(-1)}, OccStandard, 200},
		{"hold until tomorrow applies", map[string]any{"reason": "requested", "until": day(1)}, OccStandard, 400},
		{"hold until lifted applies", map[string]any{"reason": "bought"}, OccStandard, 400},
		{"hold for this occasion applies", map[string]any{"reason": "declined", "occasion": OccStandard}, OccStandard, 400},
		{"hold for another occasion does not", map[string]any{"reason": "declined", "occasion": OccStandard}, OccSegmentA, 200},
	}
	for _, c := range cases {
		s := tests.ApiScenario{
			Name: c.name, Method: http.MethodPost, URL: touchesURL, Headers: Auth(PM1), TestAppFactory: Factory,
			Body: body(kv("client", C1), kv("occasion", c.occasion), kv("status", "done")), ExpectedStatus: c.status,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				holds, _ := app.FindCollectionByNameOrId("holds")
				h := core.NewRecord(holds)
				h.Load(c.hold)
				h.Set("client", C1)
				if err := app.Save(h); err != nil {
					t.Fatal(err)
				}
			},
		}
		if c.status == 400 {
			s.ExpectedContent = []string{`"client":{"code":"validation_client_held"`, "ООО Ромашка is on hold"}
			s.AfterTestFunc = expectNoTouch(C1, c.occasion)
		} else {
			s.ExpectedContent = []string{`"status":"done"`}
		}
		s.Test(t)
	}
}

// TestPeriods: the server sets a touch's period from the occurrence it
// belongs to, so a yearly occasion can be marked once a year and a
// birthday once per birthday.
func TestPeriods(t *testing.T) {
	app := New(t)
	server := Serve(t, app)
	now := time.Now()
	today := occurrence.Today(now, "Europe/Moscow")

	occasions, _ := app.FindCollectionByNameOrId("occasions")
	save := func(id string, fields map[string]any) {
		r := core.NewRecord(occasions)
		r.Id = id
		r.Load(fields)
		if err := app.Save(r); err != nil {
			t.Fatal(err)
		}
	}
	// a yearly occasion active all year, and a birthday occasion
	save("occyearly000001", map[string]any{"title": "Yearly check-in", "kind": "standard", "repeat": "yearly",
		"starts": today.AddDate(0, 0, -3).Format("2006-01-02"), "ends": today.AddDate(0, 0, 30).Format("2006-01-02")})
	save("occbirthday0001", map[string]any{"title": "Birthday", "kind": "standard", "trigger": "birthday",
		"template": "С днём рождения, {{contact}}!"})

	birthday := today.AddDate(-40, 0, 3) // in three days, forty years ago
	SetContact(t, app, C1, map[string]any{"birthday": birthday.Format("2006-01-02")})

	r := Request(t, server, http.MethodPost, touchesURL, PM1, mark(C1, "occyearly000001"))
	if want := occurrence.For(occurrence.Occasion{Repeat: "yearly", Starts: today.AddDate(0, 0, -3), Ends: today.AddDate(0, 0, 30)}, occurrence.Client{}, today).Period; r.Status != 200 || r.JSON["period"] != want || want == "" {
		t.Fatalf("yearly touch: want period %q, got %d %s", want, r.Status, r.Body)
	}
	r = Request(t, server, http.MethodPost, touchesURL, PM1b, mark(C1, "occyearly000001"))
	if r.Status != 400 {
		t.Fatalf("second yearly touch in the same year: %d %s", r.Status, r.Body)
	}

	// a birthday is a person's: the mark names the contact, and its period
	// is the year and the contact ("2026/<contact id>")
	r = Request(t, server, http.MethodPost, touchesURL, PM1, mark(C1, "occbirthday0001"))
	if r.Status != 400 || !strings.Contains(r.Body, `"contact":{"code":"validation_required"`) {
		t.Fatalf("birthday touch without a contact: %d %s, want a 400 naming contact", r.Status, r.Body)
	}
	r = Request(t, server, http.MethodPost, touchesURL, PM1, markContact(C1, "occbirthday0001", CT1))
	want := occurrence.For(occurrence.Occasion{Trigger: "birthday"}, occurrence.Client{Birthday: birthday}, today).Period
	if r.Status != 200 || r.JSON["period"] != want+"/"+CT1 || want == "" {
		t.Fatalf("birthday touch: want period %q, got %d %s", want+"/"+CT1, r.Status, r.Body)
	}

	// a contact without a birthday cannot get a birthday touch
	r = Request(t, server, http.MethodPost, touchesURL, PM1, markContact(C1, "occbirthday0001", CT1b))
	if r.Status != 400 || r.JSON["message"] != "«Birthday» cannot be marked for ООО Ромашка: the client's birthday is not set." {
		t.Fatalf("birthday without a date: %d %s", r.Status, r.Body)
	}
}

func markContact(client, occasion, contact string) string {
	return `{"client":"` + client + `","occasion":"` + occasion + `","contact":"` + contact + `","status":"done"}`
}

// TestBirthdayPerContact: a birthday occasion's occurrences are per
// contact (SPEC §3 touches.period, §6): two people of one client are two
// marks, the same person twice in a year is a 400, and a contact must be
// one of the client's people.
func TestBirthdayPerContact(t *testing.T) {
	app := New(t)
	server := Serve(t, app)
	occasions, _ := app.FindCollectionByNameOrId("occasions")
	o := core.NewRecord(occasions)
	o.Id = "occbirthday0001"
	o.Load(map[string]any{"title": "Birthday", "kind": "standard", "trigger": "birthday"})
	if err := app.Save(o); err != nil {
		t.Fatal(err)
	}
	today := occurrence.Today(time.Now(), "Europe/Moscow")
	for _, id := range []string{CT1, CT1b} {
		c, _ := app.FindRecordById("contacts", id)
		c.Set("birthday", today.AddDate(-35, 0, 2).Format("2006-01-02"))
		if err := app.Save(c); err != nil {
			t.Fatal(err)
		}
	}

	if r := Request(t, server, http.MethodPost, touchesURL, PM1, markContact(C1, o.Id, CT1)); r.Status != 200 {
		t.Fatalf("Ирина's birthday: %d %s", r.Status, r.Body)
	}
	if r := Request(t, server, http.MethodPost, touchesURL, PM1b, markContact(C1, o.Id, CT1b)); r.Status != 200 {
		t.Fatalf("Алексей's birthday, same client and year: %d %s", r.Status, r.Body)
	}
	r := Request(t, server, http.MethodPost, touchesURL, PM1b, markContact(C1, o.Id, CT1))
	if r.Status != 400 || !strings.Contains(r.Body, "validation_already_touched") {
		t.Fatalf("Ирина twice: %d %s, want the duplicate 400", r.Status, r.Body)
	}
	r = Request(t, server, http.MethodPost, touchesURL, PM1, markContact(C1, o.Id, CT2))
	if r.Status != 400 || !strings.Contains(r.Body, `"contact":{"code":"validation_contact_client"`) {
		t.Fatalf("another client's contact: %d %s, want a 400 naming contact", r.Status, r.Body)
	}
	if n := Count(t, app, "touches", "occasion = {:o}", dbx.Params{"o": o.Id}); n != 2 {
		t.Errorf("%d birthday touches, want 2", n)
	}
	if n := Count(t, app, "comments", "kind = 'touch' && client = {:c}", dbx.Params{"c": C1}); n < 2 {
		t.Errorf("%d touch comments on C1, want one per mark", n)
	}
}
