package migrations

import (
	"strings"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"touchbase/aggregates"
	"touchbase/domain"
)

// mark_counts (issue 15, the content plan and coverage at 100,000
// clients): how many marks (touches done or skipped; withdrawn ones do
// not count, SPEC §4.7) each occurrence of an occasion has, per status and
// per cell of the marked clients — their point, segment and stage, the
// client filters a plan or coverage figure is cut by. A row exists only
// while its n > 0.
//
// A plain SQL table, not a collection: no API rule, record route or
// realtime topic reaches it. Like clients.last_touch it is kept by SQLite
// triggers in the same statement as the write that moves it — a mark
// created, withdrawn, re-marked, moved or deleted, a client moving point,
// segment or stage, a client deleted — whatever the door, so it commits or
// rolls back with it. `touchbase verify-aggregates` recomputes it
// (package aggregates).
//
// A later migration that drops or renames a column the triggers read
// (touches client/occasion/period/status, clients point/segment/stage)
// must drop the triggers first and create them again after.
func init() {
	m.Register(markCountsUp, markCountsDown)
}

// markAdds / markRemoves count the mark R (NEW or OLD of a touch) in or
// out, in its client's current cell; a mark of a client that no longer
// exists is not counted (a client's delete took its marks out).
const (
	markAdds = `
	INSERT INTO mark_counts (occasion, period, point, segment, stage, status, n)
	SELECT R.occasion, R.period, c.point, c.segment, c.stage, R.status, 1 FROM clients c WHERE c.id = R.client
	ON CONFLICT (occasion, period, point, segment, stage, status) DO UPDATE SET n = n + 1;`
	markRemoves = `
	UPDATE mark_counts SET n = n - 1
	WHERE (occasion, period, point, segment, stage, status) IN
		(SELECT R.occasion, R.period, c.point, c.segment, c.stage, R.status FROM clients c WHERE c.id = R.client);
	DELETE FROM mark_counts WHERE n <= 0 AND occasion = R.occasion AND period = R.period;`
)

// clientMarksSQL moves every mark of client c into cell (p, s, g),
// sign "" (in) or "-" (out): the client's marks grouped by occurrence and
// status, one range of idx_touches_once (client, …).
func clientMarksSQL(c, p, s, g, sign string) string {
	return `
	INSERT INTO mark_counts (occasion, period, point, segment, stage, status, n)
	SELECT occasion, period, ` + p + `, ` + s + `, ` + g + `, status, ` + sign + `COUNT(*) FROM touches
	WHERE client = ` + c + ` AND ` + domain.MarkedCondition + ` GROUP BY occasion, period, status
	ON CONFLICT (occasion, period, point, segment, stage, status) DO UPDATE SET n = n + excluded.n;
	DELETE FROM mark_counts WHERE n <= 0 AND (occasion, period, point, segment, stage) IN
		(SELECT occasion, period, ` + p + `, ` + s + `, ` + g + ` FROM touches WHERE client = ` + c + `);`
}

func markSQL(sql, r string) string { return strings.ReplaceAll(sql, "R.", r+".") }

var markCountsSQL = []string{
	`CREATE TABLE mark_counts (
		occasion TEXT NOT NULL,
		period TEXT NOT NULL,
		point TEXT NOT NULL,
		segment TEXT NOT NULL,
		stage TEXT NOT NULL,
		status TEXT NOT NULL,
		n INTEGER NOT NULL,
		PRIMARY KEY (occasion, period, point, segment, stage, status)
	) WITHOUT ROWID`,
	// the backfill, from the existing marks
	aggregates.FillMarkCountsSQL,
	`CREATE TRIGGER mark_counts_touch_insert AFTER INSERT ON touches
	WHEN NEW.` + domain.MarkedCondition + ` BEGIN` + markSQL(markAdds, "NEW") + ` END`,
	`CREATE TRIGGER mark_counts_touch_delete AFTER DELETE ON touches
	WHEN OLD.` + domain.MarkedCondition + ` BEGIN` + markSQL(markRemoves, "OLD") + ` END`,
	`CREATE TRIGGER mark_counts_touch_update_old AFTER UPDATE OF client, occasion, period, status ON touches
	WHEN OLD.` + domain.MarkedCondition + ` AND (NEW.client IS NOT OLD.client OR NEW.occasion IS NOT OLD.occasion
		OR NEW.period IS NOT OLD.period OR NEW.status IS NOT OLD.status) BEGIN` + markSQL(markRemoves, "OLD") + ` END`,
	`CREATE TRIGGER mark_counts_touch_update_new AFTER UPDATE OF client, occasion, period, status ON touches
	WHEN NEW.` + domain.MarkedCondition + ` AND (NEW.client IS NOT OLD.client OR NEW.occasion IS NOT OLD.occasion
		OR NEW.period IS NOT OLD.period OR NEW.status IS NOT OLD.status) BEGIN` + markSQL(markAdds, "NEW") + ` END`,
	`CREATE TRIGGER mark_counts_client_cell AFTER UPDATE OF point, segment, stage ON clients
	WHEN NEW.point IS NOT OLD.point OR NEW.segment IS NOT OLD.segment OR NEW.stage IS NOT OLD.stage BEGIN` +
		clientMarksSQL("OLD.id", "OLD.point", "OLD.segment", "OLD.stage", "-") +
		clientMarksSQL("NEW.id", "NEW.point", "NEW.segment", "NEW.stage", "") + ` END`,
	`CREATE TRIGGER mark_counts_client_delete AFTER DELETE ON clients BEGIN` +
		clientMarksSQL("OLD.id", "OLD.point", "OLD.segment", "OLD.stage", "-") + ` END`,
}

var markCountsTriggerNames = []string{
	"mark_counts_touch_insert", "mark_counts_touch_delete", "mark_counts_touch_update_old",
	"mark_counts_touch_update_new", "mark_counts_client_cell", "mark_counts_client_delete",
}

func markCountsUp(app core.App) error {
	for _, sql := range markCountsSQL {
		if _, err := app.DB().NewQuery(sql).Execute(); err != nil {
			return err
		}
	}
	return nil
}

func markCountsDown(app core.App) error {
	for _, name := range markCountsTriggerNames {
		if _, err := app.DB().NewQuery(`DROP TRIGGER IF EXISTS ` + name).Execute(); err != nil {
			return err
		}
	}
	_, err := app.DB().NewQuery(`DROP TABLE IF EXISTS mark_counts`).Execute()
	return err
}
