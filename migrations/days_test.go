package migrations_test

import (
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"touchbase/internal/testapp"
)

func TestMain(m *testing.M) { testapp.Main(m) }

const daysMigration = "1764200000_days.go"

// dataDirBefore returns an app whose data dir was made by every migration
// before file (a data dir of the previous release), and that migration.
func dataDirBefore(t *testing.T, file string) (*core.BaseApp, *core.Migration) {
	t.Helper()
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: t.TempDir(), EncryptionEnv: "pb_test_env"})
	if err := app.Bootstrap(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.ResetBootstrapState() })
	list := core.MigrationsList{}
	list.Copy(core.SystemMigrations)
	var target *core.Migration
	for _, m := range core.AppMigrations.Items() {
		if m.File < file {
			list.Add(m)
		}
		if m.File == file {
			target = m
		}
	}
	if target == nil {
		t.Fatalf("migration %s is not registered", file)
	}
	if _, err := core.NewMigrationsRunner(app, list).Up(); err != nil {
		t.Fatal(err)
	}
	return app, target
}

// TestDaysMigration writes day fields into a data dir of the previous
// release the way the old server stored them (moments, e.g. a Moscow
// admin's local midnight in UTC) with raw SQL, runs the migration
// 1764200000_days.go and checks that every value became the nearest day at
// 12:00Z, empty values stayed empty, and a second run changes nothing.
func TestDaysMigration(t *testing.T) {
	app, migration := dataDirBefore(t, daysMigration)
	exec := func(sql string, params dbx.Params) {
		t.Helper()
		if _, err := app.DB().NewQuery(sql).Bind(params).Execute(); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	exec("INSERT INTO points (id, name) VALUES ('oldpoint0000001', 'Moscow')", nil)
	for _, id := range []string{"oldclient000001", "oldclient000002", "oldclient000003", "oldclient000004"} {
		exec("INSERT INTO clients (id, name, point) VALUES ({:id}, {:id}, 'oldpoint0000001')", dbx.Params{"id": id})
	}
	for _, id := range []string{"oldoccasion0001", "oldoccasion0002"} {
		exec("INSERT INTO occasions (id, title, kind) VALUES ({:id}, {:id}, 'standard')", dbx.Params{"id": id})
	}
	exec("INSERT INTO holds (id, client, reason) VALUES ('oldhold00000001', 'oldclient000001', 'requested')", nil)

	cases := []struct {
		table, column, id, old, want string
	}{
		{"clients", "contact_birthday", "oldclient000001", "1990-11-30 21:00:00.000Z", "1990-12-01 12:00:00.000Z"}, // a Moscow admin
		{"clients", "since", "oldclient000001", "2015-03-08 05:00:00.000Z", "2015-03-08 12:00:00.000Z"},            // UTC−5
		{"clients", "contact_birthday", "oldclient000002", "1980-02-29 00:00:00.000Z", "1980-02-29 12:00:00.000Z"}, // a date-only import
		{"clients", "since", "oldclient000002", "2019-06-01 10:30:00.000Z", "2019-06-01 12:00:00.000Z"},            // a time of day
		{"clients", "contact_birthday", "oldclient000003", "1975-12-31 13:00:00.000Z", "1976-01-01 12:00:00.000Z"}, // UTC+11, New Year
		{"clients", "since", "oldclient000003", "", ""},
		{"clients", "contact_birthday", "oldclient000004", "1990-12-01 12:00:00.000Z", "1990-12-01 12:00:00.000Z"}, // a day already
		{"occasions", "starts", "oldoccasion0001", "2026-11-27 21:00:00.000Z", "2026-11-28 12:00:00.000Z"},         // "starting 28.11"
		{"occasions", "ends", "oldoccasion0001", "2026-12-30 21:00:00.000Z", "2026-12-31 12:00:00.000Z"},
		{"occasions", "starts", "oldoccasion0002", "2026-11-28 00:00:00.000Z", "2026-11-28 12:00:00.000Z"},
		{"occasions", "ends", "oldoccasion0002", "", ""},
		{"holds", "until", "oldhold00000001", "2027-03-09 21:00:00.000Z", "2027-03-10 12:00:00.000Z"},
	}
	for _, c := range cases {
		exec("UPDATE {{"+c.table+"}} SET [["+c.column+"]] = {:v} WHERE id = {:id}", dbx.Params{"v": c.old, "id": c.id})
	}

	for run := 1; run <= 2; run++ {
		if err := app.RunInTransaction(migration.Up); err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		for _, c := range cases {
			var got string
			if err := app.DB().NewQuery("SELECT [[" + c.column + "]] FROM {{" + c.table + "}} WHERE id = {:id}").
				Bind(dbx.Params{"id": c.id}).Row(&got); err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("run %d: %s.%s of %s: %q became %q, want %q", run, c.table, c.column, c.id, c.old, got, c.want)
			}
		}
	}
}
