package csvio

import (
	"io"
	"slices"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"touchbase/domain"
)

// ContactColumns are the columns of a contacts file: client (the client's
// id, or its name; add point when two points have clients of that name),
// then the contact fields by their schema names.
var ContactColumns = []string{
	"client", "point", "name", "role", "position", "birthday", "language", "channel",
	"telegram", "whatsapp", "phone", "email", "primary", "archived", "notes",
}

// ImportContacts adds the people listed in a CSV file to existing
// clients, all or nothing, with the same file rules and report as
// ImportClients: client and name are required; role, language and channel
// take the schema's values (any case); birthday is YYYY-MM-DD or
// DD.MM.YYYY; primary and archived are true/false (1/0, yes/no, да/нет).
// A client's first contact becomes its primary one, and a row marked
// primary makes that person the client's primary contact (SPEC §3).
func ImportContacts(app core.App, r io.Reader) (Report, error) {
	report := Report{Kind: "contacts"}

	text, problem, err := readFile(r, &report)
	if problem != nil {
		return report.reject(*problem)
	}
	if err != nil {
		return report, err
	}

	contacts, err := app.FindCollectionByNameOrId("contacts")
	if err != nil {
		return report, err
	}
	imp := &clientImport{app: app, collection: contacts, contacts: contacts, text: text, comma: sniffComma(text),
		selects: map[string][]string{}}
	report.Delimiter = string(imp.comma)
	for _, field := range contacts.Fields {
		if s, ok := field.(*core.SelectField); ok {
			imp.selects[s.Name] = s.Values
		}
	}
	if imp.points, err = pointsByName(app); err != nil {
		return report, err
	}
	if problems := imp.readHeader(headerSpec{
		file: "contacts", record: "contact", example: "client;name;role;phone",
		columns: ContactColumns, required: []string{"client", "name"},
	}); len(problems) > 0 {
		return report.reject(problems...)
	}

	return importAll(app, report, imp, "contacts", func(txApp core.App, row csvRow, save bool) ([]Problem, error) {
		contact, problems, err := imp.buildContact(txApp, row)
		if err != nil {
			return nil, err
		}
		if contact != nil {
			problems = append(problems, imp.problems(contacts, row.line, txApp.Validate(contact), problems, nil)...)
		}
		if len(problems) > 0 {
			slices.SortStableFunc(problems, func(a, b Problem) int { return contactColumnIndex(a.Field) - contactColumnIndex(b.Field) })
			return problems, nil
		}
		if save {
			if err := txApp.SaveNoValidate(contact); err != nil {
				return imp.problems(contacts, row.line, err, nil, nil), nil
			}
		}
		return nil, nil
	})
}

// buildContact turns a row into an unsaved contact of an existing client.
func (imp *clientImport) buildContact(app core.App, row csvRow) (*core.Record, []Problem, error) {
	if row.err != "" {
		return nil, []Problem{{Line: row.line, Message: row.err}}, nil
	}
	contact := core.NewRecord(imp.contacts)
	r := imp.readRow(row)
	clientRef, pointName := "", ""
	_ = r.cells(func(column, value string) error {
		switch column {
		case "client":
			clientRef = value
		case "point":
			pointName = value
		case "birthday":
			contact.Set(column, r.date(column, value))
		case "primary", "archived":
			b, ok := parseBool(value)
			if !ok {
				r.problem(column, "expected true or false, found %q", value)
			}
			contact.Set(column, b)
		default:
			contact.Set(column, r.choice(column, value))
		}
		return nil
	})
	if err := r.client(app, contact, clientRef, pointName); err != nil {
		return nil, nil, err
	}
	return contact, r.problems, nil
}

// parseBool reads true/false, 1/0, yes/no and да/нет (any case).
func parseBool(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "true", "1", "yes", "y", "да", "x":
		return true, true
	case "false", "0", "no", "n", "нет":
		return false, true
	}
	return false, false
}

// contactColumnIndex orders a contact row's problems as ContactColumns.
func contactColumnIndex(field string) int {
	if field == "" {
		return -1
	}
	if i := slices.Index(ContactColumns, field); i >= 0 {
		return i
	}
	return len(ContactColumns)
}

// clientIds finds the clients a file names: by id, else by name compared
// as the unique rules compare names (case- and ё/е-insensitive, any
// script), within pointId when set. The names are read once per import.
func (imp *clientImport) clientIds(app core.App, ref, pointId string) ([]string, error) {
	var point string
	if err := app.DB().Select("point").From("clients").Where(dbx.HashExp{"id": ref}).Limit(1).Row(&point); err == nil {
		if pointId == "" || point == pointId {
			return []string{ref}, nil
		}
		return nil, nil
	}
	if imp.clientNames == nil {
		var rows []struct {
			Id    string `db:"id"`
			Name  string `db:"name"`
			Point string `db:"point"`
		}
		if err := app.DB().Select("id", "name", "point").From("clients").All(&rows); err != nil {
			return nil, err
		}
		imp.clientNames = map[string][][2]string{}
		for _, r := range rows {
			key := domain.FoldName(r.Name)
			imp.clientNames[key] = append(imp.clientNames[key], [2]string{r.Id, r.Point})
		}
	}
	var ids []string
	for _, c := range imp.clientNames[domain.FoldName(ref)] {
		if pointId == "" || c[1] == pointId {
			ids = append(ids, c[0])
		}
	}
	return ids, nil
}
