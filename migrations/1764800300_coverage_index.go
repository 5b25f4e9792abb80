package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// idx_clients_coverage (point, manager, segment, stage): the stats route
// counts an occasion's audience per point and account manager
// (api/stats.go coverageFromMarks) from this index alone instead of every
// client's row.
func init() {
	m.Register(func(app core.App) error {
		clients, err := app.FindCollectionByNameOrId("clients")
		if err != nil {
			return err
		}
		clients.AddIndex("idx_clients_coverage", false, "point, manager, segment, stage", "")
		return app.Save(clients)
	}, func(app core.App) error {
		clients, err := app.FindCollectionByNameOrId("clients")
		if err != nil {
			return err
		}
		clients.RemoveIndex("idx_clients_coverage")
		return app.Save(clients)
	})
}
