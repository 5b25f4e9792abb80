package realtime

import (
	"slices"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	_ "touchbase/migrations"
)

func TestShapeOf(t *testing.T) {
	cases := []struct {
		rule      string
		cacheable bool
		paths     []string
	}{
		{`(@request.auth.collectionName = "users" && @request.auth.role = "service_manager") || client.point = @request.auth.point`, true, []string{"client.point"}},
		{`point = @request.auth.point && name != "a && b = c"`, true, []string{"point", "name"}},
		{`points:length = 0 || points.id ?= @request.auth.point`, true, []string{"points:length", "points.id"}},
		{`@request.context = "realtime" && @request.query.x = ""`, true, nil},
		{`@collection.clients.point ?= @request.auth.point`, false, nil},
		{`created > @now`, false, []string{"created"}},
		{`@request.auth:isset = true`, false, nil},
	}
	for _, c := range cases {
		s := shapeOf(c.rule)
		if s.cacheable != c.cacheable || !slices.Equal(s.paths, c.paths) {
			t.Errorf("%s: cacheable %v paths %v, want %v %v", c.rule, s.cacheable, s.paths, c.cacheable, c.paths)
		}
	}
}

// TestDecideAgreesWithCanAccessRecord decides Touchbase's real rules for
// every kind of subscriber, twice (the second time from the remembered
// decisions), compares each answer with PocketBase's CanAccessRecord, then
// moves a client to another point and checks the decisions follow.
func TestDecideAgreesWithCanAccessRecord(t *testing.T) {
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: t.TempDir()})
	if err := app.Bootstrap(); err != nil {
		t.Fatal(err)
	}
	defer app.ResetBootstrapState()
	if err := app.RunAllMigrations(); err != nil {
		t.Fatal(err)
	}
	save := func(collection string, fields map[string]any) *core.Record {
		t.Helper()
		c, err := app.FindCollectionByNameOrId(collection)
		if err != nil {
			t.Fatal(err)
		}
		r := core.NewRecord(c)
		for k, v := range fields {
			r.Set(k, v)
		}
		if c.IsAuth() {
			r.SetPassword("password-123")
		}
		if err := app.Save(r); err != nil {
			t.Fatalf("%s: %v", collection, err)
		}
		return r
	}
	p1 := save("points", map[string]any{"name": "P1", "timezone": "UTC"})
	p2 := save("points", map[string]any{"name": "P2", "timezone": "UTC"})
	su := save(core.CollectionNameSuperusers, map[string]any{"email": "su@x.test"})
	sm := save("users", map[string]any{"email": "sm@x.test", "name": "SM", "role": "service_manager"})
	pm1 := save("users", map[string]any{"email": "pm1@x.test", "name": "PM1", "role": "point_manager", "point": p1.Id})
	pm1b := save("users", map[string]any{"email": "pm1b@x.test", "name": "PM1b", "role": "point_manager", "point": p1.Id})
	pm2 := save("users", map[string]any{"email": "pm2@x.test", "name": "PM2", "role": "point_manager", "point": p2.Id})
	nopoint := save("users", map[string]any{"email": "np@x.test", "name": "NP", "role": "point_manager"})
	c1 := save("clients", map[string]any{"name": "C1", "point": p1.Id})
	c2 := save("clients", map[string]any{"name": "C2", "point": p2.Id})
	all := save("occasions", map[string]any{"title": "all", "kind": "standard"})
	only2 := save("occasions", map[string]any{"title": "P2 only", "kind": "standard", "points": []string{p2.Id}})
	t1 := save("touches", map[string]any{"client": c1.Id, "occasion": all.Id, "status": "done", "author": pm1.Id})
	t2 := save("touches", map[string]any{"client": c2.Id, "occasion": only2.Id, "status": "done", "author": pm2.Id})
	m1 := save("comments", map[string]any{"client": c1.Id, "text": "x", "kind": "manual", "author": pm1.Id})
	k2 := save("tickets", map[string]any{"client": c2.Id, "title": "x", "status": "open"})
	h1 := save("holds", map[string]any{"client": c1.Id, "reason": "other"})

	auths := []*core.Record{nil, su, sm, pm1, pm1b, pm2, nopoint}
	f := &fanout{}
	check := func(records ...*core.Record) {
		t.Helper()
		for _, record := range records {
			c := record.Collection()
			infos := make([]*core.RequestInfo, len(auths))
			for i, a := range auths {
				infos[i] = requestInfo(a)
			}
			for _, rule := range []*string{c.ListRule, c.ViewRule, c.UpdateRule} {
				for round := range 2 {
					got := f.decide(app, record, rule, auths, infos)
					for i, info := range infos {
						want, _ := app.CanAccessRecord(record, info, rule)
						if got[i] != want {
							t.Errorf("%s %s, auth %d, round %d: decided %v, CanAccessRecord %v (rule %v)", c.Name, record.Id, i, round, got[i], want, *rule)
						}
					}
				}
			}
		}
	}
	check(c1, c2, all, only2, t1, t2, m1, k2, h1)
	if len(f.decided.m) == 0 {
		t.Fatal("nothing was remembered")
	}

	// the touches rule is remembered: a second touch of a Moscow client is
	// decided without asking
	if s := shapeOf(*t1.Collection().ListRule); !s.cacheable {
		t.Error("the touches list rule should be remembered")
	}
	if _, ok := recordKey(app, t1, shapeOf(*t1.Collection().ListRule).paths); !ok {
		t.Error("the touches list rule's record values should be readable")
	}

	// a client moves to the other point: its touch, comment and hold follow
	c1.Set("point", p2.Id)
	if err := app.Save(c1); err != nil {
		t.Fatal(err)
	}
	check(c1, t1, m1, h1)
	// a point manager changes point: a new auth record, a new group
	pm1.Set("point", p2.Id)
	if err := app.Save(pm1); err != nil {
		t.Fatal(err)
	}
	check(t1, t2, m1, k2)
}
