package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Indexes measured on the worklist and due queries (see BENCHMARKS.md):
// clients (point, search) lets a worklist page read one point's clients in
// name order and stop after the page instead of sorting them all; it also
// serves every "point = ?" lookup, so the single-column point index goes.
// touches (client, status, created, occasion) covers the due aggregate
// (last done touch and counts per kind) without reading the table.
func init() {
	m.Register(func(app core.App) error {
		clients, err := app.FindCollectionByNameOrId("clients")
		if err != nil {
			return err
		}
		clients.RemoveIndex("idx_clients_point")
		clients.AddIndex("idx_clients_point_search", false, "point, search", "")
		if err := app.Save(clients); err != nil {
			return err
		}

		touches, err := app.FindCollectionByNameOrId("touches")
		if err != nil {
			return err
		}
		touches.AddIndex("idx_touches_client_done", false, "client, status, created, occasion", "")
		return app.Save(touches)
	}, func(app core.App) error {
		clients, err := app.FindCollectionByNameOrId("clients")
		if err != nil {
			return err
		}
		clients.RemoveIndex("idx_clients_point_search")
		clients.AddIndex("idx_clients_point", false, "point", "")
		if err := app.Save(clients); err != nil {
			return err
		}

		touches, err := app.FindCollectionByNameOrId("touches")
		if err != nil {
			return err
		}
		touches.RemoveIndex("idx_touches_client_done")
		return app.Save(touches)
	})
}
