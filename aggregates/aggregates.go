// Package aggregates checks the per-client aggregate behind the Due view
// (issue 15): clients.last_touch, the created time of the client's newest
// touch with status "done", "" when the client has none.
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

	"github.com/pocketbase/pocketbase/core"
)

// Diff is one client whose stored figure differs from its recomputation.
// Field is "last_touch"; Stored and Recomputed are the column's text, ""
// for no done touch (a NULL stored value, which the column's NOT NULL
// should never allow, reads "NULL").
type Diff struct {
	Client     string
	Field      string
	Stored     string
	Recomputed string
}

func (d Diff) String() string {
	return fmt.Sprintf("client %s %s: stored %q, recomputed %q", d.Client, d.Field, d.Stored, d.Recomputed)
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
				COALESCE((SELECT MAX(t.created) FROM touches t WHERE t.client = c.id AND t.status = 'done'), '') AS recomputed
			FROM clients c
		) WHERE raw IS NOT recomputed
		ORDER BY client`).All(&rows)
	if err != nil {
		return nil, err
	}
	diffs := make([]Diff, 0, len(rows))
	for _, r := range rows {
		diffs = append(diffs, Diff{Client: r.Client, Field: "last_touch", Stored: r.Stored, Recomputed: r.Recomputed})
	}
	return diffs, nil
}
