package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	. "touchbase/internal/testapp"
)

type previewAnswer struct {
	Contact *struct {
		Name string `json:"name"`
	} `json:"contact"`
	Language string `json:"language"`
	Targeted bool   `json:"targeted"`
	Default  struct {
		Message string `json:"message"`
		Error   string `json:"error"`
		Chosen  bool   `json:"chosen"`
	} `json:"default"`
	Templates []struct {
		Message string   `json:"message"`
		Missing []string `json:"missing"`
		Error   string   `json:"error"`
		Chosen  bool     `json:"chosen"`
	} `json:"templates"`
}

func previewBody(t testing.TB, client, occasion string, templates ...map[string]any) string {
	t.Helper()
	raw, _ := json.Marshal(map[string]any{
		"client":    client,
		"occasion":  map[string]any{"id": occasion, "repeat": "none", "trigger": "none"},
		"template":  "Default for {{client}}",
		"templates": templates,
	})
	return string(raw)
}

func version(language, variant string, weight float64, text string) map[string]any {
	return map[string]any{"language": language, "variant": variant, "weight": weight, "text": text}
}

// TestPreviewIsTheWorklistMessage: the editor's preview of a saved
// occasion's texts for a client is, byte for byte, the message and the
// variant that client's worklist row shows (one renderer, one choice).
func TestPreviewIsTheWorklistMessage(t *testing.T) {
	app := New(t)
	server := Serve(t, app)
	versions := []map[string]any{
		version("ru", "A", 1, "{{contact}}, здравствуйте! {{manager}}, {{point}}, {{client}} — A"),
		version("ru", "B", 1, "{{contact}}, добрый день! {{position}} {{years}} — B"),
		version("en", "", 1, "Dear {{contact}} — en"),
	}
	collection, err := app.FindCollectionByNameOrId("occasion_templates")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range versions {
		r := core.NewRecord(collection)
		r.Load(v)
		r.Set("occasion", OccStandard)
		if err := app.Save(r); err != nil {
			t.Fatal(err)
		}
	}
	for _, client := range []string{C1, C1b, C2} {
		res := Request(t, server, http.MethodPost, "/api/touchbase/preview", SM, previewBody(t, client, OccStandard, versions...))
		if res.Status != http.StatusOK {
			t.Fatalf("%s: %d %s", client, res.Status, res.Body)
		}
		got := decode[previewAnswer](t, []byte(res.Body))
		shown := ""
		for _, v := range got.Templates {
			if v.Chosen {
				shown = v.Message
			}
		}
		if got.Default.Chosen {
			shown = got.Default.Message
		}
		w := Request(t, server, http.MethodGet, "/api/touchbase/worklist?state=all&occasion="+OccStandard+"&q=", SM, "")
		var page struct {
			Items []struct {
				Client struct {
					Id string `json:"id"`
				} `json:"client"`
				Language string `json:"language"`
				Message  string `json:"message"`
			} `json:"items"`
		}
		if err := json.Unmarshal([]byte(w.Body), &page); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, item := range page.Items {
			if item.Client.Id != client {
				continue
			}
			found = true
			if item.Message != shown || item.Language != got.Language {
				t.Errorf("%s: preview shows %q (%s), the worklist %q (%s)", client, shown, got.Language, item.Message, item.Language)
			}
		}
		if !found {
			t.Fatalf("%s is not in the worklist", client)
		}
	}
}

// TestPreviewWordsProblemsAsTheSave: a bad placeholder is reported on the
// text it is in, in the request's language, with the words a save of that
// text gets; the other texts still render.
func TestPreviewWordsProblemsAsTheSave(t *testing.T) {
	app := New(t)
	server := Serve(t, app)
	body := previewBody(t, C1, "", version("ru", "", 1, "Привет, {{клиент}}"), version("en", "", 1, "Hello {{client}}"))
	for _, lang := range []string{"en", "ru"} {
		res := RequestWith(t, server, http.MethodPost, "/api/touchbase/preview", SM, body, map[string]string{"Accept-Language": lang})
		if res.Status != http.StatusOK {
			t.Fatalf("%s: %d %s", lang, res.Status, res.Body)
		}
		got := decode[previewAnswer](t, []byte(res.Body))
		if got.Templates[1].Error != "" || got.Templates[1].Message != "Hello ООО Ромашка" {
			t.Errorf("%s: the good text: %+v", lang, got.Templates[1])
		}
		saved := RequestWith(t, server, http.MethodPost, "/api/collections/occasion_templates/records", SM,
			`{"occasion":"`+OccStandard+`","language":"ru","text":"Привет, {{клиент}}"}`, map[string]string{"Accept-Language": lang})
		var refusal struct {
			Data map[string]struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"data"`
		}
		_ = json.Unmarshal([]byte(saved.Body), &refusal)
		if saved.Status != 400 || refusal.Data["text"].Code != "validation_template" {
			t.Fatalf("%s: save: %d %s", lang, saved.Status, saved.Body)
		}
		if got.Templates[0].Error != refusal.Data["text"].Message {
			t.Errorf("%s: preview says %q, the save %q", lang, got.Templates[0].Error, refusal.Data["text"].Message)
		}
		want := map[string]string{"en": "Unknown placeholder {{клиент}} at character 9", "ru": "Неизвестная подстановка {{клиент}} на символе 9"}[lang]
		if !strings.Contains(got.Templates[0].Error, want) {
			t.Errorf("%s: %q does not say %q", lang, got.Templates[0].Error, want)
		}
	}
}

// TestPreviewRefusals: only service managers preview; the client must be
// one the caller sees; a body that is not the draft is a 400 naming it.
func TestPreviewRefusals(t *testing.T) {
	good := previewBody(t, C1, "", version("ru", "", 1, "Привет"))
	for _, s := range []tests.ApiScenario{
		{Name: "point manager", Method: http.MethodPost, URL: "/api/touchbase/preview", Body: strings.NewReader(good),
			Headers: Auth(PM1), ExpectedStatus: 403, ExpectedContent: []string{"Only service managers edit occasions."}},
		{Name: "point manager in Russian", Method: http.MethodPost, URL: "/api/touchbase/preview", Body: strings.NewReader(good),
			Headers: withLang(Auth(PM1), "ru"), ExpectedStatus: 403, ExpectedContent: []string{"Поводы редактируют только сервис-менеджеры."}},
		{Name: "guest", Method: http.MethodPost, URL: "/api/touchbase/preview", Body: strings.NewReader(good),
			ExpectedStatus: 401, ExpectedContent: []string{`"data":{}`}},
		{Name: "unknown client", Method: http.MethodPost, URL: "/api/touchbase/preview",
			Body: strings.NewReader(previewBody(t, "nosuchclient000", "")), Headers: Auth(SM),
			ExpectedStatus: 400, ExpectedContent: []string{`"client":{"code":"validation_unknown_client"`}},
		{Name: "unknown occasion", Method: http.MethodPost, URL: "/api/touchbase/preview",
			Body: strings.NewReader(previewBody(t, C1, "nosuchoccasion0")), Headers: Auth(SM),
			ExpectedStatus: 400, ExpectedContent: []string{`"occasion":{"code":"validation_unknown_occasion"`}},
		{Name: "not JSON", Method: http.MethodPost, URL: "/api/touchbase/preview", Body: strings.NewReader(`{"client":`),
			Headers: Auth(SM), ExpectedStatus: 400, ExpectedContent: []string{`"body":{"code":"validation_json"`}},
		{Name: "a list for the client", Method: http.MethodPost, URL: "/api/touchbase/preview", Body: strings.NewReader(`{"client":["` + C1 + `"]}`),
			Headers: Auth(SM), ExpectedStatus: 400, ExpectedContent: []string{`"body":{"code":"validation_json"`}},
	} {
		s.TestAppFactory = Factory
		s.Test(t)
	}
}

func withLang(headers map[string]string, lang string) map[string]string {
	out := map[string]string{"Accept-Language": lang}
	for k, v := range headers {
		out[k] = v
	}
	return out
}
