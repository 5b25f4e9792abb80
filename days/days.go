// Package days keeps date-only ("day") fields days (SPEC §3): a day is
// stored as that day at 12:00:00Z, so that every time zone from UTC−12 to
// UTC+11 shows the same calendar day, and a value sent with a time of day
// (the dashboard sends local midnight converted to UTC) is read as the day
// whose UTC midnight is nearest to it.
//
// Bind normalises the fields listed in Fields on every save, whatever the
// door (REST, dashboard, CSV import, demo, Go code): it is a model hook
// that runs before validation and before the other Touchbase hooks.
package days

import (
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Fields lists the day fields by collection. To make another date field a
// day, add it here (one line); a collection or field that does not exist
// (yet) is skipped. Values already stored as moments need a migration that
// calls NormalizeColumn (see migrations/1764200000_days.go).
var Fields = map[string][]string{
	"clients":   {"since"},
	"contacts":  {"birthday"},
	"occasions": {"starts", "ends"},
	"holds":     {"until"},
	"events":    {"date"},
}

// Noon is the time of day a day is stored at.
const Noon = 12 * time.Hour

// Normalize returns the day of t as stored: 12:00:00Z of the day whose UTC
// midnight is nearest to t. A value exactly half-way, 12:00:00.000Z, is its
// own UTC day (the tie goes to the earlier day), so a stored day
// normalises to itself and the dashboard's local midnight is read right
// from UTC−12 to UTC+11. The zero time (an empty field) stays zero.
func Normalize(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	u := t.UTC()
	y, m, d := u.Date()
	midnight := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	if u.Sub(midnight) > Noon {
		midnight = midnight.AddDate(0, 0, 1)
	}
	return midnight.Add(Noon)
}

// Of returns the day (as stored, 12:00Z) that the instant t falls on in
// loc, e.g. today at a point: Of(time.Now(), point's zone).
func Of(t time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.Local
	}
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Add(Noon)
}

// Through reports whether the day value day (e.g. a hold's until) still
// runs at now in loc: the day is today or later there. A day applies
// through the whole of that day in the zone, and not the day after.
func Through(day, now time.Time, loc *time.Location) bool {
	return !Normalize(day).Before(Of(now, loc))
}

// ThroughFrom is Through for SQL: the stored text from which a day value
// still runs at now in loc, i.e. `column >= ThroughFrom(now, loc)` holds
// for the days that are today or later there. It is UTC midnight of the
// local date, so a value of that UTC day stored with any time of day counts
// as that day too.
func ThroughFrom(now time.Time, loc *time.Location) string {
	return Of(now, loc).Add(-Noon).Format(types.DefaultDateLayout)
}

// Bind normalises the day fields of Fields on every create and update of a
// record, before validation and before Touchbase's other hooks read them.
func Bind(app core.App) {
	normalize := func(e *core.RecordEvent) error {
		NormalizeRecord(e.Record)
		return e.Next()
	}
	// one handler for every collection, so that a line added to Fields
	// is all it takes
	app.OnRecordCreate().Bind(&hook.Handler[*core.RecordEvent]{
		Id: "touchbase_days_create", Priority: -500, Func: normalize, // before the other Touchbase hooks (priority 0)
	})
	app.OnRecordUpdate().Bind(&hook.Handler[*core.RecordEvent]{
		Id: "touchbase_days_update", Priority: -500, Func: normalize,
	})
}

// NormalizeRecord sets every day field of record (Fields) to its day; it
// is what Bind does on save.
func NormalizeRecord(record *core.Record) {
	collection := record.Collection()
	for _, field := range Fields[collection.Name] {
		if _, ok := collection.Fields.GetByName(field).(*core.DateField); !ok {
			continue
		}
		value := record.GetDateTime(field)
		if value.IsZero() {
			continue
		}
		day, err := types.ParseDateTime(Normalize(value.Time()))
		if err == nil && !day.Equal(value) {
			record.Set(field, day)
		}
	}
}

// NormalizeColumn rewrites the values of a day column already stored as
// moments to their days (Normalize), with plain SQL and no hooks, for
// migrations; empty and unreadable values are left as they are, and a
// collection or field that does not exist is skipped. It returns how many
// values changed.
func NormalizeColumn(app core.App, table, column string) (int, error) {
	collection, err := app.FindCollectionByNameOrId(table)
	if err != nil || collection.Fields.GetByName(column) == nil {
		return 0, nil // not (or no longer) in this data dir
	}
	var rows []struct {
		Id    string `db:"id"`
		Value string `db:"value"`
	}
	err = app.DB().Select("id", column+" AS value").From(table).
		Where(dbx.NewExp("[[" + column + "]] != ''")).All(&rows)
	if err != nil {
		return 0, err
	}
	changed := 0
	for _, r := range rows {
		value, err := types.ParseDateTime(r.Value)
		if err != nil || value.IsZero() {
			continue
		}
		day := Normalize(value.Time()).Format(types.DefaultDateLayout)
		if day == r.Value {
			continue
		}
		if _, err := app.DB().Update(table, dbx.Params{column: day}, dbx.HashExp{"id": r.Id}).Execute(); err != nil {
			return changed, err
		}
		changed++
	}
	return changed, nil
}
