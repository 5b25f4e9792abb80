package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"touchbase/aggregates"
)

// clients.last_touch (issue 15, the Due view at 100,000 clients): the
// created time of the client's newest done touch, "" when there is none.
//
// It is kept by SQLite triggers, not by Go hooks, so that every write that
// moves it — a touch marked, withdrawn, moved or deleted through the API,
// the dashboard, a hook, an import, raw SQL or a cascade — updates it in
// the same statement, hence in the same transaction: a crash cannot leave
// it apart from the touches. A write of the column itself (a client saved
// from a record loaded before a touch, the dashboard) is put back to the
// touches' value by clients_last_touch_kept; the API refuses a request that
// sets it (package clients). Hidden like clients.search: it is the
// server's, and the Due route is where it is shown. `touchbase
// verify-aggregates` recomputes it (package aggregates).
//
// Due reads each cadence's clients in the order of their last touch and
// counts its levels as ranges of it (api/due.go), so its indexes lead with
// the segment and then last_touch, with stage for the default exclusion
// of lost clients: idx_clients_due_point for a point manager's one point,
// idx_clients_due_all for every point.
//
// A later migration that drops or renames a column the triggers read
// (touches client/status/created, clients last_touch) must drop the
// triggers first and create them again after: SQLite refuses to drop a
// column a trigger names.
func init() {
	m.Register(lastTouchUp, lastTouchDown)
}

// lastDone is the newest done touch of the client whose id is the SQL
// expression id (aggregates.LastDoneSQL).
func lastDone(id string) string { return aggregates.LastDoneSQL(id) }

var lastTouchTriggers = []string{
	// a done touch can only move the client's last touch forward
	`CREATE TRIGGER clients_last_touch_touch_insert AFTER INSERT ON touches
	WHEN NEW.status = 'done' BEGIN
		UPDATE clients SET last_touch = NEW.created WHERE id = NEW.client AND last_touch < NEW.created;
	END`,
	`CREATE TRIGGER clients_last_touch_touch_delete AFTER DELETE ON touches
	WHEN OLD.status = 'done' BEGIN
		UPDATE clients SET last_touch = ` + lastDone("OLD.client") + ` WHERE id = OLD.client;
	END`,
	// withdrawn, marked again, moved to another client, re-dated
	`CREATE TRIGGER clients_last_touch_touch_update AFTER UPDATE OF client, status, created ON touches
	WHEN (OLD.status = 'done' OR NEW.status = 'done')
		AND (NEW.client IS NOT OLD.client OR NEW.status IS NOT OLD.status OR NEW.created IS NOT OLD.created) BEGIN
		UPDATE clients SET last_touch = ` + lastDone("clients.id") + ` WHERE id IN (OLD.client, NEW.client);
	END`,
	// whatever else writes the column gets the touches' value back
	`CREATE TRIGGER clients_last_touch_insert AFTER INSERT ON clients
	WHEN NEW.last_touch IS NOT ` + lastDone("NEW.id") + ` BEGIN
		UPDATE clients SET last_touch = ` + lastDone("NEW.id") + ` WHERE id = NEW.id;
	END`,
	`CREATE TRIGGER clients_last_touch_kept AFTER UPDATE OF last_touch ON clients
	WHEN NEW.last_touch IS NOT ` + lastDone("NEW.id") + ` BEGIN
		UPDATE clients SET last_touch = ` + lastDone("NEW.id") + ` WHERE id = NEW.id;
	END`,
}

var lastTouchTriggerNames = []string{
	"clients_last_touch_touch_insert", "clients_last_touch_touch_delete", "clients_last_touch_touch_update",
	"clients_last_touch_insert", "clients_last_touch_kept",
}

func lastTouchUp(app core.App) error {
	clients, err := app.FindCollectionByNameOrId("clients")
	if err != nil {
		return err
	}
	clients.Fields.Add(&core.DateField{Name: "last_touch", Hidden: true})
	clients.AddIndex("idx_clients_due_point", false, "point, segment, last_touch, stage", "")
	clients.AddIndex("idx_clients_due_all", false, "segment, last_touch, stage", "")
	if err := app.Save(clients); err != nil {
		return err
	}
	// the backfill, before the triggers: one seek per client
	if _, err := app.DB().NewQuery(aggregates.RebuildLastTouchSQL()).Execute(); err != nil {
		return err
	}
	for _, sql := range lastTouchTriggers {
		if _, err := app.DB().NewQuery(sql).Execute(); err != nil {
			return err
		}
	}
	return nil
}

func lastTouchDown(app core.App) error {
	for _, name := range lastTouchTriggerNames {
		if _, err := app.DB().NewQuery(`DROP TRIGGER IF EXISTS ` + name).Execute(); err != nil {
			return err
		}
	}
	clients, err := app.FindCollectionByNameOrId("clients")
	if err != nil {
		return err
	}
	clients.RemoveIndex("idx_clients_due_point")
	clients.RemoveIndex("idx_clients_due_all")
	clients.Fields.RemoveByName("last_touch")
	return app.Save(clients)
}
