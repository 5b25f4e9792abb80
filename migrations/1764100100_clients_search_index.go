package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// A service manager's worklist spans every point: clients (search) lets
// its page read the clients in name order and stop after the page, as
// idx_clients_point_search does for one point, instead of sorting all of
// them (BENCHMARKS.md, benchmark 4).
func init() {
	m.Register(func(app core.App) error {
		clients, err := app.FindCollectionByNameOrId("clients")
		if err != nil {
			return err
		}
		clients.AddIndex("idx_clients_search", false, "search", "")
		return app.Save(clients)
	}, func(app core.App) error {
		clients, err := app.FindCollectionByNameOrId("clients")
		if err != nil {
			return err
		}
		clients.RemoveIndex("idx_clients_search")
		return app.Save(clients)
	})
}
