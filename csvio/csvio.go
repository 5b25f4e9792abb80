// Package csvio moves Touchbase data in and out as CSV files (SPEC §9):
// touches out for a manager's spreadsheet, clients in and out for bulk
// loading and for moving data between installations.
//
// It knows nothing of HTTP: the export/touches.csv route and the
// `touchbase import` / `touchbase export` commands call it with a reader or
// a writer and the app.
//
// The rules that both directions share live here:
//
//   - Files are UTF-8. Exports write no byte-order mark (the HTTP route adds
//     one for spreadsheets, see BOM); imports accept UTF-8 with or without a
//     BOM, and Windows-1251 (see ImportClients for how it is told apart).
//   - A cell that a spreadsheet would run as a formula (it starts with =, +,
//     -, @, a tab or a carriage return) is written with a leading
//     apostrophe, which spreadsheets read as "this is text" and hide. The
//     import removes that apostrophe again, so a phone number "+7 …" or a
//     Telegram handle "@name" survives the round trip.
//   - Days (birthday, since) are written as YYYY-MM-DD; the import also
//     reads DD.MM.YYYY and stores the day at 12:00Z (days.Normalize).
package csvio

import (
	"encoding/csv"
	"io"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/tools/types"

	"touchbase/days"
)

// BOM is the UTF-8 byte-order mark. Exports do not write it; a caller whose
// file will be opened in Excel writes it first, without it Excel reads UTF-8
// Cyrillic as Windows-1251 garbage.
const BOM = "\uFEFF"

// ClientColumns are the columns of a clients file, in the order
// ExportClients writes them: the client fields by their schema names.
// point is the point's name and manager the account manager's email, so a
// file moves between installations whose ids differ; tags are separated by
// ";" (a JSON list when a tag itself contains ";").
var ClientColumns = []string{
	"name", "point", "manager", "segment", "stage",
	"contact_name", "contact_birthday", "since", "channel",
	"telegram", "whatsapp", "phone", "email", "tags", "notes",
}

// flushEvery is how many rows an export writes between flushes, so a
// long export reaches the reader as it goes instead of at the end.
const flushEvery = 200

// formulaStart reports whether a spreadsheet would read s as a formula.
func formulaStart(s string) bool {
	if s == "" {
		return false
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}

// escapeCell prefixes a cell that a spreadsheet would run as a formula with
// an apostrophe. A cell that already is apostrophes followed by such a
// start gets one more, so that unescapeCell gives back exactly s: the pair
// is a bijection and the client round trip is exact.
func escapeCell(s string) string {
	if formulaStart(strings.TrimLeft(s, "'")) {
		return "'" + s
	}
	return s
}

// unescapeCell undoes escapeCell: one leading apostrophe is dropped when
// what follows it (after any further apostrophes) starts like a formula.
// Any other apostrophe is data and stays.
func unescapeCell(s string) string {
	if strings.HasPrefix(s, "'") && formulaStart(strings.TrimLeft(s, "'")) {
		return s[1:]
	}
	return s
}

// rowWriter writes CSV rows with formula escaping and flushes every
// flushEvery rows, through to w when w can flush (an HTTP response).
type rowWriter struct {
	csv  *csv.Writer
	w    io.Writer
	rows int
}

func newRowWriter(w io.Writer) *rowWriter {
	return &rowWriter{csv: csv.NewWriter(w), w: w}
}

func (rw *rowWriter) write(cells []string) error {
	for i, c := range cells {
		cells[i] = escapeCell(c)
	}
	if err := rw.csv.Write(cells); err != nil {
		return err
	}
	rw.rows++
	if rw.rows%flushEvery == 0 {
		return rw.flush()
	}
	return nil
}

// flush pushes the buffered rows to w and, when w is an HTTP response or
// similar, on to the reader.
func (rw *rowWriter) flush() error {
	rw.csv.Flush()
	if err := rw.csv.Error(); err != nil {
		return err
	}
	switch f := rw.w.(type) {
	case interface{ Flush() error }:
		return f.Flush()
	case interface{ Flush() }:
		f.Flush()
	}
	return nil
}

// formatDate writes a stored day (SPEC §3: the day at 12:00Z) as
// YYYY-MM-DD; a value stored before days were days (a moment) is written
// as its day too (days.Normalize).
func formatDate(stored string) string {
	if stored == "" {
		return ""
	}
	d, err := types.ParseDateTime(stored)
	if err != nil || d.IsZero() {
		return stored
	}
	return days.Normalize(d.Time()).Format(time.DateOnly)
}

// Date layouts the import reads, in the order tried.
var dateLayouts = []string{
	time.DateOnly,               // 2024-03-08
	"2.1.2006",                  // 08.03.2024 or 8.3.2024 (Russian spreadsheets)
	types.DefaultDateLayout,     // 2024-03-08 10:00:00.000Z (PocketBase)
	time.RFC3339Nano,            // 2024-03-08T10:00:00Z
	"2006-01-02 15:04:05Z07:00", // 2024-03-08 10:00:00Z
}

// parseDate reads a day cell in one of dateLayouts and returns the day as
// stored (days.Normalize: the day at 12:00Z); a value with a time of day is
// the day whose UTC midnight is nearest to it.
func parseDate(s string) (types.DateTime, bool) {
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			d, err := types.ParseDateTime(days.Normalize(t))
			return d, err == nil
		}
	}
	return types.DateTime{}, false
}

// ParseDate reads a date bound of an export filter: YYYY-MM-DD (a calendar
// day in loc; with endOfDay its last millisecond, so that a to= date
// includes the whole day) or an RFC 3339 instant, e.g.
// 2024-03-08T10:00:00+03:00.
func ParseDate(s string, loc *time.Location, endOfDay bool) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if loc == nil {
		loc = time.Local
	}
	if d, err := time.ParseInLocation(time.DateOnly, s, loc); err == nil {
		if endOfDay {
			d = d.AddDate(0, 0, 1).Add(-time.Millisecond)
		}
		return d, true
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, true
	}
	return time.Time{}, false
}
