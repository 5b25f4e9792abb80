package templates_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	. "touchbase/internal/testapp"
)

func TestMain(m *testing.M) { Main(m) }

const templatesURL = "/api/collections/occasion_templates/records"

// addTemplate saves a version of occasion directly (as a service manager's
// dashboard would) and returns its id.
func addTemplate(t testing.TB, app core.App, occasion, language, variant string, weight float64, text string, archived bool) string {
	t.Helper()
	c, err := app.FindCollectionByNameOrId("occasion_templates")
	if err != nil {
		t.Fatal(err)
	}
	r := core.NewRecord(c)
	r.Set("occasion", occasion)
	r.Set("language", language)
	r.Set("variant", variant)
	r.Set("weight", weight)
	r.Set("text", text)
	r.Set("archived", archived)
	if err := app.Save(r); err != nil {
		t.Fatalf("save template %s/%s: %v", language, variant, err)
	}
	return r.Id
}

type worklistRow struct {
	Client struct {
		Id string `json:"id"`
	} `json:"client"`
	Template *struct {
		Id       string `json:"id"`
		Language string `json:"language"`
		Variant  string `json:"variant"`
	} `json:"template"`
	Language string `json:"language"`
	Message  string `json:"message"`
}

// worklist returns the rows of occasion's worklist (every state) by client id.
func worklist(t testing.TB, app *tests.TestApp, user, occasion string) map[string]worklistRow {
	t.Helper()
	res := Request(t, Serve(t, app), http.MethodGet, "/api/touchbase/worklist?state=all&occasion="+occasion, user, "")
	if res.Status != http.StatusOK {
		t.Fatalf("worklist: %d %s", res.Status, res.Body)
	}
	var page struct {
		Items []worklistRow `json:"items"`
	}
	if err := json.Unmarshal([]byte(res.Body), &page); err != nil {
		t.Fatal(err)
	}
	rows := map[string]worklistRow{}
	for _, r := range page.Items {
		rows[r.Client.Id] = r
	}
	return rows
}

// A Moscow (ru) client gets the Russian text and a London (en) client the
// English one for the same occasion; a contact's own language wins.
func TestWorklistRendersTheClientsLanguage(t *testing.T) {
	app := New(t)
	ru := addTemplate(t, app, OccStandard, "ru", "", 1, "Здравствуйте, {{contact}}! Статья для {{client}}", false)
	en := addTemplate(t, app, OccStandard, "en", "", 1, "Dear {{contact}}, an article for {{client}}", false)

	rows := worklist(t, app, SM, OccStandard)
	if r := rows[C1]; r.Message != "Здравствуйте, Ирина Петрова! Статья для ООО Ромашка" || r.Template == nil || r.Template.Id != ru || r.Language != "ru" {
		t.Errorf("Moscow client: %+v", r)
	}
	if r := rows[C2]; r.Message != "Dear John Smith, an article for Acme Ltd" || r.Template == nil || r.Template.Id != en || r.Template.Language != "en" {
		t.Errorf("London client: %+v", r)
	}

	// John Smith reads Russian: his contact's language wins over the point's
	contact, err := app.FindRecordById("contacts", CT2)
	if err != nil {
		t.Fatal(err)
	}
	contact.Set("language", "ru")
	if err := app.Save(contact); err != nil {
		t.Fatal(err)
	}
	if r := worklist(t, app, SM, OccStandard)[C2]; r.Template == nil || r.Template.Id != ru || !strings.HasPrefix(r.Message, "Здравствуйте, John Smith") {
		t.Errorf("London client whose contact reads Russian: %+v", r)
	}
}

// Without a live version in the client's language (none, only archived or
// paused ones) the occasion's template is used and the row's template is
// null.
func TestWorklistFallsBackToTheOccasionsTemplate(t *testing.T) {
	app := New(t)
	addTemplate(t, app, OccStandard, "en", "", 1, "Archived {{client}}", true)
	addTemplate(t, app, OccStandard, "en", "B", 0, "Paused {{client}}", false)
	addTemplate(t, app, OccStandard, "ru", "", 1, "Привет, {{client}}", false)

	rows := worklist(t, app, SM, OccStandard)
	if r := rows[C2]; r.Message != "Hello John Smith, an article for Acme Ltd" || r.Template != nil {
		t.Errorf("London client with only archived and paused English versions: %+v", r)
	}
	if r := rows[C1]; r.Message != "Привет, ООО Ромашка" {
		t.Errorf("Moscow client: %+v", r)
	}
}

// With A/B variants, every load shows each client the same variant, and a
// mark records the variant the page showed.
func TestTouchRecordsTheTemplateShown(t *testing.T) {
	app := New(t)
	a := addTemplate(t, app, OccStandard, "ru", "A", 1, "Вариант A для {{client}}", false)
	b := addTemplate(t, app, OccStandard, "ru", "B", 1, "Вариант B для {{client}}", false)
	addTemplate(t, app, OccStandard, "en", "", 1, "Hi {{client}}", false)

	first := worklist(t, app, PM1, OccStandard)
	second := worklist(t, app, PM1, OccStandard)
	if len(first) == 0 {
		t.Fatal("empty worklist")
	}
	for id, r := range first {
		if r.Template == nil || (r.Template.Id != a && r.Template.Id != b) {
			t.Fatalf("%s: no variant: %+v", id, r)
		}
		if again := second[id]; again.Template == nil || again.Template.Id != r.Template.Id || again.Message != r.Message {
			t.Fatalf("%s: variant %v then %v", id, r.Template, again.Template)
		}
	}

	server := Serve(t, app)
	for _, client := range []string{C1, C1c} {
		res := Request(t, server, http.MethodPost, "/api/collections/touches/records", PM1,
			`{"client":"`+client+`","occasion":"`+OccStandard+`","status":"done"}`)
		if res.Status != http.StatusOK {
			t.Fatalf("mark %s: %d %s", client, res.Status, res.Body)
		}
		if got := res.JSON["template"]; got != first[client].Template.Id {
			t.Errorf("touch of %s records template %v, the page showed %s", client, got, first[client].Template.Id)
		}
	}
	// London has one English text and no variant
	res := Request(t, server, http.MethodPost, "/api/collections/touches/records", PM2,
		`{"client":"`+C2+`","occasion":"`+OccStandard+`","status":"done"}`)
	if res.Status != http.StatusOK || res.JSON["template"] == "" || res.JSON["template"] == nil {
		t.Errorf("London touch: %d %s", res.Status, res.Body)
	}
	// the stats count the done touches per recorded variant
	stats := Request(t, server, http.MethodGet, "/api/touchbase/stats?occasion="+OccStandard, SM, "")
	var st struct {
		Templates []struct {
			Id, Language, Variant string
			Done                  int
		} `json:"templates"`
	}
	if err := json.Unmarshal([]byte(stats.Body), &st); err != nil || stats.Status != 200 {
		t.Fatalf("stats: %d %s", stats.Status, stats.Body)
	}
	want := map[string]int{}
	for _, client := range []string{C1, C1c} {
		want["ru/"+first[client].Template.Variant]++
	}
	want["en/"]++
	got := map[string]int{}
	for _, v := range st.Templates {
		got[v.Language+"/"+v.Variant] += v.Done
	}
	if len(got) != len(want) {
		t.Errorf("stats per variant: %v, want %v", got, want)
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("stats per variant: %v, want %v", got, want)
		}
	}
	// the export names the variant and language of each touch
	csv := Request(t, server, http.MethodGet, "/api/touchbase/export/touches.csv?occasion="+OccStandard, SM, "")
	for _, client := range []string{C1, C1c} {
		if !strings.Contains(csv.Body, ","+first[client].Template.Variant+",ru,,\n") {
			t.Errorf("export lacks %s's variant %s: %s", client, first[client].Template.Variant, csv.Body)
		}
	}
	if !strings.Contains(csv.Body, ",template_variant,template_language,outcome,follow_up\n") || !strings.Contains(csv.Body, ",,en,,\n") {
		t.Errorf("export: %s", csv.Body)
	}

	// an occasion with no versions records none
	res = Request(t, server, http.MethodPost, "/api/collections/touches/records", PM1,
		`{"client":"`+C1c+`","occasion":"`+OccMandatory+`","status":"done"}`)
	if res.Status != http.StatusOK || res.JSON["template"] != "" {
		t.Errorf("touch of an occasion without versions: %d %s", res.Status, res.Body)
	}
}

// The template is the server's: a body that sets it is a 400 naming it.
func TestTouchTemplateIsServerSet(t *testing.T) {
	app := New(t)
	res := Request(t, Serve(t, app), http.MethodPost, "/api/collections/touches/records", PM1,
		`{"client":"`+C1+`","occasion":"`+OccStandard+`","status":"done","template":"`+TplArchivedRu+`"}`)
	if res.Status != http.StatusBadRequest || !strings.Contains(res.Body, `"template"`) {
		t.Fatalf("a touch naming its template: %d %s", res.Status, res.Body)
	}
	res = Request(t, Serve(t, app), http.MethodPatch, "/api/collections/touches/records/"+T1, PM1,
		`{"template":"`+TplArchivedRu+`"}`)
	if res.Status != http.StatusBadRequest || !strings.Contains(res.Body, `"template"`) {
		t.Fatalf("a change of a touch's template: %d %s", res.Status, res.Body)
	}
}

func TestTemplateValidation(t *testing.T) {
	app := New(t)
	server := Serve(t, app)
	res := Request(t, server, http.MethodPost, templatesURL, SM,
		`{"occasion":"`+OccStandard+`","language":"en","text":"Hello {{cleint}}"}`)
	if res.Status != http.StatusBadRequest || !strings.Contains(res.Body, `"text"`) || !strings.Contains(res.Body, "cleint") {
		t.Fatalf("bad placeholder: %d %s", res.Status, res.Body)
	}
	res = Request(t, server, http.MethodPost, templatesURL, SM,
		`{"occasion":"`+OccStandard+`","language":"en","text":"Hello {{client}}"}`)
	if res.Status != http.StatusOK || res.JSON["weight"] != 1.0 {
		t.Fatalf("a new template without a weight gets 1: %d %s", res.Status, res.Body)
	}
	// unique (occasion, language, variant)
	res = Request(t, server, http.MethodPost, templatesURL, SM,
		`{"occasion":"`+OccStandard+`","language":"en","text":"Again {{client}}"}`)
	if res.Status != http.StatusBadRequest {
		t.Fatalf("a second en text without a variant: %d %s", res.Status, res.Body)
	}
	res = Request(t, server, http.MethodPost, templatesURL, SM,
		`{"occasion":"`+OccStandard+`","language":"en","variant":"B","weight":0,"text":"Paused {{client}}"}`)
	if res.Status != http.StatusOK || res.JSON["weight"] != 0.0 {
		t.Fatalf("a paused variant: %d %s", res.Status, res.Body)
	}
	res = Request(t, server, http.MethodPost, templatesURL, SM,
		`{"occasion":"`+OccStandard+`","language":"en","variant":"C","weight":-1,"text":"Hi"}`)
	if res.Status != http.StatusBadRequest || !strings.Contains(res.Body, `"weight"`) {
		t.Fatalf("a negative weight: %d %s", res.Status, res.Body)
	}
}

// A point manager reads the templates of the occasions they may read and
// no other, by list, view, filter or expand, and writes none.
func TestTemplateAccess(t *testing.T) {
	app := New(t)
	server := Serve(t, app)
	get := func(user, path string) Response {
		t.Helper()
		return Request(t, server, http.MethodGet, path, user, "")
	}
	if res := get(PM1, templatesURL); res.Status != 200 || !strings.Contains(res.Body, TplArchivedRu) || strings.Contains(res.Body, TplP2OnlyEn) {
		t.Errorf("Moscow manager's list: %d %s", res.Status, res.Body)
	}
	if res := get(PM2, templatesURL); res.Status != 200 || !strings.Contains(res.Body, TplArchivedRu) || !strings.Contains(res.Body, TplP2OnlyEn) {
		t.Errorf("London manager's list: %d %s", res.Status, res.Body)
	}
	if res := get(PM1, templatesURL+"/"+TplP2OnlyEn); res.Status != 404 {
		t.Errorf("Moscow manager views London's template: %d %s", res.Status, res.Body)
	}
	if res := get(PM1, templatesURL+`?filter=`+urlq(`occasion.title ~ "London" || text ~ "webinar"`)); res.Status != 200 || strings.Contains(res.Body, TplP2OnlyEn) {
		t.Errorf("Moscow manager filters for London's template: %d %s", res.Status, res.Body)
	}
	if res := get(PM1, templatesURL+"?expand=occasion"); res.Status != 200 || strings.Contains(res.Body, "London webinar") {
		t.Errorf("Moscow manager expands occasions of templates: %d %s", res.Status, res.Body)
	}
	if res := get(PM1, "/api/collections/occasions/records?expand=occasion_templates_via_occasion"); res.Status != 200 || strings.Contains(res.Body, TplP2OnlyEn) {
		t.Errorf("Moscow manager expands templates of occasions: %d %s", res.Status, res.Body)
	}
	if res := get("", templatesURL); res.Status != 200 || strings.Contains(res.Body, TplArchivedRu) {
		t.Errorf("anonymous list: %d %s", res.Status, res.Body)
	}
	body := `{"occasion":"` + OccStandard + `","language":"en","text":"Hi"}`
	if res := Request(t, server, http.MethodPost, templatesURL, PM1, body); res.Status != 400 && res.Status != 403 {
		t.Errorf("a point manager creates a template: %d %s", res.Status, res.Body)
	}
	if res := Request(t, server, http.MethodPatch, templatesURL+"/"+TplArchivedRu, PM1, `{"text":"Hi"}`); res.Status != 404 && res.Status != 403 {
		t.Errorf("a point manager edits a template: %d %s", res.Status, res.Body)
	}
	if res := Request(t, server, http.MethodDelete, templatesURL+"/"+TplArchivedRu, PM1, ""); res.Status != 404 && res.Status != 403 {
		t.Errorf("a point manager deletes a template: %d %s", res.Status, res.Body)
	}
	if res := Request(t, server, http.MethodPost, templatesURL, SM, body); res.Status != 200 {
		t.Errorf("a service manager creates a template: %d %s", res.Status, res.Body)
	}
}

func urlq(s string) string {
	return strings.NewReplacer(" ", "%20", `"`, "%22", "|", "%7C", "~", "%7E").Replace(s)
}
