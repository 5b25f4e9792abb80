// Package aggregates checks the aggregates the database keeps for the
// views that read every client (issue 15):
//
//   - clients.last_touch, behind Due: the created time of the client's
//     newest touch with status "done", "" when the client has none
//     (migrations/1764800000_last_touch.go);
//   - mark_counts, behind the content plan: the marks (done / skipped) of
//     each occurrence of an occasion per status and per point, segment
//     and stage of the marked clients (migrations/1764800100_mark_counts.go).
//
// Both are kept the same way; what follows says it for last_touch.
//
// The column (a hidden date field) and the SQLite triggers that keep it
// are created by migrations/1764800000_last_touch.go. The triggers on
// touches run inside the statement that inserts, deletes, withdraws,
// re-marks, moves or re-dates a touch, so last_touch changes in the same
// transaction as the touches it is computed from, whatever wrote them (the
// API, the dashboard, hooks, imports, raw SQL, cascades), and a crash or a
// rolled back transaction leaves both as they were. The triggers on
// clients put the touches' value back whenever anything else writes the
// column (a client saved from a record loaded before a touch was marked,
// a forged value on insert); the API refuses a request body that sets it
// (package clients).
//
// Verify recomputes it from the touches; `touchbase verify-aggregates`
// and the crash and race tests (package faults) run it.
package aggregates

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pocketbase/pocketbase/core"

	"touchbase/domain"
)

// LastDoneSQL is the newest done touch of the client whose id is the SQL
// expression id, "" when none: one seek of idx_touches_client_done
// (client, status, created, …). The triggers, Rebuild and Verify all
// compute last_touch with it.
func LastDoneSQL(id string) string {
	return `COALESCE((SELECT MAX(lt.created) FROM touches lt WHERE lt.client = ` + id + ` AND lt.status = 'done'), '')`
}

// markCellsSQL is mark_counts recomputed: the marks of existing clients
// grouped by occurrence, status and their client's cell.
const markCellsSQL = `SELECT t.occasion AS occasion, t.period AS period, c.point AS point, c.segment AS segment,
		c.stage AS stage, t.status AS status, COUNT(*) AS n
	FROM touches t JOIN clients c ON c.id = t.client
	WHERE t.` + domain.MarkedCondition + `
	GROUP BY 1, 2, 3, 4, 5, 6`

// RebuildLastTouchSQL recomputes every client's last_touch (the
// migration's backfill).
func RebuildLastTouchSQL() string {
	return `UPDATE clients SET last_touch = ` + LastDoneSQL("clients.id")
}

// FillMarkCountsSQL fills an empty mark_counts (the migration's backfill).
const FillMarkCountsSQL = `INSERT INTO mark_counts (occasion, period, point, segment, stage, status, n) ` + markCellsSQL

// cellsSQL is client_cells recomputed.
const cellsSQL = `SELECT point, segment, stage, COUNT(*) AS n FROM clients GROUP BY 1, 2, 3`

// FillClientCellsSQL fills an empty client_cells (the migration's backfill).
const FillClientCellsSQL = `INSERT INTO client_cells (point, segment, stage, n) ` + cellsSQL

// RebuildSQL recomputes the aggregates from the touches and clients: what
// a bulk load that runs without the triggers (bench/dataset) runs after.
func RebuildSQL() []string {
	return []string{RebuildLastTouchSQL(), `DELETE FROM mark_counts`, FillMarkCountsSQL, `DELETE FROM client_cells`, FillClientCellsSQL}
}

// Diff is one stored figure that differs from its recomputation. What
// names it: "client ID last_touch" (Stored and Recomputed are the
// column's text, "" for no done touch; a NULL stored value, which the
// column's NOT NULL should never allow, reads "NULL"), or "mark_counts
// OCCASION PERIOD POINT SEGMENT STAGE STATUS" or "client_cells POINT
// SEGMENT STAGE" (the counts, "0" for no row).
type Diff struct {
	What       string
	Stored     string
	Recomputed string
}

func (d Diff) String() string {
	return fmt.Sprintf("%s: stored %q, recomputed %q", d.What, d.Stored, d.Recomputed)
}

// Verify recomputes clients.last_touch of every client from the touches
// (MAX(created) of its done touches, "" when none) and returns every
// client whose stored value differs, sorted by client id; none when they
// agree. It is one statement, so it sees one snapshot even while writes go
// on; each client's recomputation is one seek of idx_touches_client_done.
func Verify(app core.App) ([]Diff, error) {
	var rows []struct {
		Client     string `db:"client"`
		Stored     string `db:"stored"`
		Recomputed string `db:"recomputed"`
	}
	err := app.DB().NewQuery(`
		SELECT client, stored, recomputed FROM (
			SELECT c.id AS client, c.last_touch AS raw, COALESCE(c.last_touch, 'NULL') AS stored,
				` + LastDoneSQL("c.id") + ` AS recomputed
			FROM clients c
		) WHERE raw IS NOT recomputed
		ORDER BY client`).All(&rows)
	if err != nil {
		return nil, err
	}
	diffs := make([]Diff, 0, len(rows))
	for _, r := range rows {
		diffs = append(diffs, Diff{What: "client " + r.Client + " last_touch", Stored: r.Stored, Recomputed: r.Recomputed})
	}

	var counts []struct {
		Occasion   string `db:"occasion"`
		Period     string `db:"period"`
		Point      string `db:"point"`
		Segment    string `db:"segment"`
		Stage      string `db:"stage"`
		Status     string `db:"status"`
		Stored     int    `db:"stored"`
		Recomputed int    `db:"recomputed"`
	}
	err = app.DB().NewQuery(`
		WITH r AS MATERIALIZED (` + markCellsSQL + `)
		SELECT COALESCE(s.occasion, r.occasion) AS occasion, COALESCE(s.period, r.period) AS period,
			COALESCE(s.point, r.point) AS point, COALESCE(s.segment, r.segment) AS segment,
			COALESCE(s.stage, r.stage) AS stage, COALESCE(s.status, r.status) AS status,
			COALESCE(s.n, 0) AS stored, COALESCE(r.n, 0) AS recomputed
		FROM r FULL OUTER JOIN mark_counts s ON s.occasion = r.occasion AND s.period = r.period
			AND s.point = r.point AND s.segment = r.segment AND s.stage = r.stage AND s.status = r.status
		WHERE s.n IS NOT r.n
		ORDER BY 1, 2, 3, 4, 5, 6`).All(&counts)
	if err != nil {
		return nil, err
	}
	for _, c := range counts {
		diffs = append(diffs, Diff{
			What:   strings.Join([]string{"mark_counts", c.Occasion, c.Period, c.Point, c.Segment, c.Stage, c.Status}, " "),
			Stored: strconv.Itoa(c.Stored), Recomputed: strconv.Itoa(c.Recomputed),
		})
	}

	var cells []struct {
		Point      string `db:"point"`
		Segment    string `db:"segment"`
		Stage      string `db:"stage"`
		Stored     int    `db:"stored"`
		Recomputed int    `db:"recomputed"`
	}
	err = app.DB().NewQuery(`
		WITH r AS MATERIALIZED (` + cellsSQL + `)
		SELECT COALESCE(s.point, r.point) AS point, COALESCE(s.segment, r.segment) AS segment,
			COALESCE(s.stage, r.stage) AS stage, COALESCE(s.n, 0) AS stored, COALESCE(r.n, 0) AS recomputed
		FROM r FULL OUTER JOIN client_cells s ON s.point = r.point AND s.segment = r.segment AND s.stage = r.stage
		WHERE s.n IS NOT r.n
		ORDER BY 1, 2, 3`).All(&cells)
	if err != nil {
		return nil, err
	}
	for _, c := range cells {
		diffs = append(diffs, Diff{
			What:   strings.Join([]string{"client_cells", c.Point, c.Segment, c.Stage}, " "),
			Stored: strconv.Itoa(c.Stored), Recomputed: strconv.Itoa(c.Recomputed),
		})
	}
	return diffs, nil
}
