package csvio

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"touchbase/domain"
)

// rowReader reads one row of an import into a record: every builder
// (clients, contacts, events) walks its cells, reads dates and select
// values and, for the records of an existing client, finds that client
// through it, so a cell means the same and is refused with the same words
// in every import.
type rowReader struct {
	imp      *clientImport
	row      csvRow
	problems []Problem
}

func (imp *clientImport) readRow(row csvRow) *rowReader {
	return &rowReader{imp: imp, row: row}
}

// problem records what is wrong with field on this row.
func (r *rowReader) problem(field, format string, args ...any) {
	r.problems = append(r.problems, Problem{Line: r.row.line, Field: field, Message: fmt.Sprintf(format, args...)})
}

// cells calls fn with each named column that has a value (trimmed, a
// spreadsheet's formula guard undone); a value under a column without a
// name is a problem. fn's error stops the walk.
func (r *rowReader) cells(fn func(column, value string) error) error {
	for i, column := range r.imp.columns {
		value := unescapeCell(strings.TrimSpace(r.row.values[i]))
		if column == "" {
			if value != "" {
				r.problem("", "column %d has a value but no name in the header", i+1)
			}
			continue
		}
		if value == "" {
			continue
		}
		if err := fn(column, value); err != nil {
			return err
		}
	}
	return nil
}

// date reads a date cell as a day, or records the problem.
func (r *rowReader) date(column, value string) types.DateTime {
	d, ok := parseDate(value)
	if !ok {
		r.problem(column, "expected a date as YYYY-MM-DD or DD.MM.YYYY, found %q", value)
	}
	return d
}

// choice is a select column's value as the schema spells it (any case);
// an unknown one is a problem. Other columns' values come back as they are.
func (r *rowReader) choice(column, value string) string {
	allowed, ok := r.imp.selects[column]
	if !ok {
		return value
	}
	i := slices.IndexFunc(allowed, func(v string) bool { return strings.EqualFold(v, value) })
	if i < 0 {
		r.problem(column, "unknown value %q; expected one of %s", value, strings.Join(allowed, ", "))
		return value
	}
	return allowed[i]
}

// client sets record's client from the row's client (id or name) and,
// when names repeat across points, its point (by name, folded).
func (r *rowReader) client(app core.App, record *core.Record, clientRef, pointName string) error {
	if clientRef == "" {
		r.problem("client", "cannot be blank: the client's id or name")
		return nil
	}
	var pointId string
	if pointName != "" {
		points := r.imp.points[domain.FoldName(pointName)]
		if len(points) != 1 {
			r.problem("point", "no point is named %q; the points are %s", pointName, r.imp.pointNames())
			return nil
		}
		pointId = points[0].Id
	}
	ids, err := r.imp.clientIds(app, clientRef, pointId)
	if err != nil {
		return err
	}
	switch {
	case len(ids) == 1:
		record.Set("client", ids[0])
	case len(ids) > 1:
		r.problem("client", "several clients are named %q; add the point column or use the client's id", clientRef)
	case pointId != "":
		r.problem("client", "no client with the id or name %q in the point %s", clientRef, pointName)
	default:
		r.problem("client", "no client with the id or name %q", clientRef)
	}
	return nil
}
