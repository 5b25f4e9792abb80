// Package testapp builds Touchbase test apps: real SQLite data dirs with the
// real migrations and hooks, and a small fixture of two points, staff of
// both roles, clients and occasions, so that every test can say who does
// what to whom.
//
// The fixture is built once per test binary into a template data dir; each
// test gets its own copy (tests.NewTestApp clones it), so tests stay
// independent and fast.
package testapp

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/hook"

	_ "touchbase/migrations"
	"touchbase/server"
)

// Fixture ids (PocketBase ids are 15 characters of [a-z0-9]).
const (
	P1 = "point1000000001" // "Moscow", Europe/Moscow
	P2 = "point2000000002" // "London", Europe/London
	P3 = "point3000000003" // "Kazan", no clients, no staff

	Superuser = "super0000000001"
	SM        = "usersm000000001" // service manager, no point
	PM1       = "userpm100000001" // point manager of P1
	PM1b      = "userpm1b0000001" // a colleague at P1
	PM2       = "userpm200000002" // point manager of P2

	C1  = "client100000001" // P1, segment A, "ООО Ромашка"
	C1b = "client1b0000001" // P1, segment C
	C1c = "client1c0000001" // P1, no history (safe to delete)
	C2  = "client200000002" // P2, segment B, "Acme Ltd"

	CT1  = "contact10000001" // C1's primary contact "Ирина Петрова" (decision maker, telegram, phone)
	CT1b = "contact1b000001" // C1's accountant "Алексей Смирнов" (finance, e-mail)
	CT2  = "contact20000002" // C2's primary contact "John Smith" (e-mail, whatsapp)

	OccStandard  = "occstd000000001" // standard, one-off, active, all points
	OccMandatory = "occmand00000001" // mandatory, one-off, active, all points
	OccP2Only    = "occp2only000001" // standard, targets P2 only
	OccArchived  = "occarch00000001" // standard, archived
	OccSegmentA  = "occsega00000001" // standard, segments A+ and A
	OccEnded     = "occended0000001" // standard, window ended last month

	TplArchivedRu = "tplarchru000001" // ru text of OccArchived (every point: readable by both point managers)
	TplP2OnlyEn   = "tplp2onlyen0001" // en text of OccP2Only (London only: hidden from Moscow's managers)

	T1  = "touch1000000001" // C1 × OccMandatory, done by PM1
	T2  = "touch2000000002" // C2 × OccMandatory, done by PM2
	CM1 = "comment10000001" // manual comment on C1 by PM1
	CM2 = "comment20000002" // manual comment on C2 by PM2
	TK1 = "ticket100000001" // open ticket on C1b
	H1  = "hold10000000001" // C1b declined OccSegmentA
	DG1 = "digest100000001" // the morning e-mail PM2 got on 2026-01-05

	Password = "test-password-1"
)

var (
	templateOnce sync.Once
	templateDir  string
	templateErr  error
)

// Main runs the package's tests and removes the template data dir after;
// call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if templateDir != "" {
		os.RemoveAll(templateDir)
	}
	os.Exit(code)
}

// New returns a fresh app with the fixture and every Touchbase hook bound.
// It is removed when the test ends.
func New(t testing.TB) *tests.TestApp {
	t.Helper()
	templateOnce.Do(func() { templateDir, templateErr = buildTemplate() })
	if templateErr != nil {
		t.Fatalf("building the fixture: %v", templateErr)
	}
	app, err := tests.NewTestApp(templateDir)
	if err != nil {
		t.Fatal(err)
	}
	server.BindAppHooks(app)
	// serving starts PocketBase's cron (its handler runs at priority 999);
	// tests run the timed jobs themselves at the time they choose, never
	// by the wall clock in the middle of an assertion
	app.OnServe().Bind(&hook.Handler[*core.ServeEvent]{
		Id:       "testapp_noWallClockJobs",
		Priority: 1000,
		Func: func(e *core.ServeEvent) error {
			e.App.Cron().Stop()
			return e.Next()
		},
	})
	t.Cleanup(app.Cleanup)
	return app
}

// Factory adapts New for tests.ApiScenario.TestAppFactory.
func Factory(t testing.TB) *tests.TestApp {
	return New(t)
}

// Token returns an auth header value for the user or superuser with id.
func Token(t testing.TB, app core.App, id string) string {
	t.Helper()
	collection := "users"
	if id == Superuser {
		collection = core.CollectionNameSuperusers
	}
	record, err := app.FindRecordById(collection, id)
	if err != nil {
		t.Fatalf("token for %s: %v", id, err)
	}
	token, err := record.NewAuthToken()
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// Auth returns the request headers of a scenario run as user id ("" for an
// anonymous request). The token is made for the template data dir, whose
// signing keys every copy shares.
func Auth(id string) map[string]string {
	if id == "" {
		return nil
	}
	templateOnce.Do(func() { templateDir, templateErr = buildTemplate() })
	return map[string]string{"Authorization": templateTokens[id]}
}

var templateTokens = map[string]string{}

// Count returns the number of records in collection matching the
// PocketBase filter ("" = all records).
func Count(t testing.TB, app core.App, collection, filter string, params ...dbx.Params) int {
	t.Helper()
	if filter == "" {
		filter = "id != ''"
	}
	records, err := app.FindRecordsByFilter(collection, filter, "", 0, 0, params...)
	if err != nil {
		t.Fatalf("count %s where %s: %v", collection, filter, err)
	}
	return len(records)
}

// MarkTouch saves a touch the way the API does: in a transaction, so its
// comment is written with it.
func MarkTouch(app core.App, client, occasion, status, author string) (*core.Record, error) {
	collection, err := app.FindCollectionByNameOrId("touches")
	if err != nil {
		return nil, err
	}
	touch := core.NewRecord(collection)
	touch.Set("client", client)
	touch.Set("occasion", occasion)
	touch.Set("status", status)
	touch.Set("author", author)
	birthdayContact(app, touch)
	err = app.RunInTransaction(func(txApp core.App) error {
		return txApp.Save(touch)
	})
	return touch, err
}

func buildTemplate() (string, error) {
	dir, err := os.MkdirTemp("", "touchbase_fixture_*")
	if err != nil {
		return "", err
	}
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: dir, EncryptionEnv: "pb_test_env"})
	if err := app.Bootstrap(); err != nil {
		return "", err
	}
	defer app.ResetBootstrapState()
	if err := app.RunAllMigrations(); err != nil {
		return "", err
	}
	server.BindAppHooks(app)
	if err := seed(app); err != nil {
		return "", fmt.Errorf("seed: %w", err)
	}
	for _, id := range []string{Superuser, SM, PM1, PM1b, PM2} {
		collection := "users"
		if id == Superuser {
			collection = core.CollectionNameSuperusers
		}
		record, err := app.FindRecordById(collection, id)
		if err != nil {
			return "", err
		}
		token, err := record.NewStaticAuthToken(24 * time.Hour)
		if err != nil {
			return "", err
		}
		templateTokens[id] = token
	}
	return dir, nil
}

// Resolve turns a target written as "field:value" into the id of the first
// record of collection with that value; other targets are ids already.
func Resolve(t testing.TB, app core.App, collection, target string) string {
	t.Helper()
	field, value, ok := strings.Cut(target, ":")
	if !ok {
		return target
	}
	record, err := app.FindFirstRecordByData(collection, field, value)
	if err != nil {
		t.Fatalf("target %s in %s: %v", target, collection, err)
	}
	return record.Id
}

// CollectionState serialises every record of a collection (hidden fields
// included), so that a test can tell whether a request changed anything.
func CollectionState(t testing.TB, app core.App, collection string) string {
	t.Helper()
	records, err := app.FindAllRecords(collection)
	if err != nil {
		t.Fatal(err)
	}
	rows := make(map[string]map[string]any, len(records))
	for _, r := range records {
		rows[r.Id] = r.FieldsData()
	}
	raw, err := json.Marshal(rows)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// birthdayContact names the client's primary contact on a touch for a
// birthday occasion (whose marks are per contact), so that tests marking
// a client need not; a test about contacts sets "contact" itself.
func birthdayContact(app core.App, touch *core.Record) {
	if touch.GetString("contact") != "" {
		return
	}
	occasion, err := app.FindRecordById("occasions", touch.GetString("occasion"))
	if err != nil || occasion.GetString("trigger") != "birthday" {
		return
	}
	records, err := app.FindRecordsByFilter("contacts", "client = {:c} && primary = true", "", 1, 0, dbx.Params{"c": touch.GetString("client")})
	if err == nil && len(records) == 1 {
		touch.Set("contact", records[0].Id)
	}
}

// BirthdayContact is birthdayContact for tests that save touches
// themselves.
func BirthdayContact(app core.App, touch *core.Record) { birthdayContact(app, touch) }
