package harness

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"touchbase/bench/dataset"
	_ "touchbase/migrations"
)

// PlainCollection is the baseline of the mark benchmark: a collection with
// the shape of touches (two relations, the same select and text fields, an
// author, autodates, the same indexes) and the same API rules, but no
// Touchbase hook — what a plain PocketBase create costs.
const PlainCollection = "bench_plain"

// fixture is what the benchmarks need to know about the data set: points,
// their staff's tokens, clients to mark.
type fixture struct {
	points  []*fixturePoint
	smToken string
	counts  map[string]int

	// timelineClient is the client with the longest card in point 0.
	timelineClient string

	// serverPid is the running server's process id.
	serverPid int
}

// serverCPU is the CPU time the server has used so far.
func (fx *fixture) serverCPU() time.Duration { return procCPU(fx.serverPid) }

type fixturePoint struct {
	id, name string
	// timezone (IANA) and country (ISO 3166) of the point
	timezone, country string
	// managers are the point managers (id and auth token)
	managers []staffToken
	// clients is a shuffled list of the point's clients; marks take them
	// from the front, as every client can be marked once for the mark
	// occasion
	clients []string
	next    int
	clientN int
}

type staffToken struct {
	id, token string
}

// takeClient returns a client of the point that has not been marked yet
// for dataset.MarkOccasionId.
func (p *fixturePoint) takeClient() (string, error) {
	if p.next >= len(p.clients) {
		return "", fmt.Errorf("point %s: no client left to mark", p.name)
	}
	p.next++
	return p.clients[p.next-1], nil
}

// worklistPath is the worklist benchmark's request: pending clients of the
// worklist occasion, first page of 50, as point 0's manager.
func (fx *fixture) worklistPath() string {
	return "/api/touchbase/worklist?" + url.Values{
		"occasion": {dataset.WorklistOccasionId}, "state": {"pending"}, "perPage": {"50"}, "page": {"1"},
	}.Encode()
}

func (fx *fixture) worklistToken() string { return fx.points[0].managers[0].token }

// prepare adds the plain baseline collection to the data dir (without a
// migration: it exists only in the benchmark's copy), mints auth tokens for
// the staff and lists the clients.
func prepare(dir string, r *rand.Rand) (*fixture, error) {
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: dir})
	if err := app.Bootstrap(); err != nil {
		return nil, err
	}
	defer app.ResetBootstrapState()
	if err := app.RunAllMigrations(); err != nil {
		return nil, err
	}
	if err := ensurePlainCollection(app); err != nil {
		return nil, err
	}

	fx := &fixture{counts: map[string]int{}}
	for _, table := range []string{"points", "users", "clients", "contacts", "occasions", "touches", "comments", "tickets", "holds"} {
		n, err := app.CountRecords(table)
		if err != nil {
			return nil, err
		}
		fx.counts[table] = int(n)
	}

	var points []struct {
		Id       string `db:"id"`
		Name     string `db:"name"`
		Timezone string `db:"timezone"`
		Country  string `db:"country"`
	}
	if err := app.DB().NewQuery("SELECT id, name, timezone, country FROM points ORDER BY created, id").All(&points); err != nil {
		return nil, err
	}
	if len(points) == 0 {
		return nil, fmt.Errorf("the data set has no points")
	}
	staff, err := app.FindAllRecords("users", dbx.HashExp{"role": "point_manager"})
	if err != nil {
		return nil, err
	}
	byPoint := map[string][]*core.Record{}
	for _, u := range staff {
		byPoint[u.GetString("point")] = append(byPoint[u.GetString("point")], u)
	}
	for _, p := range points {
		fp := &fixturePoint{id: p.Id, name: p.Name, timezone: p.Timezone, country: p.Country}
		users := byPoint[p.Id]
		sortByEmail(users)
		for _, u := range users {
			token, err := u.NewStaticAuthToken(6 * time.Hour)
			if err != nil {
				return nil, err
			}
			fp.managers = append(fp.managers, staffToken{u.Id, token})
		}
		if len(fp.managers) == 0 {
			return nil, fmt.Errorf("point %s has no point manager", p.Name)
		}
		if err := app.DB().NewQuery("SELECT id FROM clients WHERE point = {:p} ORDER BY id").
			Bind(dbx.Params{"p": p.Id}).Column(&fp.clients); err != nil {
			return nil, err
		}
		fp.clientN = len(fp.clients)
		// leave out clients already marked for the mark occasion (by an
		// earlier run on the same copy)
		var marked []string
		if err := app.DB().NewQuery("SELECT t.client FROM touches t JOIN clients c ON c.id = t.client WHERE t.occasion = {:o} AND c.point = {:p}").
			Bind(dbx.Params{"o": dataset.MarkOccasionId, "p": p.Id}).Column(&marked); err != nil {
			return nil, err
		}
		skip := map[string]bool{}
		for _, id := range marked {
			skip[id] = true
		}
		free := fp.clients[:0]
		for _, id := range fp.clients {
			if !skip[id] {
				free = append(free, id)
			}
		}
		fp.clients = free
		r.Shuffle(len(fp.clients), func(i, j int) { fp.clients[i], fp.clients[j] = fp.clients[j], fp.clients[i] })
		fx.points = append(fx.points, fp)
	}

	sm, err := app.FindAuthRecordByEmail("users", dataset.ServiceManagerEmail(0))
	if err != nil {
		return nil, fmt.Errorf("service manager: %w", err)
	}
	if fx.smToken, err = sm.NewStaticAuthToken(6 * time.Hour); err != nil {
		return nil, err
	}

	err = app.DB().NewQuery(`SELECT c.id FROM clients c JOIN comments m ON m.client = c.id
		WHERE c.point = {:p} GROUP BY c.id ORDER BY COUNT(*) DESC, c.id LIMIT 1`).
		Bind(dbx.Params{"p": fx.points[0].id}).Row(&fx.timelineClient)
	if err != nil {
		return nil, fmt.Errorf("timeline client: %w", err)
	}
	return fx, nil
}

// prepareBase brings the generated data dir up to date once: it runs any
// migration added since it was generated, and adds PlainCollection filled
// with a copy of every touch, so that a plain create writes into tables
// and indexes as large as a mark does.
func prepareBase(dir string, log io.Writer) error {
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: dir})
	if err := app.Bootstrap(); err != nil {
		return err
	}
	defer app.ResetBootstrapState()
	if err := app.RunAllMigrations(); err != nil {
		return err
	}
	if _, err := app.FindCollectionByNameOrId(PlainCollection); err == nil {
		return nil
	}
	started := time.Now()
	if err := ensurePlainCollection(app); err != nil {
		return err
	}
	plain, err := app.FindCollectionByNameOrId(PlainCollection)
	if err != nil {
		return err
	}
	// fill without the indexes, then index (much faster than row by row)
	db := app.NonconcurrentDB()
	for _, index := range plain.Indexes {
		name := strings.Fields(index)
		for i, w := range name {
			if w == "INDEX" && i+1 < len(name) {
				if _, err := db.NewQuery("DROP INDEX " + name[i+1]).Execute(); err != nil {
					return err
				}
			}
		}
	}
	cols := "id, client, occasion, period, status, channel, comment, author, created, updated"
	if _, err := db.NewQuery("INSERT INTO " + PlainCollection + " (" + cols + ") SELECT " + cols + " FROM touches").Execute(); err != nil {
		return err
	}
	for _, index := range plain.Indexes {
		if _, err := db.NewQuery(index).Execute(); err != nil {
			return err
		}
	}
	if _, err := db.NewQuery("ANALYZE " + PlainCollection + "; PRAGMA wal_checkpoint(TRUNCATE)").Execute(); err != nil {
		return err
	}
	logf(log, "added %s with a copy of the touches to %s in %s", PlainCollection, dir, time.Since(started).Round(time.Millisecond))
	return nil
}

// ensurePlainCollection creates PlainCollection with the fields and rules
// of touches.
func ensurePlainCollection(app core.App) error {
	if _, err := app.FindCollectionByNameOrId(PlainCollection); err == nil {
		return nil
	}
	touches, err := app.FindCollectionByNameOrId("touches")
	if err != nil {
		return err
	}
	clients, err := app.FindCollectionByNameOrId("clients")
	if err != nil {
		return err
	}
	occasions, err := app.FindCollectionByNameOrId("occasions")
	if err != nil {
		return err
	}
	users, err := app.FindCollectionByNameOrId("users")
	if err != nil {
		return err
	}
	contacts, err := app.FindCollectionByNameOrId("contacts")
	if err != nil {
		return err
	}
	channels := touches.Fields.GetByName("channel").(*core.SelectField).Values
	plain := core.NewBaseCollection(PlainCollection)
	plain.Fields.Add(
		&core.RelationField{Name: "client", Required: true, MaxSelect: 1, CollectionId: clients.Id},
		&core.RelationField{Name: "occasion", Required: true, MaxSelect: 1, CollectionId: occasions.Id},
		&core.RelationField{Name: "contact", MaxSelect: 1, CollectionId: contacts.Id},
		&core.TextField{Name: "period", Max: 40},
		&core.SelectField{Name: "status", Required: true, MaxSelect: 1, Values: []string{"done", "skipped"}},
		&core.SelectField{Name: "channel", MaxSelect: 1, Values: channels},
		&core.TextField{Name: "comment", Max: 2000},
		&core.RelationField{Name: "author", MaxSelect: 1, CollectionId: users.Id},
		&core.AutodateField{Name: "created", OnCreate: true},
		&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
	)
	// the same indexes as touches: each one is a B-tree a create writes to
	for _, index := range touches.Indexes {
		plain.Indexes = append(plain.Indexes, strings.ReplaceAll(strings.ReplaceAll(index, "idx_touches_", "idx_bench_plain_"), "`touches`", "`"+PlainCollection+"`"))
	}
	plain.ListRule = touches.ListRule
	plain.ViewRule = touches.ViewRule
	plain.CreateRule = touches.CreateRule
	return app.Save(plain)
}

func sortByEmail(users []*core.Record) {
	slices.SortFunc(users, func(a, b *core.Record) int { return strings.Compare(a.Email(), b.Email()) })
}
