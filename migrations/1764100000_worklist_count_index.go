package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// The worklist counts its audience by state on every request: for a point
// of 5,000 clients that is most of its time (BENCHMARKS.md, benchmark 1).
// clients (point, stage, id) lets the count read the point's clients
// (lost ones left out) and their ids from the index alone, without a
// table lookup per client (the gain is in BENCHMARKS.md).
func init() {
	m.Register(func(app core.App) error {
		clients, err := app.FindCollectionByNameOrId("clients")
		if err != nil {
			return err
		}
		clients.AddIndex("idx_clients_point_stage", false, "point, stage, id", "")
		return app.Save(clients)
	}, func(app core.App) error {
		clients, err := app.FindCollectionByNameOrId("clients")
		if err != nil {
			return err
		}
		clients.RemoveIndex("idx_clients_point_stage")
		return app.Save(clients)
	})
}
