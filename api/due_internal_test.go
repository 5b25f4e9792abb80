package api

import (
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"touchbase/aggregates"
	"touchbase/domain"
)

// DueRow is dueRow for the external tests (due_aggregates_test.go).
type DueRow = dueRow

// DueRows and ScanDueRows run the Due query on the aggregates and the scan
// it replaced for a caller who sees points (nil = every point).
func DueRows(app core.App, points []string, now time.Time) ([]DueRow, error) {
	return dueRows(app, &clientFilter{Scope: &Scope{Points: points}}, now)
}

func ScanDueRows(app core.App, points []string, now time.Time) ([]DueRow, error) {
	return scanDueRows(app, &clientFilter{Scope: &Scope{Points: points}}, now)
}

// scanDueRows is the Due query before the maintained aggregates (issue
// 15): every done touch of every client in scope, with its occasion for
// the kind. TestDueAggregatesEqualScan holds dueRows to it and BenchmarkDue
// compares the two.
func scanDueRows(app core.App, filter *clientFilter, now time.Time) ([]dueRow, error) {
	db := app.DB()
	params := dbx.Params{"d_since": domain.DBTime(now.Add(-aggregates.YearAgo))}
	sql := `SELECT c.id AS id, c.search AS search,
			cd.interval_days AS interval_days, cd.standard_per_mandatory AS ratio,
			COALESCE(MAX(t.created), '') AS last_touch,
			COUNT(CASE WHEN t.created > {:d_since} AND o.kind = 'mandatory' THEN 1 END) AS mandatory,
			COUNT(CASE WHEN t.created > {:d_since} AND o.kind = 'standard' THEN 1 END) AS standard
		FROM clients c
		JOIN cadences cd ON cd.segment = c.segment
		LEFT JOIN touches t ON t.client = c.id AND t.status = 'done'
		LEFT JOIN occasions o ON o.id = t.occasion
		WHERE ` + sqlOf(db, filter.Expr("c"), params) + `
		GROUP BY c.point, c.rowid`
	var rows []dueRow
	if err := db.NewQuery(sql).Bind(params).All(&rows); err != nil {
		return nil, err
	}
	return rows, nil
}
