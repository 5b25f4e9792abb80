package csvio

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
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
	"template_variant", "template_language",
	"outcome", "follow_up",
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
	// Caller is the request the export answers (SPEC §6: it shows nothing
	// REST would hide from that caller). The columns joined from another
	// record, occasion_title/kind/category, point_name and
	// author_name/email, then hold what GET /api/collections/…/records/{id}
	// shows the caller: empty when it may not view the record or the field
	// is left out (an author's e-mail, unless PocketBase would show it).
	// nil = everything, as for an admin (the CLI).
	Caller *core.RequestEvent
}

// ExportTouches writes the touches selected by f to w as CSV, oldest
// first: the TouchColumns header, then one row per touch. It streams: the
// rows come from one query and are written, and flushed every few hundred
// rows, as they are read, whatever their number.
//
// Nothing is written when the query fails, so a caller that has not sent
// anything yet can still answer with an error.
func ExportTouches(app core.App, w io.Writer, f TouchFilter) error {
	var seen *joined
	if f.Caller != nil {
		info, err := f.Caller.RequestInfo()
		if err != nil {
			return fmt.Errorf("export caller: %w", err)
		}
		seen = &joined{app: app, e: f.Caller, info: info, public: map[recordKey]map[string]any{}}
	}

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

	// the TouchColumns, then the ids of the point, the author and the
	// template, which
	// only decide what the caller may see
	query := `SELECT t.id, t.created, t.period, t.status, t.channel, t.comment,
		t.occasion, COALESCE(o.title, ''), COALESCE(o.kind, ''), COALESCE(o.category, ''),
		c.id, c.name, c.segment, c.stage, COALESCE(tc.name, pc.name, ''),
		COALESCE(p.name, ''), COALESCE(a.name, ''), COALESCE(a.email, ''),
		COALESCE(ot.variant, ''), COALESCE(ot.language, ''),
		COALESCE(t.outcome, ''), SUBSTR(COALESCE(t.follow_up, ''), 1, 10),
		COALESCE(c.point, ''), COALESCE(t.author, ''), COALESCE(t.template, '')
	FROM touches t
	JOIN clients c ON c.id = t.client` + domain.PrimaryContactSQL + `
	LEFT JOIN contacts tc ON tc.id = t.contact
	LEFT JOIN occasions o ON o.id = t.occasion
	LEFT JOIN points p ON p.id = c.point
	LEFT JOIN users a ON a.id = t.author
	LEFT JOIN occasion_templates ot ON ot.id = t.template
	%s
	ORDER BY t.created, t.id`

	return stream(app, w, query, where, TouchColumns, 3, func(cells []string) error {
		cells[1] = formatInstant(cells[1])
		if seen == nil {
			return nil
		}
		for _, j := range touchJoins {
			public, err := seen.record(j.collection, cells[j.id])
			if err != nil {
				return err
			}
			for i, cell := range j.cells {
				cells[cell] = text(public[j.fields[i]])
			}
		}
		return nil
	})
}

// touchJoins are the touch export's columns that come from another record:
// the cell of that record's id, then each cell and the field it shows.
var touchJoins = []struct {
	collection string
	id         int
	cells      []int
	fields     []string
}{
	{"occasions", 6, []int{7, 8, 9}, []string{"title", "kind", "category"}},
	{"points", 22, []int{15}, []string{"name"}},
	{"users", 23, []int{16, 17}, []string{"name", "email"}},
	{"occasion_templates", 24, []int{18, 19}, []string{"variant", "language"}},
}

// joined decides, for the one request an export answers, what its caller
// may see of the records the touches refer to. It asks PocketBase the way
// the record view does, once per record: many rows share few authors,
// occasions and points.
type joined struct {
	app    core.App
	e      *core.RequestEvent
	info   *core.RequestInfo
	public map[recordKey]map[string]any // what REST shows of a record; nil = nothing
}

type recordKey struct{ collection, id string }

// record returns the fields of collection's record id that GET
// /api/collections/{collection}/records/{id} shows the caller, or nil when
// it answers 404 or 403.
func (j *joined) record(collection, id string) (map[string]any, error) {
	key := recordKey{collection, id}
	if public, ok := j.public[key]; ok {
		return public, nil
	}
	public, err := j.decide(collection, id)
	if err != nil {
		return nil, fmt.Errorf("export: what the caller may see of %s %s: %w", collection, id, err)
	}
	j.public[key] = public
	return public, nil
}

func (j *joined) decide(collection, id string) (map[string]any, error) {
	if id == "" {
		return nil, nil
	}
	record, err := j.app.FindRecordById(collection, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if ok, err := j.app.CanAccessRecord(record, j.info, record.Collection().ViewRule); err != nil || !ok {
		return nil, err
	}
	// PocketBase's own enrichment before it serialises a record: the enrich
	// hooks, hidden fields for superusers, and an auth record's e-mail for
	// its owner, a superuser or whoever passes the ManageRule (else only
	// with emailVisibility). An ?expand= on the export URL only expands
	// what the caller may view, and the export reads no expand.
	if err := apis.EnrichRecord(j.e, record); err != nil {
		return nil, err
	}
	return record.PublicExport(), nil
}

// text is a field of a record's public export as a cell.
func text(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	default:
		return fmt.Sprint(v)
	}
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
		COALESCE(pc.name, ''), COALESCE(pc.birthday, ''), c.since, COALESCE(pc.channel, ''),
		COALESCE(pc.telegram, ''), COALESCE(pc.whatsapp, ''), COALESCE(pc.phone, ''), COALESCE(pc.email, ''),
		COALESCE(c.tags, ''), c.notes
	FROM clients c` + domain.PrimaryContactSQL + `
	LEFT JOIN points p ON p.id = c.point
	LEFT JOIN users u ON u.id = c.manager
	%s
	ORDER BY p.name, c.name, c.id`

	return stream(app, w, query, where, ClientColumns, 0, func(cells []string) error {
		cells[6] = formatDate(cells[6])
		cells[7] = formatDate(cells[7])
		cells[13] = formatTags(cells[13])
		return nil
	})
}

// stream runs query (whose %s is replaced by the WHERE clause built from
// where) and writes the header and one row per result row, letting fix
// format the cells in place first. The query selects one column per header
// cell and then extra columns that fix reads but the file does not show.
func stream(app core.App, w io.Writer, query string, where []dbx.Expression, header []string, extra int, fix func([]string) error) error {
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
	cells := make([]string, len(header)+extra)
	dest := make([]any, len(cells))
	for i := range cells {
		dest[i] = &cells[i]
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("export row: %w", err)
		}
		if err := fix(cells); err != nil {
			return err
		}
		if err := out.write(cells[:len(header)]); err != nil {
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
