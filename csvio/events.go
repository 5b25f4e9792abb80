package csvio

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"touchbase/domain"
)

// EventColumns are the columns of an events file: client (the client's
// id, or its name; add point when two points have clients of that name),
// then the event fields by their schema names; occasion (for a purchase:
// what was bought) is an occasion's id or title.
var EventColumns = []string{"client", "point", "kind", "date", "note", "source", "external_id", "occasion"}

// ImportEvents records the events listed in a CSV file (SPEC §9), all or
// nothing, with the file rules and report of ImportClients: client, kind
// and date are required; kind takes the schema's values (any case); date
// is YYYY-MM-DD or DD.MM.YYYY. A row whose (source, external_id) is
// already recorded — by an earlier import, an automation, or a row above
// in the same file — is skipped and listed in the report, not an error,
// so a feed can be imported again safely (SPEC §3: recording the same
// event twice changes nothing). A purchase with an occasion gets its hold
// (SPEC §4.8) in the import's transaction.
func ImportEvents(app core.App, r io.Reader) (Report, error) {
	report := Report{Kind: "events"}

	text, problem, err := readFile(r, &report)
	if problem != nil {
		return report.reject(*problem)
	}
	if err != nil {
		return report, err
	}

	events, err := app.FindCollectionByNameOrId("events")
	if err != nil {
		return report, err
	}
	imp := &clientImport{app: app, collection: events, text: text, comma: sniffComma(text), selects: map[string][]string{}}
	report.Delimiter = string(imp.comma)
	for _, field := range events.Fields {
		if s, ok := field.(*core.SelectField); ok {
			imp.selects[s.Name] = s.Values
		}
	}
	if imp.points, err = pointsByName(app); err != nil {
		return report, err
	}
	if problems := imp.readHeader(headerSpec{
		file: "events", record: "event", example: "client;kind;date;source;external_id",
		columns: EventColumns, required: []string{"client", "kind", "date"},
	}); len(problems) > 0 {
		return report.reject(problems...)
	}

	seen := map[[2]string]int{} // (source, external_id) → line, within the file
	var skipped []Problem
	report, err = importAll(app, report, imp, "events", func(txApp core.App, row csvRow, save bool) ([]Problem, error) {
		event, problems, err := imp.buildEvent(txApp, row)
		if err != nil {
			return nil, err
		}
		if event != nil && len(problems) == 0 {
			if key := [2]string{event.GetString("source"), event.GetString("external_id")}; key[1] != "" {
				if line, ok := seen[key]; ok {
					skipped = append(skipped, Problem{Line: row.line, Field: "external_id",
						Message: fmt.Sprintf("the same event as line %d (skipped)", line)})
					return nil, nil
				}
				seen[key] = row.line
				var existing string
				_ = txApp.DB().Select("id").From("events").
					Where(dbx.HashExp{"source": key[0], "external_id": key[1]}).Limit(1).Row(&existing)
				if existing != "" {
					skipped = append(skipped, Problem{Line: row.line, Field: "external_id",
						Message: fmt.Sprintf("already recorded as %s (skipped)", existing)})
					return nil, nil
				}
			}
			problems = append(problems, imp.problems(events, row.line, txApp.Validate(event), problems, nil)...)
		}
		if len(problems) > 0 {
			slices.SortStableFunc(problems, func(a, b Problem) int { return eventColumnIndex(a.Field) - eventColumnIndex(b.Field) })
			return problems, nil
		}
		if save {
			// Save, not SaveNoValidate: a purchase's hold is the events hook's
			if err := txApp.Save(event); err != nil {
				return imp.problems(events, row.line, err, nil, nil), nil
			}
		}
		return nil, nil
	})
	if err == nil {
		report.Imported -= len(skipped)
		report.Skipped = skipped
	}
	return report, err
}

// buildEvent turns a row into an unsaved event of an existing client.
func (imp *clientImport) buildEvent(app core.App, row csvRow) (*core.Record, []Problem, error) {
	if row.err != "" {
		return nil, []Problem{{Line: row.line, Message: row.err}}, nil
	}
	event := core.NewRecord(imp.collection)
	var problems []Problem
	problem := func(field, format string, args ...any) {
		problems = append(problems, Problem{Line: row.line, Field: field, Message: fmt.Sprintf(format, args...)})
	}
	clientRef, pointName := "", ""
	for i, column := range imp.columns {
		value := unescapeCell(strings.TrimSpace(row.values[i]))
		if column == "" {
			if value != "" {
				problem("", "column %d has a value but no name in the header", i+1)
			}
			continue
		}
		if value == "" {
			continue
		}
		switch column {
		case "client":
			clientRef = value
		case "point":
			pointName = value
		case "date":
			d, ok := parseDate(value)
			if !ok {
				problem(column, "expected a date as YYYY-MM-DD or DD.MM.YYYY, found %q", value)
			}
			event.Set(column, d)
		case "occasion":
			id, err := occasionRef(app, value)
			if err != nil {
				return nil, nil, err
			}
			if id == "" {
				problem(column, "no occasion with the id or title %q", value)
			}
			event.Set(column, id)
		default:
			if allowed, ok := imp.selects[column]; ok {
				i := slices.IndexFunc(allowed, func(v string) bool { return strings.EqualFold(v, value) })
				if i < 0 {
					problem(column, "unknown value %q; expected one of %s", value, strings.Join(allowed, ", "))
				} else {
					value = allowed[i]
				}
			}
			event.Set(column, value)
		}
	}

	if clientRef == "" {
		problem("client", "cannot be blank: the client's id or name")
		return event, problems, nil
	}
	var pointId string
	if pointName != "" {
		points := imp.points[domain.FoldName(pointName)]
		if len(points) != 1 {
			problem("point", "no point is named %q; the points are %s", pointName, imp.pointNames())
			return event, problems, nil
		}
		pointId = points[0].Id
	}
	ids, err := imp.clientIds(app, clientRef, pointId)
	if err != nil {
		return nil, nil, err
	}
	switch len(ids) {
	case 0:
		problem("client", "no client with the id or name %q", clientRef)
	case 1:
		event.Set("client", ids[0])
	default:
		problem("client", "several clients are named %q; add the point column or use the client's id", clientRef)
	}
	return event, problems, nil
}

// occasionRef finds an occasion by id, else by its title (folded); ""
// when none or several match.
func occasionRef(app core.App, ref string) (string, error) {
	if o, err := app.FindRecordById("occasions", ref); err == nil {
		return o.Id, nil
	}
	var rows []struct {
		Id    string `db:"id"`
		Title string `db:"title"`
	}
	if err := app.DB().Select("id", "title").From("occasions").All(&rows); err != nil {
		return "", err
	}
	found := ""
	for _, r := range rows {
		if domain.FoldName(r.Title) == domain.FoldName(ref) {
			if found != "" {
				return "", nil
			}
			found = r.Id
		}
	}
	return found, nil
}

// eventColumnIndex orders an event row's problems as EventColumns.
func eventColumnIndex(field string) int {
	if field == "" {
		return -1
	}
	if i := slices.Index(EventColumns, field); i >= 0 {
		return i
	}
	return len(EventColumns)
}
