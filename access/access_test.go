package access_test

import (
	"fmt"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"touchbase/access"
	"touchbase/internal/testapp"
)

func TestMain(m *testing.M) { testapp.Main(m) }

// TestRenderingsAgreeWithRules checks the routes' and realtime's renderings
// of "who sees a point" against PocketBase's own evaluation of the clients
// list rule, for every point and for hostile users: no role, a point
// manager without a point, an unknown role, a deleted account, and auth
// records held in memory after the database changed (moved, demoted).
func TestRenderingsAgreeWithRules(t *testing.T) {
	app := testapp.New(t)
	users, _ := app.FindCollectionByNameOrId("users")
	clients, _ := app.FindCollectionByNameOrId("clients")

	// one client per point, so the rule has a record to judge
	clientOf := map[string]*core.Record{}
	for _, point := range []string{testapp.P1, testapp.P2, testapp.P3} {
		c := core.NewRecord(clients)
		c.Set("name", "probe "+point)
		c.Set("point", point)
		if err := app.Save(c); err != nil {
			t.Fatal(err)
		}
		clientOf[point] = c
	}

	// users the schema would refuse, written as a broken import might
	odd := func(email, role, point string) *core.Record {
		u := core.NewRecord(users)
		u.Set("email", email)
		u.Set("name", email)
		u.Set("role", role)
		u.Set("point", point)
		u.SetPassword(testapp.Password)
		if err := app.SaveNoValidate(u); err != nil {
			t.Fatal(err)
		}
		return u
	}
	auths := map[string]*core.Record{}
	for _, id := range []string{testapp.SM, testapp.PM1, testapp.PM1b, testapp.PM2} {
		auths[id], _ = app.FindRecordById("users", id)
	}
	auths["no role"] = odd("norole@test.local", "", testapp.P1)
	auths["no point"] = odd("nopoint@test.local", access.RolePointManager, "")
	auths["unknown role"] = odd("odd@test.local", "admin", testapp.P1)

	// held in memory, then changed or removed in the database
	moved, _ := app.FindRecordById("users", testapp.PM2)
	stale := moved.Clone()
	moved.Set("point", testapp.P1)
	demoted := odd("demoted@test.local", access.RoleServiceManager, "")
	staleSM := demoted.Clone()
	demoted.Set("role", access.RolePointManager)
	demoted.Set("point", testapp.P2)
	for _, r := range []*core.Record{moved, demoted} {
		if err := app.SaveNoValidate(r); err != nil {
			t.Fatal(err)
		}
	}
	gone := odd("gone@test.local", access.RolePointManager, testapp.P1)
	staleGone := gone.Clone()
	if err := app.Delete(gone); err != nil {
		t.Fatal(err)
	}
	held := map[string]*core.Record{"moved": stale, "demoted": staleSM, "deleted": staleGone}
	for name, auth := range auths { // as PocketBase loads them for a request now
		auths[name] = mustFind(t, app, "users", auth.Id)
	}

	for point, client := range clientOf {
		check := func(name string, auth *core.Record, fresh bool) {
			info := &core.RequestInfo{Auth: auth, Context: core.RequestInfoContextDefault}
			byRule, err := app.CanAccessRecord(client, info, clients.ListRule)
			if err != nil {
				t.Fatal(err)
			}
			readers, err := access.Readers(app, client.Id)
			if err != nil {
				t.Fatal(err)
			}
			_, byReaders := readers[auth.Id]
			if byReaders != byRule {
				t.Errorf("%s at %s: Readers says %v, the rule %v", name, point, byReaders, byRule)
			}
			if fresh { // the routes read the record PocketBase loaded for the request
				points, all := access.PointsOf(auth)
				byScope := all || (len(points) == 1 && points[0] == point)
				if byScope != byRule {
					t.Errorf("%s at %s: PointsOf says %v, the rule %v", name, point, byScope, byRule)
				}
			}
		}
		for name, auth := range auths {
			check(name, auth, true)
		}
		for name, auth := range held {
			check(name, auth, false)
		}
	}

	// superusers see every point through routes (rules do not apply to them)
	if _, all := access.PointsOf(mustFind(t, app, core.CollectionNameSuperusers, testapp.Superuser)); !all {
		t.Error("a superuser's scope is not every point")
	}
	if points, all := access.PointsOf(nil); all || len(points) > 0 {
		t.Error("a guest has a scope")
	}
}

func mustFind(t *testing.T, app core.App, collection, id string) *core.Record {
	t.Helper()
	r, err := app.FindRecordById(collection, id)
	if err != nil {
		t.Fatal(fmt.Errorf("%s/%s: %w", collection, id, err))
	}
	return r
}
