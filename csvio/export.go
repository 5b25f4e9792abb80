package csvio

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"touchbase/domain"
)

// TouchColumns is the header of a touches export. Ids come with names so a
// spreadsheet reads well and a script can still join on ids; created is
// RFC 3339 in UTC.
var TouchColumns = []string{
	"touch_id", "created", "period", "status", "channel", "comment",
	"occasion_id", "occasion_title", "occasion_kind", "occasion_category",
	"client_id", "client_name", "client_segment", "client_stage", "contact_name",
	"point_name", "author_name", "author_email",
}

// TouchFilter selects the touches of an export. The zero value selects
// every touch.
type TouchFilter struct {
	// Points limits the export to the clients of these points: nil means
	// every point, an empty list none (a caller's scope, see api.Scope).
	Points []string
	// Occasion is an occasion id; "" = every occasion.
	Occasion string
	// Status is done or skipped; "" = both.
	Status string
	// From and To bound created, both inclusive; a zero time leaves that
	// side open.
	From, To time.Time
	// Clients is a further condition on the touch's client, a table aliased
	// "c" (the API passes its client filter: segment, stage, tag, manager,
	// q); nil = none.
	Clients dbx.Expression
}

// ExportTouches writes the touches selected by f to w as CSV, oldest
// first: the TouchColumns header, then one row per touch. It streams: the
// rows come from one query and are written, and flushed every few hundred
// rows, as they are read, whatever their number.
//
// Nothing is written when the query fails, so a caller that has not sent
// anything yet can still answer with an error.
func ExportTouches(app core.App, w io.Writer, f TouchFilter) error {
	var where []dbx.Expression
	if f.Points != nil {
		where = append(where, in("c.point", f.Points))
	}
	if f.Occasion != "" {
		where = append(where, dbx.NewExp("t.occasion = {:occasion}", dbx.Params{"occasion": f.Occasion}))
	}
	if f.Status != "" {
		where = append(where, dbx.NewExp("t.status = {:status}", dbx.Params{"status": f.Status}))
	}
	if !f.From.IsZero() {
		where = append(where, dbx.NewExp("t.created >= {:from}", dbx.Params{"from": domain.DBTime(f.From)}))
	}
	if !f.To.IsZero() {
		where = append(where, dbx.NewExp("t.created <= {:to}", dbx.Params{"to": domain.DBTime(f.To)}))
	}
	if f.Clients != nil {
		where = append(where, f.Clients)
	}

	query := `SELECT t.id, t.created, t.period, t.status, t.channel, t.comment,
		t.occasion, COALESCE(o.title, ''), COALESCE(o.kind, ''), COALESCE(o.category, ''),
		c.id, c.name, c.segment, c.stage, c.contact_name,
		COALESCE(p.name, ''), COALESCE(a.name, ''), COALESCE(a.email, '')
	FROM touches t
	JOIN clients c ON c.id = t.client
	LEFT JOIN occasions o ON o.id = t.occasion
	LEFT JOIN points p ON p.id = c.point
	LEFT JOIN users a ON a.id = t.author
	%s
	ORDER BY t.created, t.id`

	return stream(app, w, query, where, TouchColumns, func(cells []string) {
		cells[1] = formatInstant(cells[1])
	})
}

// ExportClients writes the clients of points (nil = every point) to w as
// CSV with exactly the ClientColumns, in the form ImportClients reads:
// importing the file into another installation with the same point names
// and user emails recreates the same clients. Sorted by point and name.
func ExportClients(app core.App, w io.Writer, points []string) error {
	var where []dbx.Expression
	if points != nil {
		where = append(where, in("c.point", points))
	}

	query := `SELECT c.name, COALESCE(p.name, ''), COALESCE(u.email, ''), c.segment, c.stage,
		c.contact_name, c.contact_birthday, c.since, c.channel,
		c.telegram, c.whatsapp, c.phone, c.email, COALESCE(c.tags, ''), c.notes
	FROM clients c
	LEFT JOIN points p ON p.id = c.point
	LEFT JOIN users u ON u.id = c.manager
	%s
	ORDER BY p.name, c.name, c.id`

	return stream(app, w, query, where, ClientColumns, func(cells []string) {
		cells[6] = formatDate(cells[6])
		cells[7] = formatDate(cells[7])
		cells[13] = formatTags(cells[13])
	})
}

// stream runs query (whose %s is replaced by the WHERE clause built from
// where) and writes the header and one row per result row, letting fix
// format the cells in place first.
func stream(app core.App, w io.Writer, query string, where []dbx.Expression, header []string, fix func([]string)) error {
	// dbx renders an empty condition nested in And as "()", which is
	// invalid SQL: leave the empty ones out
	qb := app.DB().QueryBuilder()
	where = slices.DeleteFunc(where, func(e dbx.Expression) bool { return qb.BuildWhere(e, dbx.Params{}) == "" })
	params := dbx.Params{}
	clause := qb.BuildWhere(dbx.And(where...), params)
	rows, err := app.DB().NewQuery(fmt.Sprintf(query, clause)).Bind(params).Rows()
	if err != nil {
		return fmt.Errorf("export query: %w", err)
	}
	defer rows.Close()

	out := newRowWriter(w)
	if err := out.write(append([]string(nil), header...)); err != nil {
		return err
	}
	cells := make([]string, len(header))
	dest := make([]any, len(header))
	for i := range cells {
		dest[i] = &cells[i]
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("export row: %w", err)
		}
		fix(cells)
		if err := out.write(cells); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("export rows: %w", err)
	}
	return out.flush()
}

// in is "col IN (...)" with one parameter per value; an empty list
// matches nothing.
func in(col string, values []string) dbx.Expression {
	list := make([]any, len(values))
	for i, v := range values {
		list[i] = v
	}
	return dbx.In(col, list...)
}

// formatInstant writes a stored datetime as RFC 3339 in UTC.
func formatInstant(stored string) string {
	d, err := types.ParseDateTime(stored)
	if err != nil || d.IsZero() {
		return stored
	}
	return d.Time().UTC().Format(time.RFC3339)
}

// formatTags writes a stored tags list as "vip;retail", or as JSON when a
// tag would not survive that form (it contains ";", is empty or has
// surrounding spaces, or the first one starts with "[").
func formatTags(stored string) string {
	stored = strings.TrimSpace(stored)
	if stored == "" || stored == "null" {
		return ""
	}
	var tags []string
	if err := json.Unmarshal([]byte(stored), &tags); err != nil {
		return stored // not a list of strings: keep it as it is
	}
	for i, tag := range tags {
		if tag == "" || tag != strings.TrimSpace(tag) || strings.Contains(tag, ";") || i == 0 && strings.HasPrefix(tag, "[") {
			raw, _ := json.Marshal(tags)
			return string(raw)
		}
	}
	return strings.Join(tags, ";")
}
