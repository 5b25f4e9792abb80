package input_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	. "touchbase/internal/testapp"
)

// TestErrorsInTheRequestsLanguage pins SPEC §6 (last paragraph): the same
// bad request gets the same status and data code whatever it asks for, and
// its message in the language of Accept-Language (ru or en; en without
// one we write).
func TestErrorsInTheRequestsLanguage(t *testing.T) {
	const touches = "/api/collections/touches/records"
	type kase struct {
		name, method, url, user, body string
		field, code                   string
		ru, en                        string // the start of the message
		alsoRu                        string // a later part of the Russian message
	}
	cases := []kase{
		{
			name: "duplicate mark", method: http.MethodPost, url: touches, user: PM1b,
			body:  `{"client":"` + C1 + `","occasion":"` + OccMandatory + `","status":"done"}`,
			field: "client", code: "validation_already_touched",
			ru:     "ООО Ромашка: касание «Maintenance reminder» уже отмечено 20",
			alsoRu: " (Olga Moscow, статус: выполнено).",
			en:     "ООО Ромашка was already touched for «Maintenance reminder» by Olga Moscow at ",
		},
		{
			name: "held client", method: http.MethodPost, url: touches, user: PM1,
			body:  `{"client":"` + C1b + `","occasion":"` + OccStandard + `","status":"done"}`,
			field: "client", code: "validation_client_held",
			ru: "ИП Кузнецов — клиент на паузе (причина: обращение, открыто обращение «Broken delivery», до снятия): стандартные поводы для него приостановлены",
			en: "ИП Кузнецов is on hold (reason: ticket, open ticket «Broken delivery», until lifted): standard occasions are paused",
		},
		{
			name: "ineligible occasion", method: http.MethodPost, url: touches, user: PM1,
			body:  `{"client":"` + C1 + `","occasion":"` + OccArchived + `","status":"done"}`,
			field: "occasion", code: "validation_not_eligible",
			ru: "«Old promo» нельзя отметить для клиента ООО Ромашка: повод в архиве.",
			en: "«Old promo» cannot be marked for ООО Ромашка: the occasion is archived.",
		},
		{
			name: "bad phone number", method: http.MethodPost, url: "/api/collections/contacts/records", user: PM1,
			body:  `{"client":"` + C1 + `","name":"Пётр","role":"other","phone":"12"}`,
			field: "phone", code: "validation_invalid_phone",
			ru: "Слишком короткий номер телефона для страны RU; запишите его как 8 (301) 123-45-67 или +7 301 123-45-67.",
			en: "Too short for a phone number in RU; write it as 8 (301) 123-45-67 or +7 301 123-45-67.",
		},
		{
			name: "a list for a single value", method: http.MethodPost, url: touches, user: PM1,
			body:  `{"client":["` + C1 + `","` + C1b + `"],"occasion":"` + OccStandard + `","status":"done"}`,
			field: "client", code: "validation_single_value",
			ru: "Поле client принимает одно значение, а не список.",
			en: "Client takes one value, not a list.",
		},
		{
			name: "bad worklist parameter", method: http.MethodGet, user: PM1,
			url:   "/api/touchbase/worklist?occasion=" + OccStandard + "&perPage=5000",
			field: "perPage", code: "validation_out_of_range",
			ru: "Параметр «perPage» должен быть целым числом от 1 до 500.",
			en: `The "perPage" parameter must be a whole number from 1 to 500.`,
		},
	}
	for _, c := range cases {
		for _, lang := range []struct{ header, want, not string }{
			{"ru-RU,ru;q=0.9,en;q=0.8", c.ru, c.en},
			{"en-GB,en;q=0.9", c.en, c.ru},
			{"", c.en, c.ru},       // no header: English
			{"de, fr", c.en, c.ru}, // none we write: English
		} {
			headers := map[string]string{}
			for k, v := range Auth(c.user) {
				headers[k] = v
			}
			if lang.header != "" {
				headers["Accept-Language"] = lang.header
			}
			var body *strings.Reader
			if c.body != "" {
				body = strings.NewReader(c.body)
			}
			scenario := tests.ApiScenario{
				Name:   c.name + " (Accept-Language: " + lang.header + ")",
				Method: c.method, URL: c.url, Headers: headers, TestAppFactory: Factory,
				ExpectedStatus:     400,
				ExpectedContent:    []string{`"` + c.field + `":{"code":"` + c.code + `"`, `"message":"` + jsonText(lang.want)},
				NotExpectedContent: []string{jsonText(lang.not)},
			}
			if c.alsoRu != "" && lang.want == c.ru {
				scenario.ExpectedContent = append(scenario.ExpectedContent, c.alsoRu)
			}
			if body != nil {
				scenario.Body = body
			}
			scenario.Test(t)
		}
	}
}

// jsonText is s as it appears inside a JSON string.
func jsonText(s string) string {
	return strings.ReplaceAll(s, `"`, `\"`)
}
