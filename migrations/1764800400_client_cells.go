package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"touchbase/aggregates"
)

// client_cells (issue 15): how many clients each cell — point, segment,
// stage — holds, so that a service manager's counted worklist sums a
// hundred rows instead of counting every client (api/worklist.go
// countByStateKept). A row exists only while its n > 0.
//
// A plain SQL table kept by SQLite triggers like mark_counts (see
// migrations/1764800100_mark_counts.go): a client created, deleted or
// moved to another cell changes it in the same statement, whatever the
// door. `touchbase verify-aggregates` recomputes it (package aggregates).
func init() {
	m.Register(func(app core.App) error {
		for _, sql := range append([]string{clientCellsTable, aggregates.FillClientCellsSQL}, clientCellsTriggers...) {
			if _, err := app.DB().NewQuery(sql).Execute(); err != nil {
				return err
			}
		}
		return nil
	}, func(app core.App) error {
		for _, sql := range []string{
			`DROP TRIGGER IF EXISTS client_cells_insert`, `DROP TRIGGER IF EXISTS client_cells_delete`,
			`DROP TRIGGER IF EXISTS client_cells_move`, `DROP TABLE IF EXISTS client_cells`,
		} {
			if _, err := app.DB().NewQuery(sql).Execute(); err != nil {
				return err
			}
		}
		return nil
	})
}

const clientCellsTable = `CREATE TABLE client_cells (
	point TEXT NOT NULL,
	segment TEXT NOT NULL,
	stage TEXT NOT NULL,
	n INTEGER NOT NULL,
	PRIMARY KEY (point, segment, stage)
) WITHOUT ROWID`

// cellIn / cellOut count client R (NEW or OLD) in or out of its cell.
func cellIn(r string) string {
	return `INSERT INTO client_cells (point, segment, stage, n) VALUES (` + r + `.point, ` + r + `.segment, ` + r + `.stage, 1)
	ON CONFLICT (point, segment, stage) DO UPDATE SET n = n + 1;`
}

func cellOut(r string) string {
	return `UPDATE client_cells SET n = n - 1 WHERE point = ` + r + `.point AND segment = ` + r + `.segment AND stage = ` + r + `.stage;
	DELETE FROM client_cells WHERE point = ` + r + `.point AND segment = ` + r + `.segment AND stage = ` + r + `.stage AND n <= 0;`
}

var clientCellsTriggers = []string{
	`CREATE TRIGGER client_cells_insert AFTER INSERT ON clients BEGIN ` + cellIn("NEW") + ` END`,
	`CREATE TRIGGER client_cells_delete AFTER DELETE ON clients BEGIN ` + cellOut("OLD") + ` END`,
	`CREATE TRIGGER client_cells_move AFTER UPDATE OF point, segment, stage ON clients
	WHEN NEW.point IS NOT OLD.point OR NEW.segment IS NOT OLD.segment OR NEW.stage IS NOT OLD.stage BEGIN ` +
		cellOut("OLD") + cellIn("NEW") + ` END`,
}
