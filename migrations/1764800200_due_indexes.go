package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// The Due route reads each cadence's clients in the order of their last
// touch and counts its levels as ranges of it (api/due.go), so its
// indexes lead with the segment and then last_touch, with stage for the
// default exclusion of lost clients: idx_clients_due_point for a point
// manager's one point, idx_clients_due_all for every point. They replace
// idx_clients_due (point, stage, segment, last_touch), whose stage
// before segment made every read a scan of the point.
func init() {
	m.Register(func(app core.App) error {
		clients, err := app.FindCollectionByNameOrId("clients")
		if err != nil {
			return err
		}
		clients.RemoveIndex("idx_clients_due")
		clients.AddIndex("idx_clients_due_point", false, "point, segment, last_touch, stage", "")
		clients.AddIndex("idx_clients_due_all", false, "segment, last_touch, stage", "")
		return app.Save(clients)
	}, func(app core.App) error {
		clients, err := app.FindCollectionByNameOrId("clients")
		if err != nil {
			return err
		}
		clients.RemoveIndex("idx_clients_due_point")
		clients.RemoveIndex("idx_clients_due_all")
		clients.AddIndex("idx_clients_due", false, "point, stage, segment, last_touch", "")
		return app.Save(clients)
	})
}
