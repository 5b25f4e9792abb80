// Package aggregates reads and checks the per-client aggregates behind the
// Due view (issue 15): client_stats (the created time of each client's
// newest done touch) and client_day_counts (each client's done touches per
// UTC day, split by the occasion's kind: mandatory / standard).
//
// The tables and the SQLite triggers that keep them are created by
// migrations/1764800000_client_stats.go. The triggers run inside the
// statement that writes a touch, an occasion's kind or deletes a client,
// so the aggregates change in the same transaction as their source rows,
// whatever wrote them (API, dashboard, hooks, imports, raw SQL), and a
// crash or a rolled back transaction leaves both as they were. Verify
// recomputes them from the source rows; `touchbase verify-aggregates` and
// the crash and race tests run it.
package aggregates

import (
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"touchbase/domain"
)

// Diff is one stored figure that differs from its recomputation: Field is
// "last_done", or "done@DAY", "mandatory@DAY", "standard@DAY" for a day's
// counts; "" stands for no row.
type Diff struct {
	Client     string
	Field      string
	Stored     string
	Recomputed string
}

func (d Diff) String() string {
	return fmt.Sprintf("client %s %s: stored %q, recomputed %q", d.Client, d.Field, d.Stored, d.Recomputed)
}

// Verify recomputes the aggregates from touches (done ones, of existing
// clients) and occasions (their current kind) and returns every
// difference, sorted by client and field; none when they agree. Each
// comparison is one statement, so it sees one snapshot even while writes
// go on. The recomputation is materialised once and each of its rows looks
// up the stored one by primary key: one pass over the done touches.
func Verify(app core.App) ([]Diff, error) {
	var diffs []Diff

	var last []struct {
		Client     string `db:"client"`
		Stored     string `db:"stored"`
		Recomputed string `db:"recomputed"`
	}
	err := app.DB().NewQuery(`
		WITH r AS MATERIALIZED (
			SELECT t.client AS client, MAX(t.created) AS last_done
			FROM touches t JOIN clients c ON c.id = t.client
			WHERE t.status = 'done' GROUP BY t.client
		)
		SELECT COALESCE(s.client, r.client) AS client,
			COALESCE(s.last_done, '') AS stored, COALESCE(r.last_done, '') AS recomputed
		FROM r FULL OUTER JOIN client_stats s ON s.client = r.client
		WHERE s.last_done IS NOT r.last_done`).All(&last)
	if err != nil {
		return nil, err
	}
	for _, l := range last {
		diffs = append(diffs, Diff{l.Client, "last_done", l.Stored, l.Recomputed})
	}

	var days []struct {
		Client string        `db:"client"`
		Day    string        `db:"day"`
		SDone  sql.NullInt64 `db:"s_done"`
		SMand  sql.NullInt64 `db:"s_mandatory"`
		SStd   sql.NullInt64 `db:"s_standard"`
		RDone  sql.NullInt64 `db:"r_done"`
		RMand  sql.NullInt64 `db:"r_mandatory"`
		RStd   sql.NullInt64 `db:"r_standard"`
	}
	err = app.DB().NewQuery(`
		WITH r AS MATERIALIZED (
			SELECT t.client AS client, substr(t.created, 1, 10) AS day, COUNT(*) AS done,
				COUNT(CASE WHEN o.kind = 'mandatory' THEN 1 END) AS mandatory,
				COUNT(CASE WHEN o.kind = 'standard' THEN 1 END) AS standard
			FROM touches t JOIN clients c ON c.id = t.client LEFT JOIN occasions o ON o.id = t.occasion
			WHERE t.status = 'done' GROUP BY 1, 2
		)
		SELECT COALESCE(s.client, r.client) AS client, COALESCE(s.day, r.day) AS day,
			s.done AS s_done, s.mandatory AS s_mandatory, s.standard AS s_standard,
			r.done AS r_done, r.mandatory AS r_mandatory, r.standard AS r_standard
		FROM r FULL OUTER JOIN client_day_counts s ON s.client = r.client AND s.day = r.day
		WHERE s.done IS NOT r.done OR s.mandatory IS NOT r.mandatory OR s.standard IS NOT r.standard`).All(&days)
	if err != nil {
		return nil, err
	}
	for _, d := range days {
		for _, f := range []struct {
			name      string
			stored, r sql.NullInt64
		}{{"done", d.SDone, d.RDone}, {"mandatory", d.SMand, d.RMand}, {"standard", d.SStd, d.RStd}} {
			if f.stored != f.r {
				diffs = append(diffs, Diff{d.Client, f.name + "@" + d.Day, nullString(f.stored), nullString(f.r)})
			}
		}
	}
	sort.Slice(diffs, func(i, j int) bool {
		if diffs[i].Client != diffs[j].Client {
			return diffs[i].Client < diffs[j].Client
		}
		return diffs[i].Field < diffs[j].Field
	})
	return diffs, nil
}

func nullString(n sql.NullInt64) string {
	if !n.Valid {
		return ""
	}
	return strconv.FormatInt(n.Int64, 10)
}

// Window is the 365-day window of the Due counts at now: a done touch
// counts when its created is after Since. Days after SinceDay are wholly
// inside; SinceDay itself only from Since on, so its touches are counted
// from the touches table (see DueCountsSQL).
type Window struct {
	Since    string // domain.DBTime(now - 365 days)
	SinceDay string // Since's UTC day, YYYY-MM-DD
	NextDay  string // the start of the day after SinceDay, in DBTime form
}

// YearAgo is the length of the Due window.
const YearAgo = 365 * 24 * time.Hour

// WindowAt is the window at now.
func WindowAt(now time.Time) Window {
	since := now.Add(-YearAgo).UTC()
	day := time.Date(since.Year(), since.Month(), since.Day(), 0, 0, 0, 0, time.UTC)
	return Window{
		Since:    domain.DBTime(since),
		SinceDay: day.Format(time.DateOnly),
		NextDay:  domain.DBTime(day.AddDate(0, 0, 1)),
	}
}

// Params are the window's query parameters, as DueCountsSQL names them.
func (w Window) Params(params dbx.Params) dbx.Params {
	params["agg_since"] = w.Since
	params["agg_since_day"] = w.SinceDay
	params["agg_next_day"] = w.NextDay
	return params
}

// DueJoinSQL joins a client alias c to its aggregates: s (client_stats),
// d (client_day_counts, the days wholly inside the window) and b (the
// window's first day, which only partly lies inside). It goes after the
// FROM of a query grouped by client; DueLastSQL and DueCountsSQL are its
// columns.
const DueJoinSQL = `
		LEFT JOIN client_stats s ON s.client = c.id
		LEFT JOIN client_day_counts d ON d.client = c.id AND d.day > {:agg_since_day}
		LEFT JOIN client_day_counts b ON b.client = c.id AND b.day = {:agg_since_day}`

// DueLastSQL is the client's last done touch, empty when never.
const DueLastSQL = `COALESCE(MAX(s.last_done), '')`

// DueCountsSQL returns the mandatory (kind "mandatory") or standard count
// of the window: the stored counts of the days wholly inside, plus, for a
// client with done touches on the window's first day, those of that day
// after Since, counted exactly from the touches (one range of
// idx_touches_client_done).
func DueCountsSQL(kind string) string {
	return `COALESCE(SUM(d.` + kind + `), 0) + CASE WHEN MAX(b.done) IS NULL THEN 0 ELSE (
			SELECT COUNT(*) FROM touches t JOIN occasions o ON o.id = t.occasion
			WHERE t.client = c.id AND t.status = 'done' AND t.created > {:agg_since}
				AND t.created < {:agg_next_day} AND o.kind = '` + kind + `') END`
}
