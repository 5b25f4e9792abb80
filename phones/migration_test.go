package phones_test

import (
	"errors"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"touchbase/internal/testapp"
)

// migrationFile is the migration that adds points.country and rewrites the
// stored phone numbers in E.164.
const migrationFile = "1764200100_points_country.go"

func findMigration(t *testing.T) *core.Migration {
	t.Helper()
	for _, m := range core.AppMigrations.Items() {
		if m.File == migrationFile {
			return m
		}
	}
	t.Fatalf("migration %s is not registered", migrationFile)
	return nil
}

// appBefore returns an app whose data dir was made by every migration
// before file, as a data dir of the previous release is.
func appBefore(t *testing.T, file string) *core.BaseApp {
	t.Helper()
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: t.TempDir(), EncryptionEnv: "pb_test_env"})
	if err := app.Bootstrap(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.ResetBootstrapState() })
	list := core.MigrationsList{}
	list.Copy(core.SystemMigrations)
	for _, m := range core.AppMigrations.Items() {
		if m.File < file {
			list.Add(m)
		}
	}
	if _, err := core.NewMigrationsRunner(app, list).Up(); err != nil {
		t.Fatal(err)
	}
	return app
}

// The migration on a data dir as it was before it: points without a
// country, phone numbers (then on the clients) as people typed them. The
// later migrations move them into each client's primary contact.
func TestMigrationPointsCountryAndE164(t *testing.T) {
	findMigration(t)
	app := appBefore(t, migrationFile)

	exec := func(sql string, params dbx.Params) {
		t.Helper()
		if _, err := app.DB().NewQuery(sql).Bind(params).Execute(); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	// P3's zone names no country: it stays empty and its next save asks.
	for id, tz := range map[string]string{testapp.P1: "Europe/Moscow", testapp.P2: "Europe/London", testapp.P3: "UTC"} {
		exec("INSERT INTO points (id, name, timezone) VALUES ({:id}, {:id}, {:tz})", dbx.Params{"id": id, "tz": tz})
	}
	old := map[string][2]string{ // client: phone, whatsapp as typed
		testapp.C1:  {"8 (495) 123-45-67", "+7 912 345-67-89"},
		testapp.C1b: {"call me maybe", "8-912-345-67-89"},
		testapp.C2:  {"020 7946 0958", "+44 7700 900123"},
		testapp.C1c: {"", "+7 (495) 765-43-21"},
	}
	for id, v := range old {
		point := testapp.P1
		if id == testapp.C2 {
			point = testapp.P2
		}
		exec("INSERT INTO clients (id, name, point, phone, whatsapp) VALUES ({:id}, {:id}, {:point}, {:phone}, {:whatsapp})",
			dbx.Params{"phone": v[0], "whatsapp": v[1], "id": id, "point": point})
	}

	if err := app.RunAllMigrations(); err != nil {
		t.Fatalf("up: %v", err)
	}

	for id, want := range map[string]string{testapp.P1: "RU", testapp.P2: "GB", testapp.P3: ""} {
		var country string
		if err := app.DB().NewQuery("SELECT country FROM points WHERE id = {:id}").Bind(dbx.Params{"id": id}).Row(&country); err != nil {
			t.Fatal(err)
		}
		if country != want {
			t.Errorf("point %s: country %q, want %q", id, country, want)
		}
	}
	want := map[string][2]string{
		testapp.C1:  {"+74951234567", "+79123456789"},
		testapp.C1b: {"call me maybe", "+79123456789"}, // unreadable: kept as it was
		testapp.C2:  {"+442079460958", "+447700900123"},
		testapp.C1c: {"", "+74957654321"},
	}
	for id, w := range want {
		var got struct {
			Phone    string `db:"phone"`
			Whatsapp string `db:"whatsapp"`
		}
		if err := app.DB().NewQuery(`SELECT phone, whatsapp FROM contacts WHERE client = {:id} AND "primary" = TRUE`).Bind(dbx.Params{"id": id}).One(&got); err != nil {
			t.Fatal(err)
		}
		if got.Phone != w[0] || got.Whatsapp != w[1] {
			t.Errorf("client %s: phone %q whatsapp %q, want %q %q", id, got.Phone, got.Whatsapp, w[0], w[1])
		}
	}

	contacts, err := app.FindCollectionByNameOrId("contacts")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"phone", "whatsapp"} {
		if f, ok := contacts.Fields.GetByName(name).(*core.TextField); !ok || f.Pattern != "" {
			t.Errorf("contacts.%s keeps a pattern: %+v", name, contacts.Fields.GetByName(name))
		}
	}
}

// A point without a country asks for it on its next save; a contact with
// an unreadable old phone can still be saved (its other fields edited),
// a new unreadable value cannot.
func TestOldValuesAfterTheMigration(t *testing.T) {
	app := testapp.New(t)
	if _, err := app.DB().NewQuery("UPDATE points SET country = '' WHERE id = {:id}").Bind(dbx.Params{"id": testapp.P3}).Execute(); err != nil {
		t.Fatal(err)
	}
	p3, err := app.FindRecordById("points", testapp.P3)
	if err != nil {
		t.Fatal(err)
	}
	err = app.Save(p3)
	var apiErr *router.ApiError
	if !errors.As(err, &apiErr) || apiErr.Status != 400 || !namesField(apiErr, "country") {
		t.Errorf("saving a point without a country: %v, want a 400 naming country", err)
	}

	if _, err := app.DB().NewQuery("UPDATE contacts SET phone = 'call me maybe' WHERE id = {:id}").Bind(dbx.Params{"id": testapp.CT1b}).Execute(); err != nil {
		t.Fatal(err)
	}
	c, err := app.FindRecordById("contacts", testapp.CT1b)
	if err != nil {
		t.Fatal(err)
	}
	c.Set("notes", "called")
	if err := app.Save(c); err != nil {
		t.Errorf("saving a contact with an old unreadable phone: %v", err)
	}
	c.Set("phone", "call me later")
	if err := app.Save(c); err == nil {
		t.Errorf("a new unreadable phone was saved")
	}
}

func namesField(err *router.ApiError, field string) bool {
	data, ok := err.Data[field]
	return ok && data != nil
}
