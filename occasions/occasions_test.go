package occasions_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	. "touchbase/internal/testapp"
)

func TestMain(m *testing.M) { Main(m) }

// TestOccasionRefusalsInRequestLanguage: a service manager saving an
// occasion whose window ends before it starts, or whose template has an
// unknown placeholder, gets a 400 naming the field, in the language the
// request asks for, with the same code in both.
func TestOccasionRefusalsInRequestLanguage(t *testing.T) {
	const url = "/api/collections/occasions/records"
	window := `{"title":"Окно","kind":"standard","starts":"2027-03-10","ends":"2027-03-01"}`
	template := `{"title":"Шаблон","kind":"standard","template":"Здравствуйте, {{имя}}!"}`
	for _, s := range []tests.ApiScenario{
		{Name: "window, en", Body: strings.NewReader(window), Headers: lang(SM, "en"),
			ExpectedContent: []string{`"ends":{"code":"validation_window","message":"The occasion ends before it starts."}`}},
		{Name: "window, ru", Body: strings.NewReader(window), Headers: lang(SM, "ru-RU,ru;q=0.9"),
			ExpectedContent: []string{`"ends":{"code":"validation_window","message":"Повод заканчивается раньше, чем начинается."}`}},
		{Name: "template, en", Body: strings.NewReader(template), Headers: lang(SM, "en"),
			ExpectedContent: []string{`"template":{"code":"validation_template","message":"Unknown placeholder {{имя}} at character 15. Known: client, contact, position, manager, point, years, date."}`}},
		{Name: "template, ru", Body: strings.NewReader(template), Headers: lang(SM, "ru"),
			ExpectedContent: []string{`"template":{"code":"validation_template","message":"Неизвестная подстановка {{имя}} на символе 15. Известные: client, contact, position, manager, point, years, date."}`}},
	} {
		s.Method, s.URL, s.ExpectedStatus, s.TestAppFactory = http.MethodPost, url, 400, Factory
		s.Test(t)
	}
}

func lang(user, accept string) map[string]string {
	h := map[string]string{"Accept-Language": accept}
	for k, v := range Auth(user) {
		h[k] = v
	}
	return h
}
