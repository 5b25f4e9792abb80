package csvio

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"touchbase/domain"
)

// Limits of one import: a wrong file (a database dump, a whole year of
// logs) fails at once with a clear message instead of filling memory or
// holding the database for minutes.
const (
	MaxImportBytes = 64 << 20
	MaxImportRows  = 100_000
)

// maxListedProblems caps the report's list; the count stays exact.
const maxListedProblems = 1000

// ErrRejected is returned (wrapped) when the file or any of its rows has a
// problem: the report lists them and nothing was imported.
var ErrRejected = errors.New("the file was rejected and nothing was imported")

// Problem is one reason a file was rejected.
type Problem struct {
	// Line is the 1-based line of the file where the row starts (the
	// header is line 1); 0 for the file as a whole.
	Line int
	// Field is the column the problem is about, "" for the whole row.
	Field string
	// Message says what is wrong, for a person.
	Message string
}

// String reads "line 7: phone: must be in a valid format".
func (p Problem) String() string {
	var b strings.Builder
	if p.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", p.Line)
	}
	if p.Field != "" {
		b.WriteString(p.Field + ": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Report is the outcome of an import.
type Report struct {
	// Encoding is how the file was read: EncodingUTF8, EncodingUTF8BOM or
	// EncodingWindows1251 ("" when it could not be read).
	Encoding string
	// Delimiter is "," or ";", as found in the header.
	Delimiter string
	// Rows is the number of data rows read (the header and empty rows
	// excluded).
	Rows int
	// Imported is the number of clients created: Rows, or 0 when rejected.
	Imported int
	// Rejected is the number of rows with at least one problem.
	Rejected int
	// Problems lists the problems in line order, at most 1000 of them;
	// MoreProblems counts the ones left out.
	Problems     []Problem
	MoreProblems int
	// Kind is what was imported, for the summary: "clients" (the
	// default), "contacts" or "events".
	Kind string
	// Skipped lists the rows left out without rejecting the file: events
	// already recorded under the same (source, external_id).
	Skipped []Problem
}

// String is the report for a person: one summary line, then one line per
// problem.
func (r *Report) String() string {
	var b strings.Builder
	switch {
	case len(r.Problems) == 0:
		kind := r.Kind
		if kind == "" {
			kind = "clients"
		}
		fmt.Fprintf(&b, "Imported %d %s from %d rows (%s, delimiter %q).\n", r.Imported, kind, r.Rows, r.Encoding, r.Delimiter)
		if len(r.Skipped) > 0 {
			fmt.Fprintf(&b, "Skipped %d rows already recorded:\n", len(r.Skipped))
			for _, p := range r.Skipped {
				b.WriteString(p.String() + "\n")
			}
		}
	case r.Rejected > 0:
		fmt.Fprintf(&b, "Nothing was imported: %d of %d rows have problems. Fix them and import the whole file again.\n", r.Rejected, r.Rows)
	default:
		b.WriteString("Nothing was imported: the file has problems.\n")
	}
	for _, p := range r.Problems {
		b.WriteString(p.String() + "\n")
	}
	if r.MoreProblems > 0 {
		fmt.Fprintf(&b, "... and %d more problems.\n", r.MoreProblems)
	}
	return b.String()
}

// add records problems, keeping at most maxListedProblems in the list.
func (r *Report) add(problems ...Problem) {
	for _, p := range problems {
		if len(r.Problems) < maxListedProblems {
			r.Problems = append(r.Problems, p)
		} else {
			r.MoreProblems++
		}
	}
}

// reject records problems and returns the report with ErrRejected.
func (r *Report) reject(problems ...Problem) (Report, error) {
	r.add(problems...)
	r.Imported = 0
	return *r, ErrRejected
}

// ImportClients creates the clients listed in a CSV file, all or nothing.
//
// The first line names the columns, in any order, by the client field
// names of ClientColumns (case and surrounding spaces do not matter);
// name and point are required, unknown or repeated columns reject the
// file. Values: point is the point's name (case-insensitive), manager the
// user's email, segment / stage / channel one of the schema's values (any
// case), dates YYYY-MM-DD or DD.MM.YYYY, tags separated by ";" (or a JSON
// list), and every value is trimmed. A leading apostrophe that guards a
// formula-like value (see the package doc) is removed. Rows whose cells are
// all empty are skipped.
//
// The file is UTF-8 (with or without a BOM) or Windows-1251 (see decode for
// how they are told apart), delimited by "," or ";" (whichever the header
// line has more of), at most MaxImportBytes and MaxImportRows.
//
// Every row is first built and validated as PocketBase would on save,
// without writing; when any row has a problem, the report lists every
// problem with its line number, nothing is written and the error is
// ErrRejected. Otherwise all rows are saved in one transaction. Other
// errors (reading r, the database) are returned as they are.
func ImportClients(app core.App, r io.Reader) (Report, error) {
	var report Report

	text, problem, err := readFile(r, &report)
	if problem != nil {
		return report.reject(*problem)
	}
	if err != nil {
		return report, err
	}

	imp, problems, err := newClientImport(app, text)
	if err != nil {
		return report, err
	}
	report.Delimiter = string(imp.comma)
	if len(problems) > 0 {
		return report.reject(problems...)
	}

	// one transaction: every row is built, validated and saved (the
	// client, then its primary contact from the contact columns)
	return importAll(app, report, imp, "clients", func(txApp core.App, row csvRow, save bool) ([]Problem, error) {
		problems, err := imp.saveRow(txApp, row, save)
		slices.SortStableFunc(problems, func(a, b Problem) int { return fieldOrder(a.Field) - fieldOrder(b.Field) })
		return problems, err
	})
}

// readFile reads an import file (at most MaxImportBytes) and decodes it
// (UTF-8 with or without BOM, or Windows-1251), noting the encoding in
// report; problem says why the file cannot be imported at all.
func readFile(r io.Reader, report *Report) (string, *Problem, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	if err != nil {
		return "", nil, fmt.Errorf("reading the file: %w", err)
	}
	if len(data) > MaxImportBytes {
		return "", &Problem{Message: fmt.Sprintf("the file is larger than %d MB; split it into smaller files", MaxImportBytes>>20)}, nil
	}
	text, encoding, problem := decode(data)
	report.Encoding = encoding
	return text, problem, nil
}

// importAll runs every row of imp through saveRow in one transaction
// (save is false once a row has been rejected: the rest are only
// checked). When any row has a problem, the report lists every problem of
// every row with its line number and the transaction is rolled back, so
// nothing is half-imported (SPEC §9). what names the records in errors.
func importAll(app core.App, report Report, imp *clientImport, what string, saveRow func(txApp core.App, row csvRow, save bool) ([]Problem, error)) (Report, error) {
	// a cheap count first, so an oversized file fails before any lookup
	err := imp.eachRow(func(csvRow) error { return nil })
	if errors.Is(err, errTooManyRows) {
		return report.reject(Problem{Message: fmt.Sprintf("the file has more than %d rows; split it into smaller files", MaxImportRows)})
	}
	if err != nil {
		return report, err
	}

	imported := 0
	err = app.RunInTransaction(func(txApp core.App) error {
		err := imp.eachRow(func(row csvRow) error {
			report.Rows++
			problems, err := saveRow(txApp, row, report.Rejected == 0)
			if err != nil {
				return err
			}
			if len(problems) > 0 {
				report.Rejected++
				report.add(problems...)
				return nil
			}
			imported++
			return nil
		})
		if err != nil {
			return err
		}
		if report.Rejected > 0 {
			return errRejectedRows
		}
		return nil
	})
	if errors.Is(err, errRejectedRows) {
		return report.reject()
	}
	if err != nil {
		return report, fmt.Errorf("saving the %s: %w", what, err)
	}
	report.Imported = imported
	return report, nil
}

// errRejectedRows rolls the import's transaction back when a row has a
// problem.
var errRejectedRows = errors.New("rows rejected")

// contactColumns map the clients file's contact columns to the fields of
// the client's primary contact (SPEC §3 contacts).
var contactColumns = map[string]string{
	"contact_name": "name", "contact_birthday": "birthday", "channel": "channel",
	"telegram": "telegram", "whatsapp": "whatsapp", "phone": "phone", "email": "email",
}

// contactColumn is the column of a contact field, for the report.
func contactColumn(field string) string {
	for column, f := range contactColumns {
		if f == field {
			return column
		}
	}
	return field
}

// saveRow builds a row's client and contact, validates both and, when
// save is set and the row has no problem, saves them in txApp. A contact
// whose client has problems is still checked (against a stand-in client
// of the same point, rolled back with the rest), so the report lists
// every problem of the row at once.
func (imp *clientImport) saveRow(txApp core.App, row csvRow, save bool) ([]Problem, error) {
	client, contact, problems := imp.build(row)
	if client == nil {
		return problems, nil
	}
	clientProblems := imp.problems(imp.collection, row.line, txApp.Validate(client), problems, nil)
	problems = append(problems, clientProblems...)
	if contact == nil {
		if save && len(problems) == 0 {
			if err := txApp.SaveNoValidate(client); err != nil {
				return imp.problems(imp.collection, row.line, err, nil, nil), nil
			}
		}
		return problems, nil
	}

	owner := client
	if len(problems) > 0 || !save {
		owner = core.NewRecord(imp.collection)
		owner.Set("name", "stand-in")
		owner.Set("point", client.GetString("point"))
		if owner.GetString("point") == "" {
			for _, points := range imp.points {
				owner.Set("point", points[0].Id)
				break
			}
		}
	}
	if err := txApp.SaveNoValidate(owner); err != nil {
		return nil, err
	}
	contact.Set("client", owner.Id)
	contactProblems := imp.problems(imp.contacts, row.line, txApp.Validate(contact), problems, contactColumn)
	problems = append(problems, contactProblems...)
	if len(problems) > 0 || !save {
		return problems, nil
	}
	if err := txApp.SaveNoValidate(contact); err != nil {
		return imp.problems(imp.contacts, row.line, err, nil, contactColumn), nil
	}
	return nil, nil
}

// rowError carries a row's problems out of the saving transaction.
type rowError []Problem

func (e rowError) Error() string { return e[0].String() }

var errTooManyRows = errors.New("too many rows")

// clientImport is one file being imported: its text and header, and the
// lookups that turn names into ids, cached across rows and passes.
type clientImport struct {
	app        core.App
	collection *core.Collection
	contacts   *core.Collection
	text       string
	comma      rune
	// columns are the header's column names by position; "" is a column
	// without a name, ignored as long as its cells are empty
	columns  []string
	points   map[string][]*core.Record // domain.FoldName of the name → points
	managers map[string]string         // folded email → user id; "" = no such user
	selects  map[string][]string       // select field → allowed values
	// clientNames are the clients by folded name (id, point), for a
	// contacts file; loaded on first use
	clientNames map[string][][2]string
}

// csvRow is one data row: its first line and its values, or what is wrong
// with its shape.
type csvRow struct {
	line   int
	values []string
	err    string
}

// newClientImport reads the header and loads the lookups. Problems are the
// header's; the error is the database's.
func newClientImport(app core.App, text string) (*clientImport, []Problem, error) {
	collection, err := app.FindCollectionByNameOrId("clients")
	if err != nil {
		return nil, nil, err
	}
	contacts, err := app.FindCollectionByNameOrId("contacts")
	if err != nil {
		return nil, nil, err
	}
	imp := &clientImport{
		app:        app,
		collection: collection,
		contacts:   contacts,
		text:       text,
		comma:      sniffComma(text),
		managers:   map[string]string{},
		selects:    map[string][]string{},
	}
	for _, field := range collection.Fields {
		if s, ok := field.(*core.SelectField); ok {
			imp.selects[s.Name] = s.Values
		}
	}
	for _, field := range contacts.Fields {
		if s, ok := field.(*core.SelectField); ok && s.Name == "channel" {
			imp.selects["channel"] = s.Values // the only contact select with a column
		}
	}
	if imp.points, err = pointsByName(app); err != nil {
		return nil, nil, err
	}

	return imp, imp.readHeader(headerSpec{
		file: "clients", record: "client", example: "name;point;phone",
		columns: ClientColumns, required: []string{"name", "point"},
	}), nil
}

// pointsByName indexes the points by their folded name (domain.FoldName,
// as the unique rule compares them), for the point column.
func pointsByName(app core.App) (map[string][]*core.Record, error) {
	points, err := app.FindAllRecords("points")
	if err != nil {
		return nil, err
	}
	byName := map[string][]*core.Record{}
	for _, p := range points {
		key := domain.FoldName(p.GetString("name"))
		byName[key] = append(byName[key], p)
	}
	return byName, nil
}

// headerSpec says what the header of one kind of import file may name.
type headerSpec struct {
	file, record string   // "clients file", "every client needs"
	example      string   // a header line for the empty-file message
	columns      []string // the columns it may have
	required     []string // the columns it must have
}

// readHeader reads the file's first line into imp.columns and lists its
// problems: empty, unreadable, unknown or repeated columns, missing ones.
func (imp *clientImport) readHeader(spec headerSpec) []Problem {
	header, err := imp.reader().Read()
	if err == io.EOF || strings.TrimSpace(imp.text) == "" {
		return []Problem{{Line: 1, Message: "the file is empty: the first line must name the columns, e.g. " + spec.example}}
	}
	if err != nil {
		return []Problem{{Line: 1, Message: "the header line cannot be read: " + err.Error()}}
	}

	var problems []Problem
	var unknown []string
	seen := map[string]int{}
	for i, cell := range header {
		name := fold(unescapeCell(strings.TrimSpace(cell)))
		imp.columns = append(imp.columns, name)
		if name == "" {
			continue
		}
		if !slices.Contains(spec.columns, name) {
			unknown = append(unknown, strconv.Quote(strings.TrimSpace(cell)))
			continue
		}
		if first, ok := seen[name]; ok {
			problems = append(problems, Problem{Line: 1, Message: fmt.Sprintf("column %q appears twice (columns %d and %d)", name, first+1, i+1)})
			continue
		}
		seen[name] = i
	}
	if len(unknown) > 0 {
		noun := "column"
		if len(unknown) > 1 {
			noun = "columns"
		}
		problems = append(problems, Problem{Line: 1, Message: fmt.Sprintf("unknown %s %s; a %s file may have the columns %s",
			noun, strings.Join(unknown, ", "), spec.file, strings.Join(spec.columns, ", "))})
	}
	for _, required := range spec.required {
		if _, ok := seen[required]; !ok {
			problems = append(problems, Problem{Line: 1, Message: fmt.Sprintf("missing column %q, which every %s needs", required, spec.record)})
		}
	}
	return problems
}

// sniffComma picks the delimiter the header line uses more of, outside
// quotes: ";" (Excel in Russian and most European locales) or ",".
func sniffComma(text string) rune {
	commas, semicolons := 0, 0
	quoted := false
	for _, r := range text {
		switch {
		case r == '"':
			quoted = !quoted
		case quoted:
		case r == '\n':
			if semicolons > commas {
				return ';'
			}
			return ','
		case r == ',':
			commas++
		case r == ';':
			semicolons++
		}
	}
	if semicolons > commas {
		return ';'
	}
	return ','
}

func (imp *clientImport) reader() *csv.Reader {
	cr := csv.NewReader(strings.NewReader(imp.text))
	cr.Comma = imp.comma
	cr.LazyQuotes = true // `ООО "Ромашка"` without quoting the cell is common
	cr.ReuseRecord = true
	return cr
}

// eachRow calls fn for every data row after the header, skipping rows whose
// cells are all empty; it stops with errTooManyRows after MaxImportRows.
func (imp *clientImport) eachRow(fn func(csvRow) error) error {
	cr := imp.reader()
	if _, err := cr.Read(); err != nil {
		return err
	}
	n := 0
	for {
		values, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		row := csvRow{values: values}
		var parseErr *csv.ParseError
		switch {
		case err == nil:
			row.line, _ = cr.FieldPos(0)
		case errors.As(err, &parseErr):
			row.line = parseErr.StartLine
			if errors.Is(parseErr.Err, csv.ErrFieldCount) {
				row.err = fmt.Sprintf("expected %d values (one per column of the header), found %d", len(imp.columns), len(values))
			} else {
				row.err = parseErr.Err.Error()
			}
		default:
			return err
		}
		if allEmpty(values) {
			continue
		}
		if n++; n > MaxImportRows {
			return errTooManyRows
		}
		if err := fn(row); err != nil {
			return err
		}
	}
}

func allEmpty(values []string) bool {
	for _, v := range values {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// build turns a row into an unsaved client. Problems are the values that
// cannot be turned into field values (an unknown point, a malformed date);
// the record is nil when the row's shape is wrong.
func (imp *clientImport) build(row csvRow) (*core.Record, *core.Record, []Problem) {
	if row.err != "" {
		return nil, nil, []Problem{{Line: row.line, Message: row.err}}
	}
	record := core.NewRecord(imp.collection)
	var contact *core.Record
	r := imp.readRow(row)
	err := r.cells(func(column, value string) error {
		if field, ok := contactColumns[column]; ok {
			if contact == nil {
				contact = core.NewRecord(imp.contacts)
				contact.Set("primary", true)
			}
			if column == "contact_birthday" {
				contact.Set(field, r.date(column, value))
			} else {
				contact.Set(field, r.choice(column, value))
			}
			return nil
		}
		switch column {
		case "point":
			// the rule that keeps point names unique decides which
			// point a name means: "орел" is the point "Орёл"
			points := imp.points[domain.FoldName(value)]
			switch len(points) {
			case 1:
				record.Set("point", points[0].Id)
			case 0:
				r.problem("point", "no point is named %q; the points are %s", value, imp.pointNames())
			default:
				r.problem("point", "several points are named %q; rename them apart first", value)
			}
		case "manager":
			id, err := imp.manager(value)
			if err != nil {
				return err
			}
			if id == "" {
				r.problem("manager", "no user has the email %q", value)
			}
			record.Set("manager", id)
		case "since":
			record.Set(column, r.date(column, value))
		case "tags":
			tags, ok := parseTags(value)
			if !ok {
				r.problem("tags", `expected tags separated by ";" (e.g. vip;retail) or a JSON list of strings, found %q`, value)
			}
			record.Set("tags", tags)
		default:
			record.Set(column, r.choice(column, value))
		}
		return nil
	})
	if err != nil { // only a manager's lookup fails
		return nil, nil, []Problem{{Line: row.line, Field: "manager", Message: err.Error()}}
	}
	if contact != nil && contact.GetString("name") == "" {
		// a contact without a name is addressed by the client's name
		contact.Set("name", record.GetString("name"))
		if contact.GetString("name") == "" {
			contact.Set("name", "?") // the client's blank name is the row's problem
		}
	}
	return record, contact, r.problems
}

// manager returns the id of the user with email, compared without case
// ("" when there is none), asking the database once per address.
func (imp *clientImport) manager(email string) (string, error) {
	key := fold(email)
	if id, ok := imp.managers[key]; ok {
		return id, nil
	}
	var ids []string
	err := imp.app.DB().Select("id").From("users").
		Where(dbx.NewExp("email = {:email} COLLATE NOCASE", dbx.Params{"email": email})).
		Limit(2).Column(&ids)
	if err != nil {
		return "", fmt.Errorf("looking up %q: %w", email, err)
	}
	id := ""
	if len(ids) == 1 {
		id = ids[0]
	}
	imp.managers[key] = id
	return id, nil
}

// pointNames lists the point names for a message, at most 20.
func (imp *clientImport) pointNames() string {
	var names []string
	for _, points := range imp.points {
		for _, p := range points {
			names = append(names, p.GetString("name"))
		}
	}
	slices.Sort(names)
	if len(names) > 20 {
		names = append(names[:20], "…")
	}
	if len(names) == 0 {
		return "(none yet: create the points first)"
	}
	return strings.Join(names, ", ")
}

// parseTags reads "vip; retail" or ["vip","retail"]; empty items of the
// ";" form are dropped.
func parseTags(s string) ([]string, bool) {
	if strings.HasPrefix(s, "[") {
		var tags []string
		if err := json.Unmarshal([]byte(s), &tags); err != nil {
			return nil, false
		}
		return tags, true
	}
	var tags []string
	for _, tag := range strings.Split(s, ";") {
		if tag = strings.TrimSpace(tag); tag != "" {
			tags = append(tags, tag)
		}
	}
	return tags, true
}

// problems turns the error of app.Validate or app.Save into problems, one
// per field in column order, leaving out the fields that already have a
// problem (a point that was not found is also "cannot be blank").
func (imp *clientImport) problems(collection *core.Collection, line int, err error, already []Problem, column func(string) string) []Problem {
	if column == nil {
		column = func(field string) string { return field }
	}
	if err == nil {
		return nil
	}
	var errs validation.Errors
	var apiErr *router.ApiError
	switch {
	case errors.As(err, &errs):
	case errors.As(err, &apiErr):
		if raw, ok := apiErr.RawData().(validation.Errors); ok {
			errs = raw
		} else {
			return []Problem{{Line: line, Message: sentence(apiErr.Message)}}
		}
	default:
		return []Problem{{Line: line, Message: err.Error()}}
	}

	fields := make([]string, 0, len(errs))
	for field := range errs {
		if field == "client" && collection == imp.contacts {
			continue // the stand-in client's, or the client row's own
		}
		if !slices.ContainsFunc(already, func(p Problem) bool { return p.Field == column(field) }) {
			fields = append(fields, field)
		}
	}
	slices.SortFunc(fields, func(a, b string) int {
		ia, ib := columnIndex(column(a)), columnIndex(column(b))
		if ia != ib {
			return ia - ib
		}
		return strings.Compare(a, b)
	})
	problems := make([]Problem, 0, len(fields))
	for _, field := range fields {
		message := sentence(strings.TrimPrefix(errs[field].Error(), field+": "))
		var verr validation.Error
		if errors.As(errs[field], &verr) && verr.Code() == "validation_invalid_format" {
			message = "must be in a valid format"
			if f, ok := collection.Fields.GetByName(field).(*core.TextField); ok && f.Help != "" {
				message += " (" + sentence(f.Help) + ")"
			}
		}
		problems = append(problems, Problem{Line: line, Field: column(field), Message: message})
	}
	return problems
}

// sentence fits a validation message after "line 7: phone: ": first
// letter lower-cased (unless it starts an acronym), no final period.
func sentence(s string) string {
	s = strings.TrimSuffix(strings.TrimSpace(s), ".")
	r := []rune(s)
	if len(r) > 1 && unicode.IsUpper(r[0]) && !unicode.IsUpper(r[1]) {
		r[0] = unicode.ToLower(r[0])
	}
	return string(r)
}

// fieldOrder puts a row's own problems first, then its fields' in column
// order.
func fieldOrder(field string) int {
	if field == "" {
		return -1
	}
	return columnIndex(field)
}

// columnIndex orders fields as ClientColumns, unknown ones last.
func columnIndex(field string) int {
	if i := slices.Index(ClientColumns, field); i >= 0 {
		return i
	}
	return len(ClientColumns)
}

// fold is the case-insensitive key of a column name or an email (point
// names fold with domain.FoldName, which also reads ё as е).
func fold(s string) string {
	return strings.ToLower(strings.TrimSpace(s))
}
