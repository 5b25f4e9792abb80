package phones_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"touchbase/internal/testapp"
)

func TestMain(m *testing.M) { testapp.Main(m) }

// Phone numbers (the contacts') through the REST API, as the point's manager writes them:
// stored in E.164, national ones read in the country of the client's point
// (P1 Moscow: RU, P2 London: GB).
func TestPhonesStoredInE164(t *testing.T) {
	scenarios := []tests.ApiScenario{
		{
			Name:   "RU point: national phone and whatsapp",
			Method: http.MethodPost, URL: "/api/collections/contacts/records",
			Headers:         testapp.Auth(testapp.PM1),
			Body:            strings.NewReader(`{"name":"Мария","client":"` + testapp.C1 + `","phone":"8 (495) 123-45-67","whatsapp":"8 912 345-67-89"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"phone":"+74951234567"`, `"whatsapp":"+79123456789"`},
			TestAppFactory:  testapp.Factory,
		},
		{
			Name:   "RU point: international forms, with dots and dashes",
			Method: http.MethodPost, URL: "/api/collections/contacts/records",
			Headers:         testapp.Auth(testapp.PM1),
			Body:            strings.NewReader(`{"name":"Пётр","client":"` + testapp.C1 + `","phone":"+7 (495) 123.45.67","whatsapp":"+44 20 7946 0958"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"phone":"+74951234567"`, `"whatsapp":"+442079460958"`},
			TestAppFactory:  testapp.Factory,
		},
		{
			Name:   "GB point: national and international forms",
			Method: http.MethodPost, URL: "/api/collections/contacts/records",
			Headers:         testapp.Auth(testapp.PM2),
			Body:            strings.NewReader(`{"name":"Jane","client":"` + testapp.C2 + `","phone":"(020) 7946-0958","whatsapp":"+7 495 123-45-67"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"phone":"+442079460958"`, `"whatsapp":"+74951234567"`},
			TestAppFactory:  testapp.Factory,
		},
		{
			Name:   "GB point: update to a national number",
			Method: http.MethodPatch, URL: "/api/collections/contacts/records/" + testapp.CT2,
			Headers:         testapp.Auth(testapp.PM2),
			Body:            strings.NewReader(`{"phone":"020 7946 0123"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"phone":"+442079460123"`},
			TestAppFactory:  testapp.Factory,
		},
		{
			Name:   "RU point: update to a national number",
			Method: http.MethodPatch, URL: "/api/collections/contacts/records/" + testapp.CT1,
			Headers:         testapp.Auth(testapp.PM1),
			Body:            strings.NewReader(`{"phone":"8 495 765 43 21","whatsapp":"89123456789"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"phone":"+74957654321"`, `"whatsapp":"+79123456789"`},
			TestAppFactory:  testapp.Factory,
		},
	}
	for _, s := range scenarios {
		s.Test(t)
	}
}

// Numbers that are not valid phone numbers in the point's country are a
// 400 naming the field, with an example in that country.
func TestInvalidPhonesRefused(t *testing.T) {
	refuse := func(name, user, method, url, body, field string, want ...string) tests.ApiScenario {
		return tests.ApiScenario{
			Name: name, Method: method, URL: url,
			Headers:         testapp.Auth(user),
			Body:            strings.NewReader(body),
			ExpectedStatus:  400,
			ExpectedContent: append([]string{`"data":{"` + field + `":{"code":"validation_invalid_phone"`}, want...),
			TestAppFactory:  testapp.Factory,
		}
	}
	create := "/api/collections/contacts/records"
	p1, p2 := `"client":"`+testapp.C1+`"`, `"client":"`+testapp.C2+`"`
	scenarios := []tests.ApiScenario{
		refuse("too short in RU", testapp.PM1, http.MethodPost, create, `{"name":"X",`+p1+`,"phone":"123-45"}`, "phone", "+7 "),
		refuse("too short, whatsapp", testapp.PM1, http.MethodPost, create, `{"name":"X",`+p1+`,"whatsapp":"8 912 34"}`, "whatsapp", "+7 "),
		refuse("letters", testapp.PM1, http.MethodPost, create, `{"name":"X",`+p1+`,"phone":"8 (495) CALL-NOW"}`, "phone"),
		refuse("a Russian national number in a GB point", testapp.PM2, http.MethodPost, create, `{"name":"X",`+p2+`,"phone":"8 (495) 123-45-67"}`, "phone", "+44 "),
		refuse("a Russian national whatsapp in a GB point, update", testapp.PM2, http.MethodPatch, create+"/"+testapp.CT2, `{"whatsapp":"8 (495) 123-45-67"}`, "whatsapp", "+44 "),
		refuse("too long", testapp.PM1, http.MethodPatch, create+"/"+testapp.CT1, `{"phone":"+7 495 123-45-67-89"}`, "phone"),
	}
	for _, s := range scenarios {
		s.Test(t)
	}
}

// The worklist's links are built from the stored E.164: a number written
// in Russian national form dials Moscow, not Vietnam.
func TestWorklistLinksFromE164(t *testing.T) {
	scenario := tests.ApiScenario{
		Name:   "links of a client whose numbers were written in national form",
		Method: http.MethodGet, URL: "/api/touchbase/worklist?occasion=" + testapp.OccStandard + "&state=all",
		Headers:         testapp.Auth(testapp.PM1),
		ExpectedStatus:  200,
		ExpectedContent: []string{`"links"`},
		TestAppFactory:  testapp.Factory,
		BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
			// the worklist's links are the addressed (primary) contact's
			testapp.SetContact(t, app, testapp.C1, map[string]any{"phone": "8 (495) 123-45-67", "whatsapp": "8 (495) 123-45-67"})
		},
		AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
			var page struct {
				Items []struct {
					Client struct {
						Id string `json:"id"`
					} `json:"client"`
					Links map[string]string `json:"links"`
				} `json:"items"`
			}
			if err := json.NewDecoder(res.Body).Decode(&page); err != nil {
				t.Fatal(err)
			}
			for _, item := range page.Items {
				if item.Client.Id != testapp.C1 {
					continue
				}
				if got := item.Links["phone"]; got != "tel:+74951234567" {
					t.Errorf("phone link = %q, want tel:+74951234567", got)
				}
				if got := item.Links["whatsapp"]; !strings.HasPrefix(got, "https://wa.me/74951234567?text=") {
					t.Errorf("whatsapp link = %q, want https://wa.me/74951234567?text=…", got)
				}
				return
			}
			t.Errorf("C1 is not in the worklist")
		},
	}
	scenario.Test(t)
}

// A point needs its country, in which national numbers are read.
func TestPointCountry(t *testing.T) {
	scenarios := []tests.ApiScenario{
		{
			Name:   "a new point without a country",
			Method: http.MethodPost, URL: "/api/collections/points/records",
			Headers:         testapp.Auth(testapp.SM),
			Body:            strings.NewReader(`{"name":"Paris","timezone":"Europe/Paris"}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"data":{"country":{"code":"validation_required"`, "for phone numbers"},
			TestAppFactory:  testapp.Factory,
		},
		{
			Name:   "clearing a point's country",
			Method: http.MethodPatch, URL: "/api/collections/points/records/" + testapp.P1,
			Headers:         testapp.Auth(testapp.SM),
			Body:            strings.NewReader(`{"country":""}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"data":{"country":{"code":"validation_required"`},
			TestAppFactory:  testapp.Factory,
		},
		{
			Name:   "a country phone numbers do not know",
			Method: http.MethodPost, URL: "/api/collections/points/records",
			Headers:         testapp.Auth(testapp.SM),
			Body:            strings.NewReader(`{"name":"Paris","timezone":"Europe/Paris","country":"XX"}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"data":{"country":{"code":"validation_invalid_country"`},
			TestAppFactory:  testapp.Factory,
		},
		{
			Name:   "a lower-case country is stored upper-case",
			Method: http.MethodPost, URL: "/api/collections/points/records",
			Headers:         testapp.Auth(testapp.SM),
			Body:            strings.NewReader(`{"name":"Paris","timezone":"Europe/Paris","country":"fr"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"country":"FR"`},
			TestAppFactory:  testapp.Factory,
		},
	}
	for _, s := range scenarios {
		s.Test(t)
	}
}
