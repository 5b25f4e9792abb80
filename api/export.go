package api

import (
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"touchbase/csvio"
	"touchbase/domain"
)

// exportTouches serves GET /api/touchbase/export/touches.csv (SPEC §6):
// the touches of the clients in the caller's scope as a CSV download for a
// spreadsheet, oldest first, with the columns of csvio.TouchColumns.
//
// Query: the client filters of the worklist (point, segment, stage, tag,
// manager, q; see clientFilter; lost clients are included, their history
// matters here), and
//
//	occasion=ID       one occasion (one the caller can see)
//	status=done|skipped|withdrawn
//	from=, to=        created from / to, inclusive: YYYY-MM-DD (a day in
//	                  the zone of the caller's point, or the server's for a
//	                  caller who sees several points) or an RFC 3339 instant
//
// The author, occasion and point columns hold only what REST shows the
// caller of those records (see csvio.TouchFilter.Caller): e.g. a point
// manager gets a colleague's name but not their e-mail.
//
// Every parameter is checked before the first byte is sent, so a bad one
// is a JSON 400 that names it. The file is UTF-8 with a byte-order mark
// (without it Excel shows Cyrillic as garbage) and is streamed row by row.
func exportTouches(e *core.RequestEvent) error {
	clients, err := parseClientFilter(e)
	if err != nil {
		return err
	}
	filter := csvio.TouchFilter{
		Points:  clients.Scope.Points,
		Clients: clients.ExprAll("c"),
		Caller:  e, // the joined columns show only what REST shows this caller
	}
	query := e.Request.URL.Query()

	if strings.TrimSpace(query.Get("occasion")) != "" {
		occasion, err := findOccasion(e)
		if err != nil {
			return err
		}
		filter.Occasion = occasion.Id
	}

	switch status := strings.TrimSpace(query.Get("status")); status {
	case "", "done", "skipped", "withdrawn":
		filter.Status = status
	default:
		return paramError("status", "validation_invalid_value", "must be done, skipped or withdrawn, not %q.", status)
	}

	loc := exportLocation(e.App, clients.Scope)
	for _, bound := range []struct {
		param    string
		endOfDay bool
		dest     *time.Time
	}{{"from", false, &filter.From}, {"to", true, &filter.To}} {
		raw := strings.TrimSpace(query.Get(bound.param))
		if raw == "" {
			continue
		}
		d, ok := csvio.ParseDate(raw, loc, bound.endOfDay)
		if !ok {
			return paramError(bound.param, "validation_invalid_date",
				"must be a date as YYYY-MM-DD (e.g. 2026-03-08) or an RFC 3339 time (e.g. 2026-03-08T10:00:00+03:00), not %q.", raw)
		}
		*bound.dest = d
	}
	if !filter.From.IsZero() && !filter.To.IsZero() && filter.To.Before(filter.From) {
		return paramError("to", "validation_range_reversed", "must not be before from.")
	}

	out := &csvDownload{e: e, filename: "touches-" + time.Now().In(loc).Format(time.DateOnly) + ".csv"}
	if err := csvio.ExportTouches(e.App, out, filter); err != nil {
		if !out.started {
			return e.InternalServerError("The export failed; try again.", err)
		}
		// the download has begun: it ends short, and the error is logged
		return err
	}
	if !out.started { // an export always has its header row; just in case
		_, err = out.Write(nil)
	}
	return err
}

// exportLocation is the zone whose calendar days from= and to= name: the
// point's when the scope is one point, the server's otherwise.
func exportLocation(app core.App, scope *Scope) *time.Location {
	if len(scope.Points) == 1 {
		if point, err := app.FindRecordById("points", scope.Points[0]); err == nil {
			return domain.PointLocation(point)
		}
	}
	return time.Local
}

// csvDownload is the response as an io.Writer for csvio: the headers, the
// status and the byte-order mark go out with the first write, so until then
// the route can still answer with a JSON error. Flush sends what the
// export has written so far.
type csvDownload struct {
	e        *core.RequestEvent
	filename string
	started  bool
}

func (d *csvDownload) Write(p []byte) (int, error) {
	if !d.started {
		d.started = true
		h := d.e.Response.Header()
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", `attachment; filename="`+d.filename+`"`)
		h.Set("Cache-Control", "no-store")
		d.e.Response.WriteHeader(http.StatusOK)
		if _, err := io.WriteString(d.e.Response, csvio.BOM); err != nil {
			return 0, err
		}
	}
	return d.e.Response.Write(p)
}

func (d *csvDownload) Flush() error {
	return d.e.Flush()
}
