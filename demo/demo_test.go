package demo_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"touchbase/demo"
	_ "touchbase/migrations"
	"touchbase/server"
	"touchbase/tmpl"
)

var collections = []string{"points", "users", "clients", "occasions", "occasion_templates", "touches", "comments", "tickets", "holds", "cadences", core.CollectionNameSuperusers}

func newApp(t *testing.T) *tests.TestApp {
	t.Helper()
	app, err := tests.NewTestApp(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	server.BindAppHooks(app)
	t.Cleanup(app.Cleanup)
	return app
}

func counts(t *testing.T, app core.App) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, name := range collections {
		n, err := app.CountRecords(name)
		if err != nil {
			t.Fatalf("count %s: %v", name, err)
		}
		out[name] = n
	}
	return out
}

func all(t *testing.T, app core.App, collection string) []*core.Record {
	t.Helper()
	records, err := app.FindAllRecords(collection)
	if err != nil {
		t.Fatalf("records of %s: %v", collection, err)
	}
	return records
}

func TestSeedIfEmpty(t *testing.T) {
	app := newApp(t)

	var out bytes.Buffer
	started := time.Now()
	// served on another address than the default (serve --http 192.0.2.10:9000)
	const base = "http://192.0.2.10:9000"
	if err := demo.SeedIfEmpty(app, &out, base); err != nil {
		t.Fatalf("SeedIfEmpty: %v\n%s", err, out.String())
	}
	t.Logf("seeded in %s\n%s", time.Since(started), out.String())

	n := counts(t, app)
	t.Logf("counts: %v", n)
	if n["points"] != 3 {
		t.Errorf("points = %d, want 3", n["points"])
	}
	if n["users"] != 7 {
		t.Errorf("users = %d, want 7", n["users"])
	}
	if n["clients"] != 300 {
		t.Errorf("clients = %d, want 300", n["clients"])
	}
	if n["touches"] < 120 || n["touches"] > 200 {
		t.Errorf("touches = %d, want about 150", n["touches"])
	}
	if n["tickets"] != 8 {
		t.Errorf("tickets = %d, want 8", n["tickets"])
	}
	if n[core.CollectionNameSuperusers] != 1 {
		t.Errorf("superusers = %d, want 1", n[core.CollectionNameSuperusers])
	}

	// the printed block: addresses and every credential
	text := out.String()
	for _, want := range []string{"Manager page: " + base + "/\n", "Dashboard:    " + base + "/_/\n", "dashboard " + base + "/_/", demo.Password, demo.SuperuserEmail,
		"service@touchbase.demo", "olga@touchbase.demo", "ivan@touchbase.demo", "anna@touchbase.demo",
		"james@touchbase.demo", "emma@touchbase.demo", "service_manager", "point_manager", "Москва — Центр", "London"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if strings.Contains(text, "8090") {
		t.Errorf("output links to the default address, not %s:\n%s", base, text)
	}

	// staff: the demo password works, roles and points are set
	points := map[string]*core.Record{}
	for _, p := range all(t, app, "points") {
		points[p.Id] = p
	}
	users := map[string]*core.Record{}
	for _, u := range all(t, app, "users") {
		users[u.Id] = u
		if !u.ValidatePassword(demo.Password) || !u.Verified() {
			t.Errorf("user %s: password or verified not set", u.Email())
		}
		if u.GetString("role") == "point_manager" && points[u.GetString("point")] == nil {
			t.Errorf("point manager %s has no point", u.Email())
		}
	}
	if su, err := app.FindAuthRecordByEmail(core.CollectionNameSuperusers, demo.SuperuserEmail); err != nil || !su.ValidatePassword(demo.Password) {
		t.Errorf("demo superuser missing or wrong password: %v", err)
	}

	// clients: managers of the same point, the three points all used,
	// several segments, a 29 February birthday
	clients := map[string]*core.Record{}
	perPoint := map[string]int{}
	segments := map[string]int{}
	leapBirthday := false
	for _, c := range all(t, app, "clients") {
		clients[c.Id] = c
		perPoint[points[c.GetString("point")].GetString("name")]++
		segments[c.GetString("segment")]++
		if m := users[c.GetString("manager")]; m != nil && m.GetString("point") != c.GetString("point") {
			t.Errorf("client %s has a manager of another point", c.GetString("name"))
		}
	}
	// contacts: two or three per client, exactly one primary, roles
	contactsOf := map[string]int{}
	primaryOf := map[string]int{}
	roles := map[string]int{}
	for _, c := range all(t, app, "contacts") {
		contactsOf[c.GetString("client")]++
		if c.GetBool("primary") {
			primaryOf[c.GetString("client")]++
		}
		roles[c.GetString("role")]++
		if b := c.GetDateTime("birthday").Time(); b.Month() == time.February && b.Day() == 29 {
			leapBirthday = true
		}
	}
	for id, c := range clients {
		if n := contactsOf[id]; n < 2 || n > 3 {
			t.Errorf("client %s has %d contacts, want 2 or 3", c.GetString("name"), n)
		}
		if primaryOf[id] != 1 {
			t.Errorf("client %s has %d primary contacts", c.GetString("name"), primaryOf[id])
		}
	}
	if len(roles) < 4 {
		t.Errorf("contact roles = %v, want several", roles)
	}
	t.Logf("clients per point: %v, per segment: %v", perPoint, segments)
	if perPoint["Москва — Центр"] != 120 || perPoint["Санкт-Петербург"] != 100 || perPoint["London"] != 80 {
		t.Errorf("clients per point = %v", perPoint)
	}
	if !(segments["A+"] < segments["A"] && segments["A"] < segments["C"]) {
		t.Errorf("segments not skewed: %v", segments)
	}
	if !leapBirthday {
		t.Error("no contact born on 29 February")
	}

	// occasions: both kinds, valid templates, archived, targeted ones
	occasions := map[string]*core.Record{}
	kinds := map[string]int{}
	var archived, onePoint, segmentTargeted, personal int
	for _, o := range all(t, app, "occasions") {
		occasions[o.Id] = o
		kinds[o.GetString("kind")]++
		if err := tmpl.Validate(o.GetString("template")); err != nil {
			t.Errorf("occasion %q: %v", o.GetString("title"), err)
		}
		if o.GetBool("archived") {
			archived++
		}
		if len(o.GetStringSlice("points")) == 1 {
			onePoint++
		}
		if len(o.GetStringSlice("segments")) > 0 {
			segmentTargeted++
		}
		if o.GetString("trigger") == "birthday" || o.GetString("trigger") == "anniversary" {
			personal++
		}
	}
	if kinds["mandatory"] == 0 || kinds["standard"] == 0 {
		t.Errorf("occasion kinds = %v", kinds)
	}
	if archived == 0 || onePoint == 0 || segmentTargeted == 0 || personal != 2 {
		t.Errorf("archived %d, one-point %d, segment-targeted %d, personal %d", archived, onePoint, segmentTargeted, personal)
	}

	// occasion templates: every occasion has a Russian text, the
	// bilingual ones an English one, none mixes the two scripts, and two
	// occasions run an A/B test
	perOccasion := map[string]map[string]int{}
	for _, v := range all(t, app, "occasion_templates") {
		text := v.GetString("text")
		if err := tmpl.Validate(text); err != nil {
			t.Errorf("template %s: %v", v.Id, err)
		}
		cyrillic := strings.ContainsFunc(text, func(r rune) bool { return unicode.Is(unicode.Cyrillic, r) })
		if (v.GetString("language") == "ru") != cyrillic {
			t.Errorf("a %s template in the wrong script: %q", v.GetString("language"), text)
		}
		if perOccasion[v.GetString("occasion")] == nil {
			perOccasion[v.GetString("occasion")] = map[string]int{}
		}
		perOccasion[v.GetString("occasion")][v.GetString("language")]++
	}
	abTests, english := 0, 0
	for id, o := range occasions {
		langs := perOccasion[id]
		if langs["ru"] == 0 {
			t.Errorf("occasion %q has no Russian text", o.GetString("title"))
		}
		if langs["en"] > 0 {
			english++
		}
		if langs["ru"] == 2 && langs["en"] == 2 {
			abTests++
		}
	}
	if abTests != 2 || english < len(occasions)/2 {
		t.Errorf("A/B tests %d (want 2), occasions with English %d of %d", abTests, english, len(occasions))
	}
	recorded := 0
	for _, touch := range all(t, app, "touches") {
		if touch.GetString("template") != "" {
			recorded++
		}
	}
	if recorded == 0 {
		t.Error("no demo touch records the text it was given")
	}

	// touches: each by a point manager of the client's point, each with
	// exactly one card comment of kind touch
	comments := all(t, app, "comments")
	touchComments := map[string]int{}
	manual := 0
	for _, c := range comments {
		switch c.GetString("kind") {
		case "touch":
			touchComments[c.GetString("touch")]++
		case "manual":
			manual++
			if c.GetString("author") == "" {
				t.Errorf("manual comment %s has no author", c.Id)
			}
		}
	}
	statuses, outcomes := map[string]int{}, map[string]int{}
	for _, touch := range all(t, app, "touches") {
		statuses[touch.GetString("status")]++
		outcomes[touch.GetString("outcome")]++
		// the mark's comment, and one for its outcome or its withdrawal
		want := 1
		if touch.GetString("outcome") != "" || touch.GetString("status") == "withdrawn" {
			want = 2
		}
		if touchComments[touch.Id] != want {
			t.Errorf("touch %s (%s, outcome %q) has %d touch comments, want %d", touch.Id, touch.GetString("status"), touch.GetString("outcome"), touchComments[touch.Id], want)
		}
		client := clients[touch.GetString("client")]
		author := users[touch.GetString("author")]
		if author == nil || author.GetString("role") != "point_manager" || author.GetString("point") != client.GetString("point") {
			t.Errorf("touch %s of %s is not by a manager of its point", touch.Id, client.GetString("name"))
		}
		if touch.GetString("status") == "skipped" && touch.GetString("comment") == "" {
			t.Errorf("skipped touch %s has no reason", touch.Id)
		}
		occasion := occasions[touch.GetString("occasion")]
		if occasion.GetString("repeat") == "yearly" && touch.GetString("period") == "" {
			t.Errorf("yearly touch %s has no period", touch.Id)
		}
	}
	if len(touchComments) != int(n["touches"]) {
		t.Errorf("%d touch comments for %d touches", len(touchComments), n["touches"])
	}
	if statuses["done"] <= statuses["skipped"] || statuses["skipped"] == 0 || statuses["withdrawn"] != 1 {
		t.Errorf("touch statuses = %v, want done and skipped ones and one withdrawn", statuses)
	}
	// outcomes: most done touches have one, about a third of them
	// replies, and every kind shows up
	for _, o := range []string{"replied", "no_reply", "not_now", "declined", "bought", "referral"} {
		if outcomes[o] == 0 {
			t.Errorf("no touch with outcome %s: %v", o, outcomes)
		}
	}
	answered := statuses["done"] + statuses["skipped"] + statuses["withdrawn"] - outcomes[""]
	if answered < statuses["done"]/2 || outcomes["replied"] < answered/5 {
		t.Errorf("outcomes = %v of %d done touches", outcomes, statuses["done"])
	}
	if manual == 0 {
		t.Error("no manual comments")
	}

	// tickets and the three demo holds (ticket holds are the server's)
	ticketStatus := map[string]int{}
	for _, ticket := range all(t, app, "tickets") {
		ticketStatus[ticket.GetString("status")]++
		if ticket.GetString("status") == "resolved" && ticket.GetDateTime("resolved_at").IsZero() {
			t.Errorf("resolved ticket %q has no resolved_at", ticket.GetString("title"))
		}
	}
	if ticketStatus["open"] == 0 || ticketStatus["resolved"] == 0 {
		t.Errorf("ticket statuses = %v", ticketStatus)
	}
	reasons := map[string]*core.Record{}
	outcomeHolds, purchaseHolds := 0, 0
	for _, h := range all(t, app, "holds") {
		if h.GetString("touch") != "" {
			outcomeHolds++ // the server's, for a declined, bought or not-now outcome
			continue
		}
		if h.GetString("event") != "" {
			purchaseHolds++ // the server's, for a purchase event (SPEC §4.8)
			continue
		}
		if h.GetString("reason") != "ticket" {
			reasons[h.GetString("reason")] = h
		}
	}
	if outcomeHolds == 0 {
		t.Error("no hold of an outcome")
	}
	if purchaseHolds == 0 {
		t.Error("no hold of a purchase event")
	}
	if len(reasons) != 3 || reasons["declined"] == nil || reasons["requested"] == nil || reasons["bought"] == nil {
		t.Fatalf("holds = %v", reasons)
	}
	if reasons["declined"].GetString("occasion") == "" {
		t.Error("the declined hold names no occasion")
	}
	if until := reasons["requested"].GetDateTime("until").Time(); until.Before(time.Now().AddDate(0, 0, 25)) {
		t.Errorf("requested hold until %s, want in about 30 days", until)
	}
	if until := reasons["bought"].GetDateTime("until").Time(); !until.Before(time.Now()) {
		t.Errorf("expired hold until %s, want in the past", until)
	}

	// a second run changes nothing
	out.Reset()
	if err := demo.SeedIfEmpty(app, &out, ""); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "skipped") || strings.Count(out.String(), "\n") != 1 {
		t.Errorf("second run printed %q", out.String())
	}
	if again := counts(t, app); !equal(again, n) {
		t.Errorf("second run changed counts: %v -> %v", n, again)
	}
}

// TestSeedIsReproducible checks that two demos have the same clients, so
// screenshots stay stable.
func TestSeedIsReproducible(t *testing.T) {
	names := func() []string {
		app := newApp(t)
		if err := demo.Seed(app, nil, ""); err != nil {
			t.Fatal(err)
		}
		var out []string
		names := map[string]string{}
		for _, c := range all(t, app, "clients") {
			names[c.Id] = c.GetString("name") + "|" + c.GetString("segment")
		}
		for _, c := range all(t, app, "contacts") {
			out = append(out, names[c.GetString("client")]+"|"+c.GetString("name")+"|"+c.GetString("role")+"|"+c.GetString("telegram"))
		}
		slices.Sort(out)
		return out
	}
	first, second := names(), names()
	if !slices.Equal(first, second) {
		t.Error("two demo runs produced different clients")
	}
}

func equal(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestDemoEventOccasions: the demo's two event occasions (acceptance after
// a shipment, maintenance after an installation) have rows in every
// point's worklist today, each naming its event.
func TestDemoEventOccasions(t *testing.T) {
	app := newApp(t)
	var out bytes.Buffer
	if err := demo.SeedIfEmpty(app, &out, ""); err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"shipment", "installation"} {
		occasion, err := app.FindFirstRecordByData("occasions", "event_kind", kind)
		if err != nil {
			t.Fatalf("no %s occasion: %v", kind, err)
		}
		if occasion.GetString("kind") != "mandatory" || occasion.GetString("trigger") != "event" {
			t.Errorf("%s occasion: %v", kind, occasion.PublicExport())
		}
		templates, _ := app.FindAllRecords("occasion_templates")
		langs := map[string]bool{}
		for _, tpl := range templates {
			if tpl.GetString("occasion") == occasion.Id {
				langs[tpl.GetString("language")] = true
			}
		}
		if !langs["ru"] || !langs["en"] {
			t.Errorf("%s occasion's languages: %v", kind, langs)
		}
		var perPoint []struct {
			Point string `db:"point"`
			N     int    `db:"n"`
		}
		offset := occasion.GetInt("offset_days")
		// the same window the worklist applies, by the server's date (the demo's points are UTC+0…+3)
		err = app.DB().NewQuery(`SELECT c.point AS point, COUNT(*) AS n FROM events e JOIN clients c ON c.id = e.client
			WHERE e.kind = {:kind} AND date(e.date, '+' || {:offset} || ' days') <= date('now') AND date(e.date, '+' || ({:offset} + 13) || ' days') >= date('now', '+1 day')
			GROUP BY c.point`).Bind(map[string]any{"kind": kind, "offset": offset}).All(&perPoint)
		if err != nil {
			t.Fatal(err)
		}
		if len(perPoint) != 3 {
			t.Errorf("%s follow-ups due today by point: %v, want rows in all three", kind, perPoint)
		}
	}
}
