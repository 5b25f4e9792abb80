package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"touchbase/days"
)

// Day fields (SPEC §3) used to be stored as moments: a birthday picked in
// the dashboard in Moscow as local midnight in UTC (1990-11-30 21:00Z for
// 1 December), an imported one as UTC midnight. This rewrites the values
// already stored to their day at 12:00Z (days.Normalize: the day whose UTC
// midnight is nearest); new values are normalised on save by days.Bind.
//
// The list is this migration's own, frozen: a field made a day later
// (a line in days.Fields) gets its stored values rewritten by its own
// migration calling days.NormalizeColumn. There is no down migration: the
// moments cannot be told back from the days, and the days read the same.
var dayColumns = []struct{ table, column string }{
	{"clients", "contact_birthday"},
	{"clients", "since"},
	{"contacts", "birthday"}, // when it exists already (NormalizeColumn skips it otherwise)
	{"occasions", "starts"},
	{"occasions", "ends"},
	{"holds", "until"},
}

func init() {
	m.Register(func(app core.App) error {
		for _, c := range dayColumns {
			if _, err := days.NormalizeColumn(app, c.table, c.column); err != nil {
				return err
			}
		}
		return nil
	}, nil)
}
