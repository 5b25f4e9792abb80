package migrations_test

import (
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// appBefore returns an app whose data dir was created by every migration
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
	found := false
	for _, m := range core.AppMigrations.Items() {
		if m.File < file {
			list.Add(m)
		}
		found = found || m.File == file
	}
	if !found {
		t.Fatalf("migration %s is not registered", file)
	}
	if _, err := core.NewMigrationsRunner(app, list).Up(); err != nil {
		t.Fatal(err)
	}
	return app
}

// TestContactsMigration writes clients the way the previous schema held
// them (the contact on the client record) with raw SQL, applies the
// contacts migration and every later one, and checks that each client
// with any contact field got one primary contact holding every value, and
// a client without any got none.
func TestContactsMigration(t *testing.T) {
	app := appBefore(t, "1764200200_contacts.go")
	exec := func(sql string, params dbx.Params) {
		t.Helper()
		if _, err := app.DB().NewQuery(sql).Bind(params).Execute(); err != nil {
			t.Fatal(err)
		}
	}
	exec("INSERT INTO points (id, name) VALUES ('oldpoint0000001', 'Moscow')", nil)
	type old struct {
		id, name, contactName, birthday, channel, telegram, whatsapp, phone, email string
	}
	rows := []old{
		{"oldfull00000001", "ООО Ромашка", "Ирина Петрова", "1990-12-01 12:00:00.000Z", "telegram", "@romashka_ltd", "+7 912 345-67-89", "+7 495 123-45-67", "irina@romashka.test"},
		{"oldphone0000001", "ИП Кузнецов", "", "", "", "", "", "+7 843 222-33-44", ""},
		{"oldbday00000001", "Acme Ltd", "John Smith", "1980-02-29 12:00:00.000Z", "", "", "", "", ""},
		{"oldempty0000001", "Без контакта", "", "", "", "", "", "", ""},
	}
	for _, r := range rows {
		exec(`INSERT INTO clients (id, name, point, contact_name, contact_birthday, channel, telegram, whatsapp, phone, email, search)
			VALUES ({:id}, {:name}, 'oldpoint0000001', {:cn}, {:bd}, {:ch}, {:tg}, {:wa}, {:ph}, {:em}, lower({:name} || ' ' || {:cn}))`,
			dbx.Params{"id": r.id, "name": r.name, "cn": r.contactName, "bd": r.birthday, "ch": r.channel,
				"tg": r.telegram, "wa": r.whatsapp, "ph": r.phone, "em": r.email})
	}

	if err := app.RunAllMigrations(); err != nil {
		t.Fatal(err)
	}

	clients, err := app.FindCollectionByNameOrId("clients")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"contact_name", "contact_birthday", "channel", "telegram", "whatsapp", "phone", "email"} {
		if clients.Fields.GetByName(name) != nil {
			t.Errorf("clients.%s is still in the schema", name)
		}
	}
	for id, want := range map[string]string{
		"oldfull00000001": "ооо ромашка ирина петрова",
		"oldphone0000001": "ип кузнецов ип кузнецов", // the contact is addressed by the client's name
		"oldempty0000001": "без контакта",
	} {
		var search string
		if err := app.DB().NewQuery("SELECT search FROM clients WHERE id = {:id}").Bind(dbx.Params{"id": id}).Row(&search); err != nil {
			t.Fatal(err)
		}
		if search != want {
			t.Errorf("%s: search = %q, want %q", id, search, want)
		}
	}

	for _, r := range rows {
		contacts, err := app.FindAllRecords("contacts", dbx.HashExp{"client": r.id})
		if err != nil {
			t.Fatal(err)
		}
		if r.id == "oldempty0000001" {
			if len(contacts) != 0 {
				t.Errorf("%s: %d contacts made of nothing", r.name, len(contacts))
			}
			continue
		}
		if len(contacts) != 1 {
			t.Errorf("%s: %d contacts, want 1", r.name, len(contacts))
			continue
		}
		c := contacts[0]
		wantName := r.contactName
		if wantName == "" {
			wantName = r.name // a nameless contact is addressed by the client's name
		}
		for field, want := range map[string]string{
			"name": wantName, "birthday": r.birthday, "channel": r.channel, "telegram": r.telegram,
			"whatsapp": r.whatsapp, "phone": r.phone, "email": r.email,
		} {
			if got := c.GetString(field); got != want {
				t.Errorf("%s: contact %s = %q, want %q", r.name, field, got, want)
			}
		}
		if !c.GetBool("primary") || c.GetBool("archived") {
			t.Errorf("%s: primary=%v archived=%v, want a primary, non-archived contact", r.name, c.GetBool("primary"), c.GetBool("archived"))
		}
		if err := app.Validate(c); err != nil {
			t.Errorf("%s: the moved contact does not validate: %v", r.name, err)
		}
	}
}
