package csvio

import (
	"fmt"
	"io"
	"slices"

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
	r := imp.readRow(row)
	clientRef, pointName := "", ""
	err := r.cells(func(column, value string) error {
		switch column {
		case "client":
			clientRef = value
		case "point":
			pointName = value
		case "date":
			event.Set(column, r.date(column, value))
		case "occasion":
			id, err := occasionRef(app, value)
			if err != nil {
				return err
			}
			if id == "" {
				r.problem(column, "no occasion with the id or title %q", value)
			}
			event.Set(column, id)
		default:
			event.Set(column, r.choice(column, value))
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if err := r.client(app, event, clientRef, pointName); err != nil {
		return nil, nil, err
	}
	return event, r.problems, nil
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
