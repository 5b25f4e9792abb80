package migrations

import (
	"strings"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// The per-client aggregates behind Due (issue 15, package aggregates):
//
//   - client_stats (client, last_done): the created time of the client's
//     newest done touch; no row when there is none;
//   - client_day_counts (client, day, done, mandatory, standard): per UTC
//     day of created, the client's done touches, and those whose occasion
//     is mandatory / standard; no row when done is 0.
//
// A 365-day window moves every second, so no stored count can be the
// window's; day counts do not move, and Due sums the days inside the window
// (see api/due.go for the one partial day).
//
// They are plain SQL tables, not collections: no API rule, record route or
// realtime topic can reach them (the access review's collections are
// unchanged), and they are kept by SQLite triggers, so every write that
// moves them — through the API, the dashboard, a hook, an import or raw
// SQL, a cascade — updates them in the same statement, hence in the same
// transaction, and a crash cannot leave them apart from the touches.
// `touchbase verify-aggregates` (aggregates.Verify) recomputes them.
//
// A later migration that drops or retypes (single ↔ multiple) a column the
// triggers read (touches client/occasion/status/created, occasions kind)
// must drop the triggers first and create them again after: SQLite refuses
// to drop a column a trigger names.
func init() {
	m.Register(func(app core.App) error {
		for _, sql := range clientStatsUp {
			if _, err := app.DB().NewQuery(sql).Execute(); err != nil {
				return err
			}
		}
		return nil
	}, func(app core.App) error {
		for _, sql := range clientStatsDown {
			if _, err := app.DB().NewQuery(sql).Execute(); err != nil {
				return err
			}
		}
		return nil
	})
}

// touchAdds adds the done touch R (NEW or OLD) to the aggregates; the
// kind is the occasion's current one (the occasion triggers keep the
// counts on the current kinds). The aggregates cover touches of existing
// clients only (a client's delete drops its rows).
const touchAdds = `
	INSERT INTO client_day_counts (client, day, done, mandatory, standard)
	SELECT R.client, substr(R.created, 1, 10), 1,
		COALESCE((SELECT kind = 'mandatory' FROM occasions WHERE id = R.occasion), 0),
		COALESCE((SELECT kind = 'standard' FROM occasions WHERE id = R.occasion), 0)
	WHERE EXISTS (SELECT 1 FROM clients WHERE id = R.client)
	ON CONFLICT (client, day) DO UPDATE SET done = done + 1,
		mandatory = mandatory + excluded.mandatory, standard = standard + excluded.standard;
	INSERT INTO client_stats (client, last_done)
	SELECT R.client, R.created WHERE EXISTS (SELECT 1 FROM clients WHERE id = R.client)
	ON CONFLICT (client) DO UPDATE SET last_done = max(last_done, excluded.last_done);`

// touchRemoves takes the done touch R out; last_done is read again from
// the client's remaining done touches (one seek of idx_touches_client_done).
const touchRemoves = `
	UPDATE client_day_counts SET done = done - 1,
		mandatory = mandatory - COALESCE((SELECT kind = 'mandatory' FROM occasions WHERE id = R.occasion), 0),
		standard = standard - COALESCE((SELECT kind = 'standard' FROM occasions WHERE id = R.occasion), 0)
	WHERE client = R.client AND day = substr(R.created, 1, 10);
	DELETE FROM client_day_counts WHERE client = R.client AND day = substr(R.created, 1, 10) AND done <= 0;
	DELETE FROM client_stats WHERE client = R.client;
	INSERT INTO client_stats (client, last_done)
	SELECT R.client, MAX(created) FROM touches WHERE client = R.client AND status = 'done'
		AND EXISTS (SELECT 1 FROM clients WHERE id = R.client)
	HAVING MAX(created) IS NOT NULL;`

// kindMoves moves the done touches of occasion NEW/OLD between the
// mandatory and standard counts when its kind changes from OLD.kind to K.
const kindMoves = `
	UPDATE client_day_counts SET
		mandatory = mandatory + x.n * ((K IS 'mandatory') - (OLD.kind IS 'mandatory')),
		standard = standard + x.n * ((K IS 'standard') - (OLD.kind IS 'standard'))
	FROM (SELECT client, substr(created, 1, 10) AS day, COUNT(*) AS n FROM touches
		WHERE occasion = OLD.id AND status = 'done' GROUP BY 1, 2) AS x
	WHERE client_day_counts.client = x.client AND client_day_counts.day = x.day;`

// moved is the WHEN of the update triggers: a column the aggregates read
// changed.
const moved = `(NEW.client IS NOT OLD.client OR NEW.occasion IS NOT OLD.occasion
	OR NEW.created IS NOT OLD.created OR NEW.status IS NOT OLD.status)`

var clientStatsUp = []string{
	`CREATE TABLE client_stats (
		client TEXT PRIMARY KEY NOT NULL,
		last_done TEXT NOT NULL
	) WITHOUT ROWID`,
	`CREATE TABLE client_day_counts (
		client TEXT NOT NULL,
		day TEXT NOT NULL,
		done INTEGER NOT NULL,
		mandatory INTEGER NOT NULL,
		standard INTEGER NOT NULL,
		PRIMARY KEY (client, day)
	) WITHOUT ROWID`,
	// the backfill, from the existing touches
	`INSERT INTO client_stats (client, last_done)
	SELECT t.client, MAX(t.created) FROM touches t JOIN clients c ON c.id = t.client
	WHERE t.status = 'done' GROUP BY t.client`,
	`INSERT INTO client_day_counts (client, day, done, mandatory, standard)
	SELECT t.client, substr(t.created, 1, 10), COUNT(*),
		COUNT(CASE WHEN o.kind = 'mandatory' THEN 1 END), COUNT(CASE WHEN o.kind = 'standard' THEN 1 END)
	FROM touches t JOIN clients c ON c.id = t.client LEFT JOIN occasions o ON o.id = t.occasion
	WHERE t.status = 'done' GROUP BY 1, 2`,
	`CREATE TRIGGER client_stats_touch_insert AFTER INSERT ON touches
	WHEN NEW.status = 'done' BEGIN` + strings.ReplaceAll(touchAdds, "R.", "NEW.") + ` END`,
	`CREATE TRIGGER client_stats_touch_delete AFTER DELETE ON touches
	WHEN OLD.status = 'done' BEGIN` + strings.ReplaceAll(touchRemoves, "R.", "OLD.") + ` END`,
	`CREATE TRIGGER client_stats_touch_update_old AFTER UPDATE ON touches
	WHEN OLD.status = 'done' AND ` + moved + ` BEGIN` + strings.ReplaceAll(touchRemoves, "R.", "OLD.") + ` END`,
	`CREATE TRIGGER client_stats_touch_update_new AFTER UPDATE ON touches
	WHEN NEW.status = 'done' AND ` + moved + ` BEGIN` + strings.ReplaceAll(touchAdds, "R.", "NEW.") + ` END`,
	`CREATE TRIGGER client_stats_occasion_kind AFTER UPDATE OF kind ON occasions
	WHEN NEW.kind IS NOT OLD.kind BEGIN` + strings.ReplaceAll(kindMoves, "K ", "NEW.kind ") + ` END`,
	`CREATE TRIGGER client_stats_occasion_delete AFTER DELETE ON occasions
	BEGIN` + strings.ReplaceAll(kindMoves, "K ", "NULL ") + ` END`,
	`CREATE TRIGGER client_stats_client_delete AFTER DELETE ON clients BEGIN
		DELETE FROM client_stats WHERE client = OLD.id;
		DELETE FROM client_day_counts WHERE client = OLD.id;
	END`,
}

var clientStatsDown = []string{
	`DROP TRIGGER IF EXISTS client_stats_touch_insert`,
	`DROP TRIGGER IF EXISTS client_stats_touch_delete`,
	`DROP TRIGGER IF EXISTS client_stats_touch_update_old`,
	`DROP TRIGGER IF EXISTS client_stats_touch_update_new`,
	`DROP TRIGGER IF EXISTS client_stats_occasion_kind`,
	`DROP TRIGGER IF EXISTS client_stats_occasion_delete`,
	`DROP TRIGGER IF EXISTS client_stats_client_delete`,
	`DROP TABLE IF EXISTS client_day_counts`,
	`DROP TABLE IF EXISTS client_stats`,
}
