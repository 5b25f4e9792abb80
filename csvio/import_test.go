package csvio_test

import (
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"touchbase/domain"

	"github.com/pocketbase/pocketbase/core"
	"golang.org/x/text/encoding/charmap"

	"touchbase/csvio"
	"touchbase/internal/testapp"
)

const knownColumns = "name, point, manager, segment, stage, contact_name, contact_birthday, since, channel, telegram, whatsapp, phone, email, tags, notes"

const advice = `save the file as UTF-8 (in Excel: "CSV UTF-8") and import it again`

// TestImportClientsRejectsWholeFile feeds broken files and checks that each
// is rejected whole: ErrRejected, the exact line-numbered problems, and not
// one client written, not even from the good rows.
func TestImportClientsRejectsWholeFile(t *testing.T) {
	cases := []struct {
		name string
		file string
		want []string
	}{
		{
			name: "wrong column count",
			file: "name,point,phone\nGood,Moscow,+7 495 000-00-00\nBad,Moscow\nAlso good,London,\n",
			want: []string{"line 3: expected 3 values (one per column of the header), found 2"},
		},
		{
			name: "unknown point",
			file: "name,point\nGood,moscow\nBad,Paris\n",
			want: []string{`line 3: point: no point is named "Paris"; the points are Kazan, London, Moscow`},
		},
		{
			name: "invalid phone",
			file: "name,point,phone\nGood,Moscow,+7 495 000-00-00\nBad,Moscow,call me\n",
			want: []string{"line 3: phone: a phone number has only digits, spaces, dashes, dots, parentheses and a leading +; write it as 8 (301) 123-45-67 or +7 301 123-45-67"},
		},
		{
			name: "empty name",
			file: "name,point\n,Moscow\n",
			want: []string{"line 2: name: cannot be blank"},
		},
		{
			name: "every problem of every row, line numbers past a multi-line cell",
			file: "name;point;notes;email;since;segment\n" +
				"\"ООО \"\"Ромашка\"\"\";Moscow;\"first line\nsecond line\";ok@test.local;2020-01-01;A\n" +
				";Paris;;not-an-email;31/12/2020;Z\n" +
				"Fine;London;;;;\n" +
				"Also bad;London;;;;a++\n",
			want: []string{
				"line 4: name: cannot be blank",
				`line 4: point: no point is named "Paris"; the points are Kazan, London, Moscow`,
				`line 4: segment: unknown value "Z"; expected one of A+, A, B, C, D`,
				`line 4: since: expected a date as YYYY-MM-DD or DD.MM.YYYY, found "31/12/2020"`,
				"line 4: email: must be a valid email address",
				`line 6: segment: unknown value "a++"; expected one of A+, A, B, C, D`,
			},
		},
		{
			name: "unknown manager",
			file: "name,point,manager\nA,Moscow,nobody@test.local\n",
			want: []string{`line 2: manager: no user has the email "nobody@test.local"`},
		},
		{
			name: "manager of another point",
			file: "name,point,manager\nA,Moscow,pm2@test.local\n",
			want: []string{"line 2: manager: the manager must work at the client's point"},
		},
		{
			name: "too many tags",
			file: "name,point,tags\nA,Moscow,t1;t2;t3;t4;t5;t6;t7;t8;t9;t10;t11;t12;t13;t14;t15;t16;t17;t18;t19;t20;t21\n",
			want: []string{"line 2: tags: at most 20 tags per client"},
		},
		{
			name: "tags that are not a list",
			file: "name,point,tags\nA,Moscow,\"[1,2\"\n",
			want: []string{`line 2: tags: expected tags separated by ";" (e.g. vip;retail) or a JSON list of strings, found "[1,2"`},
		},
		{
			name: "over-long name",
			file: "name,point\n" + strings.Repeat("я", 201) + ",Moscow\n",
			want: []string{"line 2: name: must be no more than 200 character(s)"},
		},
		{
			name: "unknown columns",
			file: "name,point,fax, Skype \nA,Moscow,1,2\n",
			want: []string{`line 1: unknown columns "fax", "Skype"; a clients file may have the columns ` + knownColumns},
		},
		{
			name: "duplicate column",
			file: "name,point,Name\nA,Moscow,B\n",
			want: []string{`line 1: column "name" appears twice (columns 1 and 3)`},
		},
		{
			name: "missing point column",
			file: "name,phone\nA,+7 495 000-00-00\n",
			want: []string{`line 1: missing column "point", which every client needs`},
		},
		{
			name: "empty file",
			file: "",
			want: []string{"line 1: the file is empty: the first line must name the columns, e.g. name;point;phone"},
		},
		{
			name: "value under a nameless column",
			file: "name,point,\nA,Moscow,\nB,Moscow,x\n",
			want: []string{"line 3: column 3 has a value but no name in the header"},
		},
		{
			name: "Latin-1 is neither UTF-8 nor plausible Windows-1251",
			file: "name,point\nOK,London\nM\xfcller GmbH,London\n",
			want: []string{`line 3: the file is not UTF-8, and read as Windows-1251 it gives "Mьller"; ` + advice},
		},
		{
			name: "UTF-8 with a damaged character",
			file: "name,point\nООО Ромашка,Moscow\nИП Кузне\xd1,Moscow\n",
			want: []string{"line 3: invalid UTF-8: the file is UTF-8 but a character on this line is damaged; fix it or " + advice},
		},
		{
			name: "UTF-8 BOM with a byte that is not UTF-8",
			file: "\xef\xbb\xbfname,point\n\xcf\xf0\xe8\xe2\xe5\xf2,Moscow\n",
			want: []string{"line 2: invalid UTF-8: the file is UTF-8 but a character on this line is damaged; fix it or " + advice},
		},
		{
			name: "NUL byte",
			file: "name,point\nA,Moscow\nB\x00,Moscow\n",
			want: []string{"line 3: byte 0x00 is a control character, not text: is this a CSV file? If it is, " + advice},
		},
		{
			name: "byte undefined in Windows-1251",
			file: "name,point\n\xcf\xf0\x98,Moscow\n",
			want: []string{"line 2: byte 0x98 is neither UTF-8 nor Windows-1251 text; " + advice},
		},
		{
			name: "UTF-16",
			file: "\xff\xfen\x00a\x00m\x00e\x00",
			want: []string{"line 1: the file is UTF-16 or UTF-32 text; " + advice},
		},
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			app := testapp.New(t)
			before := clientsSnapshot(t, app)

			report, err := csvio.ImportClients(app, strings.NewReader(tc.file))
			if !errors.Is(err, csvio.ErrRejected) {
				t.Fatalf("err = %v, want ErrRejected; report:\n%s", err, report.String())
			}
			if got := problemStrings(report); !slices.Equal(got, tc.want) {
				t.Errorf("problems:\n  got  %q\n  want %q", got, tc.want)
			}
			if report.Imported != 0 {
				t.Errorf("Imported = %d, want 0", report.Imported)
			}
			if after := clientsSnapshot(t, app); !slices.Equal(after, before) {
				t.Errorf("clients changed by a rejected import:\n  before %v\n  after  %v", before, after)
			}
			if !strings.HasPrefix(report.String(), "Nothing was imported") {
				t.Errorf("report does not start with the verdict:\n%s", report.String())
			}
		})
	}
}

// TestImportClientsLimits checks the row and size guards with their messages.
func TestImportClientsLimits(t *testing.T) {
	app := testapp.New(t)

	rows := "name,point\n" + strings.Repeat("A,Moscow\n", csvio.MaxImportRows+1)
	report, err := csvio.ImportClients(app, strings.NewReader(rows))
	if !errors.Is(err, csvio.ErrRejected) {
		t.Fatalf("too many rows: err = %v, want ErrRejected", err)
	}
	want := []string{"the file has more than 100000 rows; split it into smaller files"}
	if got := problemStrings(report); !slices.Equal(got, want) {
		t.Errorf("too many rows: problems %q, want %q", got, want)
	}

	big := io.MultiReader(strings.NewReader("name,point\n"), io.LimitReader(endless('x'), csvio.MaxImportBytes))
	report, err = csvio.ImportClients(app, big)
	if !errors.Is(err, csvio.ErrRejected) {
		t.Fatalf("too big: err = %v, want ErrRejected", err)
	}
	want = []string{"the file is larger than 64 MB; split it into smaller files"}
	if got := problemStrings(report); !slices.Equal(got, want) {
		t.Errorf("too big: problems %q, want %q", got, want)
	}
	if n := testapp.Count(t, app, "clients", ""); n != 4 {
		t.Errorf("clients = %d, want the fixture's 4", n)
	}
}

// TestImportClientsWindows1251 imports a file saved by a Russian Excel:
// Windows-1251, ";" delimited, Cyrillic point names in any case.
func TestImportClientsWindows1251(t *testing.T) {
	app := testapp.New(t)
	spb := saveRecord(t, app, "points", map[string]any{"name": "Санкт-Петербург", "country": "RU"})

	utf := "name;point;contact_name;notes\r\n" +
		"ООО «Ёлка»;САНКТ-ПЕТЕРБУРГ;Пётр Иванович;Счёт № 5 — оплачен\r\n" +
		"ИП Щукин;санкт-петербург;;Cтрой-снаб: опечатка в слове\r\n" // one Latin "C" typo among Cyrillic words
	data, err := charmap.Windows1251.NewEncoder().String(utf)
	if err != nil {
		t.Fatal(err)
	}

	report, err := csvio.ImportClients(app, strings.NewReader(data))
	if err != nil {
		t.Fatalf("import: %v\n%s", err, report.String())
	}
	if report.Encoding != csvio.EncodingWindows1251 || report.Delimiter != ";" || report.Imported != 2 || report.Rows != 2 {
		t.Errorf("report = %+v", report)
	}

	elka := findClient(t, app, "ООО «Ёлка»")
	assertFields(t, elka, map[string]string{
		"point": spb.Id, "contact_name": "Пётр Иванович", "notes": "Счёт № 5 — оплачен",
	})
	shchukin := findClient(t, app, "ИП Щукин")
	assertFields(t, shchukin, map[string]string{"point": spb.Id, "notes": "Cтрой-снаб: опечатка в слове"})
	if got := shchukin.GetString("search"); got != "ип щукин" {
		t.Errorf("search = %q: the hooks did not run on import", got)
	}
}

// TestImportClientsBOMSemicolonAndSpreadsheetHabits imports a UTF-8 file
// with a BOM, ";" delimiters, CRLF line ends, a header in another order and
// case, values in any case, DD.MM.YYYY dates, apostrophe-guarded cells,
// unquoted quotes and an empty spreadsheet row.
func TestImportClientsBOMSemicolonAndSpreadsheetHabits(t *testing.T) {
	app := testapp.New(t)
	file := csvio.BOM +
		" Point ;NAME;phone;segment;stage;tags;contact_birthday;since;manager;channel;telegram\r\n" +
		"moscow;\"ООО \"\"Альфа; Омега\"\"\";'+7 495 123-45-67;a+;Regular;\"vip; retail ;\";08.03.1985;2020-01-15;PM1@test.local;Telegram;'@alpha_omega\r\n" +
		";;;;;;;;;;\r\n" +
		"LONDON;ООО \"Бета\";;;;;;;;;\r\n"

	report, err := csvio.ImportClients(app, strings.NewReader(file))
	if err != nil {
		t.Fatalf("import: %v\n%s", err, report.String())
	}
	if report.Encoding != csvio.EncodingUTF8BOM || report.Delimiter != ";" || report.Rows != 2 || report.Imported != 2 {
		t.Errorf("report = %+v", report)
	}
	if got := report.String(); got != "Imported 2 clients from 2 rows (UTF-8 with BOM, delimiter \";\").\n" {
		t.Errorf("report text = %q", got)
	}

	alpha := findClient(t, app, `ООО "Альфа; Омега"`)
	assertFields(t, alpha, map[string]string{
		"point": testapp.P1, "phone": "+74951234567", "segment": "A+", "stage": "regular",
		"manager": testapp.PM1, "channel": "telegram", "telegram": "@alpha_omega",
	})
	if got := alpha.GetDateTime("contact_birthday").String(); got != "1985-03-08 12:00:00.000Z" { // a day (SPEC §3)
		t.Errorf("contact_birthday = %q", got)
	}
	if got := alpha.GetDateTime("since").String(); got != "2020-01-15 12:00:00.000Z" {
		t.Errorf("since = %q", got)
	}
	if got := tagsOf(t, alpha); !slices.Equal(got, []string{"vip", "retail"}) {
		t.Errorf("tags = %q", got)
	}
	beta := findClient(t, app, `ООО "Бета"`)
	assertFields(t, beta, map[string]string{"point": testapp.P2, "segment": "", "phone": ""})
}

// clientsSnapshot lists every client as "id name", sorted, to compare the
// table before and after an import.
func clientsSnapshot(t *testing.T, app core.App) []string {
	t.Helper()
	records, err := app.FindAllRecords("clients")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range records {
		out = append(out, r.Id+" "+r.GetString("name"))
	}
	slices.Sort(out)
	return out
}

func problemStrings(r csvio.Report) []string {
	var out []string
	for _, p := range r.Problems {
		out = append(out, p.String())
	}
	return out
}

func findClient(t *testing.T, app core.App, name string) *core.Record {
	t.Helper()
	record, err := app.FindFirstRecordByData("clients", "name", name)
	if err != nil {
		t.Fatalf("client %q: %v", name, err)
	}
	return withContact(t, app, record)
}

// withContact shows the client's primary contact in the columns of the
// clients file (contact_name, contact_birthday, channel, telegram,
// whatsapp, phone, email), as the import and export map them.
func withContact(t testing.TB, app core.App, client *core.Record) *core.Record {
	t.Helper()
	contact, err := domain.PrimaryContact(app, client.Id)
	if err != nil {
		t.Fatal(err)
	}
	view := client.Fresh().WithCustomData(true)
	for column, field := range map[string]string{"contact_name": "name", "contact_birthday": "birthday", "channel": "channel",
		"telegram": "telegram", "whatsapp": "whatsapp", "phone": "phone", "email": "email"} {
		value := ""
		if contact != nil {
			value = contact.GetString(field)
		}
		view.Set(column, value)
	}
	return view
}

func assertFields(t *testing.T, record *core.Record, want map[string]string) {
	t.Helper()
	for field, value := range want {
		if got := record.GetString(field); got != value {
			t.Errorf("%s %q: %s = %q, want %q", record.Collection().Name, record.GetString("name"), field, got, value)
		}
	}
}

func tagsOf(t *testing.T, record *core.Record) []string {
	t.Helper()
	var tags []string
	if raw := record.GetString("tags"); raw != "" && raw != "null" {
		if err := record.UnmarshalJSONField("tags", &tags); err != nil {
			t.Fatalf("tags of %q: %v", record.GetString("name"), err)
		}
	}
	return tags
}

func saveRecord(t *testing.T, app core.App, collection string, fields map[string]any) *core.Record {
	t.Helper()
	c, err := app.FindCollectionByNameOrId(collection)
	if err != nil {
		t.Fatal(err)
	}
	record := core.NewRecord(c)
	for k, v := range fields {
		record.Set(k, v)
	}
	if err := app.Save(record); err != nil {
		t.Fatalf("saving %s: %v", collection, err)
	}
	return record
}

// endless is an io.Reader of one byte forever.
type endless byte

func (b endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(b)
	}
	return len(p), nil
}

// TestImportFindsPointsLikeTheUniqueRule: a point name in the file is
// compared the way point names are kept unique (domain.FoldName: case and
// ё/е do not matter), so "орел" and "ОРЁЛ" both find the point "Орёл", the
// name that refuses "Орел" as a duplicate.
func TestImportFindsPointsLikeTheUniqueRule(t *testing.T) {
	app := testapp.New(t)
	orel := saveRecord(t, app, "points", map[string]any{"name": "Орёл", "timezone": "Europe/Moscow", "country": "RU"})
	points, err := app.FindCollectionByNameOrId("points")
	if err != nil {
		t.Fatal(err)
	}
	twin := core.NewRecord(points)
	twin.Set("name", "Орел")
	if err := app.Save(twin); err == nil {
		t.Fatal(`"Орел" was saved next to "Орёл"; the unique rule should refuse it`)
	}

	file := "name,point\nFirst,орел\nSecond,ОРЁЛ\nThird, Орел \n"
	report, err := csvio.ImportClients(app, strings.NewReader(file))
	if err != nil {
		t.Fatalf("import: %v\n%s", err, report.String())
	}
	for _, name := range []string{"First", "Second", "Third"} {
		assertFields(t, findClient(t, app, name), map[string]string{"point": orel.Id})
	}
}
