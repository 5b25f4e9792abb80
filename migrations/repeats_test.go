package migrations_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"touchbase/domain"
)

const repeatsMigration = "1764600000_repeats.go"

// repeatValues returns occasions.repeat's values.
func repeatValues(t *testing.T, app core.App) []string {
	t.Helper()
	occasions, err := app.FindCollectionByNameOrId("occasions")
	if err != nil {
		t.Fatal(err)
	}
	return occasions.Fields.GetByName("repeat").(*core.SelectField).Values
}

// checkPersonalContact checks the built-in occasion and its two texts.
func checkPersonalContact(t *testing.T, app core.App) {
	t.Helper()
	o, err := app.FindRecordById("occasions", domain.PersonalContactOccasion)
	if err != nil {
		t.Fatalf("no personal-contact occasion: %v", err)
	}
	for field, want := range map[string]any{
		"title": "Personal contact / Личный контакт", "kind": "standard", "category": "other",
		"repeat": "daily", "trigger": "none", "starts": "", "ends": "", "archived": false,
	} {
		var got any = o.GetString(field)
		if field == "archived" {
			got = o.GetBool(field)
		}
		if got != want {
			t.Errorf("personal contact %s = %v, want %v", field, got, want)
		}
	}
	// fixed rows, the same in every data dir
	if got := o.GetDateTime("created").String(); got != "2025-12-01 14:40:00.000Z" {
		t.Errorf("personal contact created %s, want the migration's time", got)
	}
	for _, id := range []string{"personalcontru0", "personalconten0"} {
		if _, err := app.FindRecordById("occasion_templates", id); err != nil {
			t.Errorf("template %s: %v", id, err)
		}
	}
	if p := o.GetStringSlice("points"); len(p) != 0 {
		t.Errorf("personal contact targets points %v, want all", p)
	}
	if !strings.Contains(o.GetString("template"), "{{contact}}") {
		t.Errorf("default template %q", o.GetString("template"))
	}
	versions, err := app.FindAllRecords("occasion_templates", dbx.HashExp{"occasion": o.Id})
	if err != nil {
		t.Fatal(err)
	}
	var langs []string
	for _, v := range versions {
		langs = append(langs, v.GetString("language"))
		if v.GetString("variant") != "" || v.GetFloat("weight") != 1 || v.GetBool("archived") || len(v.GetString("text")) > 200 {
			t.Errorf("version %s: variant %q weight %v archived %v text %q", v.GetString("language"),
				v.GetString("variant"), v.GetFloat("weight"), v.GetBool("archived"), v.GetString("text"))
		}
	}
	slices.Sort(langs)
	if !slices.Equal(langs, []string{"en", "ru"}) {
		t.Errorf("personal contact versions %v, want en and ru", langs)
	}
}

// TestRepeatsMigration applies the repeats migration to a data dir of the
// previous release, takes it down and up again: the repeat values and the
// personal-contact occasion come and go, and a second up adds nothing.
func TestRepeatsMigration(t *testing.T) {
	// (the collections migration builds repeat from domain.Repeats, so a
	// data dir made by this release already has the new values; an old one
	// had none and yearly)
	app, migration := dataDirBefore(t, repeatsMigration)
	occasions, err := app.FindCollectionByNameOrId("occasions")
	if err != nil {
		t.Fatal(err)
	}
	occasions.Fields.GetByName("repeat").(*core.SelectField).Values = []string{"none", "yearly"}
	if err := app.Save(occasions); err != nil {
		t.Fatal(err)
	}
	up := func() {
		t.Helper()
		if err := app.RunInTransaction(migration.Up); err != nil {
			t.Fatalf("up: %v", err)
		}
	}
	down := func() error { return app.RunInTransaction(migration.Down) }

	up()
	if got := repeatValues(t, app); !slices.Equal(got, []string{"none", "yearly", "monthly", "weekly", "daily"}) {
		t.Errorf("after up: repeat values %v", got)
	}
	checkPersonalContact(t, app)
	up() // running it again changes nothing
	checkPersonalContact(t, app)
	if n, _ := app.CountRecords("occasion_templates"); n != 2 {
		t.Errorf("after a second up: %d templates, want 2", n)
	}

	if err := down(); err != nil {
		t.Fatalf("down: %v", err)
	}
	if got := repeatValues(t, app); !slices.Equal(got, []string{"none", "yearly"}) {
		t.Errorf("after down: repeat values %v", got)
	}
	if _, err := app.FindRecordById("occasions", domain.PersonalContactOccasion); err == nil {
		t.Error("after down: the unused personal-contact occasion is still there")
	}
	if n, _ := app.CountRecords("occasion_templates"); n != 0 {
		t.Errorf("after down: %d templates left", n)
	}

	up()
	checkPersonalContact(t, app)

	// a weekly occasion blocks the way down, naming it
	occasions, _ = app.FindCollectionByNameOrId("occasions")
	weekly := core.NewRecord(occasions)
	weekly.Set("title", "Weekly news")
	weekly.Set("kind", "standard")
	weekly.Set("repeat", "weekly")
	if err := app.Save(weekly); err != nil {
		t.Fatal(err)
	}
	if err := down(); err == nil || !strings.Contains(err.Error(), `"Weekly news"`) {
		t.Errorf("down with a weekly occasion: %v, want a refusal naming it", err)
	}
	checkPersonalContact(t, app)
	if err := app.Delete(weekly); err != nil {
		t.Fatal(err)
	}

	// a marked personal contact is kept as history, parked
	exec := func(sql string) {
		t.Helper()
		if _, err := app.DB().NewQuery(sql).Execute(); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	exec("INSERT INTO points (id, name) VALUES ('oldpoint0000001', 'Moscow')")
	exec("INSERT INTO clients (id, name, point) VALUES ('oldclient000001', 'Client', 'oldpoint0000001')")
	exec("INSERT INTO touches (id, client, occasion, period, status) VALUES ('oldtouch0000001', 'oldclient000001', '" +
		domain.PersonalContactOccasion + "', '2026-11-28', 'done')")
	if err := down(); err != nil {
		t.Fatalf("down with a mark: %v", err)
	}
	o, err := app.FindRecordById("occasions", domain.PersonalContactOccasion)
	if err != nil {
		t.Fatalf("down deleted a marked personal contact: %v", err)
	}
	if o.GetString("repeat") != "none" || !o.GetBool("archived") {
		t.Errorf("down left the marked personal contact repeat %q archived %v, want none, true", o.GetString("repeat"), o.GetBool("archived"))
	}
	up()
	checkPersonalContact(t, app)
}

// TestPersonalContactInFreshDataDir: a new data dir (every migration) has
// the personal-contact occasion.
func TestPersonalContactInFreshDataDir(t *testing.T) {
	app := appBefore(t, repeatsMigration)
	if err := app.RunAllMigrations(); err != nil {
		t.Fatal(err)
	}
	checkPersonalContact(t, app)
}
