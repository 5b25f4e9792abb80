package dataset_test

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"testing"
	"time"
	"unicode"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"touchbase/aggregates"
	"touchbase/bench/dataset"
	"touchbase/clients"
	"touchbase/domain"
	"touchbase/occurrence"
	"touchbase/server"
)

// day is the fixed day the test data sets are laid out around.
var day = time.Date(2026, time.November, 24, 0, 0, 0, 0, time.UTC)

func small(seed uint64) dataset.Config {
	cfg := dataset.Small(seed)
	cfg.Today = day
	return cfg
}

// generate creates a small data set in a temp dir and returns the dir.
func generate(t *testing.T, cfg dataset.Config) string {
	t.Helper()
	dir := t.TempDir()
	stats, err := dataset.Create(dir, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("generated in %s: %v", stats.Took.Round(time.Millisecond), stats.Counts)
	return dir
}

// open boots a Touchbase app (hooks included) on a generated data dir.
func open(t *testing.T, dir string) core.App {
	t.Helper()
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: dir})
	if err := app.Bootstrap(); err != nil {
		t.Fatal(err)
	}
	server.BindAppHooks(app)
	t.Cleanup(func() { app.ResetBootstrapState() })
	return app
}

func count(t *testing.T, app core.App, sql string) int {
	t.Helper()
	var n int
	if err := app.DB().NewQuery(sql).Row(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// TestInvariants checks what the hooks would guarantee had they written
// the rows: the counts asked for, one card comment per touch worded as
// the hooks word it, the period the occurrence rule gives, one mark per
// occurrence, valid records, and names in both scripts.
func TestInvariants(t *testing.T) {
	cfg := small(1)
	app := open(t, generate(t, cfg))

	for table, want := range map[string]int{
		"points": cfg.Points, "users": cfg.Points*cfg.ManagersPerPoint + cfg.ServiceManagers, "clients": cfg.Clients,
		"occasions": cfg.Occasions, "touches": cfg.Touches, "tickets": cfg.Tickets,
	} {
		query := "SELECT COUNT(*) FROM " + table
		if table == "occasions" { // the built-in personal-contact occasion comes with the migrations
			query += " WHERE id != '" + domain.PersonalContactOccasion + "'"
		}
		if got := count(t, app, query); got != want {
			t.Errorf("%s: %d rows, want %d", table, got, want)
		}
	}
	// people: about ContactsPerClient a client, exactly one primary, and the
	// search column the server keeps (clients.RefreshSearch) from them
	if n, want := count(t, app, "SELECT COUNT(*) FROM contacts"), dataset.DefaultContactsPerClient*float64(cfg.Clients); float64(n) < 0.9*want || float64(n) > 1.1*want {
		t.Errorf("%d contacts for %d clients, want about %.0f", n, cfg.Clients, want)
	}
	if n := count(t, app, `SELECT COUNT(*) FROM clients c WHERE (SELECT COUNT(*) FROM contacts k WHERE k.client = c.id AND k."primary" = TRUE AND k.archived = FALSE) != 1`); n != 0 {
		t.Errorf("%d clients without exactly one primary contact", n)
	}
	var sample []struct {
		Id     string `db:"id"`
		Search string `db:"search"`
	}
	if err := app.DB().NewQuery("SELECT id, search FROM clients ORDER BY id LIMIT 300").All(&sample); err != nil {
		t.Fatal(err)
	}
	for _, c := range sample {
		if err := clients.RefreshSearch(app, c.Id); err != nil {
			t.Fatal(err)
		}
		var kept string
		if err := app.DB().NewQuery("SELECT search FROM clients WHERE id = {:id}").Bind(dbx.Params{"id": c.Id}).Row(&kept); err != nil {
			t.Fatal(err)
		}
		if kept != c.Search {
			t.Errorf("client %s: search %q, the server keeps %q", c.Id, c.Search, kept)
			break
		}
	}

	// the morning e-mail is on for every account, as the users hook sets it
	if n := count(t, app, `SELECT COUNT(*) FROM users WHERE digest != TRUE`); n != 0 {
		t.Errorf("%d staff with the morning e-mail off", n)
	}

	// the aggregates (rebuilt after the bulk load) equal their
	// recomputation, and the triggers that keep them are back
	if diffs, err := aggregates.Verify(app); err != nil || len(diffs) > 0 {
		t.Errorf("aggregates: %v %v", err, diffs[:min(len(diffs), 5)])
	}
	if n := count(t, app, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND (name LIKE 'clients_last_touch_%' OR name LIKE 'mark_counts_%' OR name LIKE 'client_cells_%')`); n != 14 {
		t.Errorf("%d aggregate triggers after the load, want 14", n)
	}

	if n := count(t, app, `SELECT COUNT(*) FROM touches t WHERE (SELECT COUNT(*) FROM comments c WHERE c.touch = t.id) != 1`); n != 0 {
		t.Errorf("%d touches without exactly one comment", n)
	}
	if n := count(t, app, `SELECT COUNT(*) FROM comments WHERE kind = 'touch' AND touch NOT IN (SELECT id FROM touches)`); n != 0 {
		t.Errorf("%d touch comments without their touch", n)
	}
	if n := count(t, app, `SELECT COUNT(*) FROM comments c JOIN touches t ON t.id = c.touch WHERE c.client != t.client OR c.kind != 'touch' OR c.created != t.created OR c.author != t.author`); n != 0 {
		t.Errorf("%d touch comments that do not match their touch", n)
	}
	if n := count(t, app, `SELECT COUNT(*) FROM (SELECT 1 FROM touches GROUP BY client, occasion, period HAVING COUNT(*) > 1)`); n != 0 {
		t.Errorf("%d occurrences marked twice", n)
	}
	if n := count(t, app, `SELECT COUNT(*) FROM tickets k WHERE k.status = 'open' AND NOT EXISTS (SELECT 1 FROM holds h WHERE h.ticket = k.id AND h.client = k.client AND h.reason = 'ticket')`); n != 0 {
		t.Errorf("%d open tickets without their hold", n)
	}
	if n := count(t, app, `SELECT COUNT(*) FROM touches WHERE occasion = '`+dataset.MarkOccasionId+`'`); n != 0 {
		t.Errorf("the mark benchmark's occasion has %d touches, want none", n)
	}
	if n := count(t, app, `SELECT COUNT(*) FROM touches WHERE occasion = '`+dataset.WorklistOccasionId+`'`); n < cfg.Clients/5 {
		t.Errorf("the worklist occasion has only %d touches", n)
	}

	// every touch: its period and its comment
	var rows []struct {
		Created     string `db:"created"`
		Period      string `db:"period"`
		Status      string `db:"status"`
		Channel     string `db:"channel"`
		Note        string `db:"comment"`
		Text        string `db:"text"`
		Author      string `db:"author"`
		Title       string `db:"title"`
		Repeat      string `db:"repeat"`
		Trigger     string `db:"trigger"`
		Starts      string `db:"starts"`
		Ends        string `db:"ends"`
		Birthday    string `db:"contact_birthday"`
		Since       string `db:"since"`
		Timezone    string `db:"timezone"`
		ClientPoint string `db:"point"`
		Contact     string `db:"contact"`
		ContactName string `db:"contact_name"`
	}
	err := app.DB().NewQuery(`SELECT t.created, t.period, t.status, t.channel, t.comment, m.text, u.name AS author,
			o.title, o.repeat, o.trigger, o.starts, o.ends, COALESCE(k.birthday, '') AS contact_birthday, c.since, p.timezone, c.point,
			COALESCE(k.id, '') AS contact, COALESCE(k.name, '') AS contact_name
		FROM touches t JOIN comments m ON m.touch = t.id JOIN users u ON u.id = t.author
		JOIN occasions o ON o.id = t.occasion JOIN clients c ON c.id = t.client JOIN points p ON p.id = c.point
		LEFT JOIN contacts k ON k.id = t.contact`).All(&rows)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != cfg.Touches {
		t.Fatalf("%d touches joined, want %d", len(rows), cfg.Touches)
	}
	bad := 0
	for _, r := range rows {
		if want := dataset.TouchCommentText(r.Title, r.ContactName, r.Status, r.Channel, r.Author, r.Note); r.Text != want {
			t.Errorf("comment %q, want %q", r.Text, want)
			bad++
		}
		created, _ := time.Parse("2006-01-02 15:04:05.000Z", r.Created)
		rule := occurrence.Occasion{Repeat: r.Repeat, Trigger: r.Trigger, Starts: parse(r.Starts), Ends: parse(r.Ends)}
		dates := occurrence.Client{Birthday: parse(r.Birthday), Since: parse(r.Since)}
		if want := domain.TouchPeriod(r.Trigger, occurrence.For(rule, dates, occurrence.Today(created, r.Timezone)).Period, r.Contact); r.Period != want {
			t.Errorf("touch of %s (%s %s) has period %q, the rule gives %q", r.Created, r.Repeat, r.Trigger, r.Period, want)
			bad++
		}
		if bad > 10 {
			t.FailNow()
		}
	}

	// records pass Touchbase's validation (field patterns, templates, managers)
	for _, collection := range []string{"points", "users", "clients", "contacts", "occasions", "touches", "comments", "tickets", "holds"} {
		records, err := app.FindAllRecords(collection)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range records {
			if err := app.Validate(r); err != nil {
				t.Errorf("%s %s is not valid: %v", collection, r.Id, err)
				break
			}
		}
	}

	// names in both scripts
	var names []string
	if err := app.DB().NewQuery("SELECT name FROM clients").Column(&names); err != nil {
		t.Fatal(err)
	}
	cyrillic, latin := 0, 0
	for _, name := range names {
		if hasScript(name, unicode.Cyrillic) {
			cyrillic++
		} else if hasScript(name, unicode.Latin) {
			latin++
		}
	}
	if cyrillic < len(names)/3 || latin < len(names)/5 {
		t.Errorf("%d Cyrillic and %d Latin client names of %d", cyrillic, latin, len(names))
	}
}

// TestCommentLikeTheHooks replaces a generated touch with one saved
// through the hooks and compares the two card comments.
func TestCommentLikeTheHooks(t *testing.T) {
	app := open(t, generate(t, small(3)))
	var touches []*core.Record
	for _, status := range []string{"done", "skipped"} {
		// of an occasion that is not archived: the hooks refuse a mark for
		// an archived one, whatever its date
		list, err := app.FindRecordsByFilter("touches", "status = {:s} && comment != '' && channel != '' && occasion.archived = false", "id", 1, 0, dbx.Params{"s": status})
		if status == "skipped" {
			list, err = app.FindRecordsByFilter("touches", "status = {:s} && comment != '' && occasion.archived = false", "id", 1, 0, dbx.Params{"s": status})
		}
		if err != nil || len(list) == 0 {
			t.Fatalf("no generated %s touch with a note: %v", status, err)
		}
		touches = append(touches, list[0])
	}
	for _, generated := range touches {
		comment, err := app.FindFirstRecordByFilter("comments", "touch = {:t}", dbx.Params{"t": generated.Id})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := app.DB().NewQuery("DELETE FROM comments WHERE touch = {:t}; ").Bind(dbx.Params{"t": generated.Id}).Execute(); err != nil {
			t.Fatal(err)
		}
		if _, err := app.DB().NewQuery("DELETE FROM touches WHERE id = {:t}").Bind(dbx.Params{"t": generated.Id}).Execute(); err != nil {
			t.Fatal(err)
		}
		touch := core.NewRecord(generated.Collection())
		for _, field := range []string{"client", "occasion", "status", "channel", "comment", "author"} {
			touch.Set(field, generated.Get(field))
		}
		// saved at the generated touch's moment, when its occasion was open
		// for the client (the hooks judge a touch at its created time)
		touch.SetRaw("created", generated.GetDateTime("created"))
		if err := app.RunInTransaction(func(tx core.App) error { return tx.Save(touch) }); err != nil {
			t.Fatalf("saving through the hooks: %v", err)
		}
		written, err := app.FindFirstRecordByFilter("comments", "touch = {:t}", dbx.Params{"t": touch.Id})
		if err != nil {
			t.Fatal(err)
		}
		if written.GetString("text") != comment.GetString("text") {
			t.Errorf("the hooks write %q, the generator wrote %q", written.GetString("text"), comment.GetString("text"))
		}
	}
}

// TestReproducible generates twice with the same seed (same rows) and once
// with another seed (other rows).
func TestReproducible(t *testing.T) {
	cfg := small(7)
	cfg.Clients, cfg.Touches, cfg.ManualComments = 400, 3000, 200
	a, b := digest(t, generate(t, cfg)), digest(t, generate(t, cfg))
	if a != b {
		t.Errorf("the same seed gave different data: %s, %s", a, b)
	}
	cfg.Seed = 8
	if c := digest(t, generate(t, cfg)); c == a {
		t.Error("another seed gave the same data")
	}
}

// digest hashes every row of the business tables in id order.
func digest(t *testing.T, dir string) string {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(dir, "data.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	h := sha256.New()
	for _, table := range []string{"points", "users", "clients", "contacts", "occasions", "touches", "comments", "tickets", "holds"} {
		rows, err := db.Query("SELECT * FROM " + table + " ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		values := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range values {
			ptrs[i] = &values[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(h, "%s%v\n", table, values)
		}
		rows.Close()
	}
	return hex.EncodeToString(h.Sum(nil))
}

func parse(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, _ := time.Parse("2006-01-02 15:04:05.000Z", s)
	return t
}

func hasScript(s string, script *unicode.RangeTable) bool {
	for _, r := range s {
		if unicode.Is(script, r) {
			return true
		}
	}
	return false
}
