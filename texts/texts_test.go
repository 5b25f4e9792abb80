package texts

import (
	"regexp"
	"sort"
	"testing"
)

var verb = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*[sdvqgf]`)

// TestCataloguesAgree pins that every text has both languages and that
// both take the same arguments, so no message falls back to English or
// prints %!s(MISSING).
func TestCataloguesAgree(t *testing.T) {
	for key, english := range en {
		russian, ok := ru[key]
		if !ok {
			t.Errorf("%q has no Russian text", key)
			continue
		}
		if a, b := args(english), args(russian); a != b {
			t.Errorf("%q takes %d arguments in English, %d in Russian", key, a, b)
		}
	}
	for key := range ru {
		if _, ok := en[key]; !ok {
			t.Errorf("%q has no English text", key)
		}
	}
}

// args is how many arguments a format reads (the highest %[n] or the count).
func args(format string) int {
	n, highest := 0, 0
	for _, m := range verb.FindAllStringSubmatch(format, -1) {
		n++
		if m[1] != "" {
			var i int
			for _, r := range m[1][1 : len(m[1])-1] {
				i = i*10 + int(r-'0')
			}
			highest = max(highest, i)
		}
	}
	return max(n, highest)
}

func TestFromAcceptLanguage(t *testing.T) {
	cases := map[string]string{
		"":                        EN,
		"ru":                      RU,
		"ru-RU,ru;q=0.9,en;q=0.8": RU,
		"en-GB,en;q=0.9,ru;q=0.8": EN,
		"de-DE,de;q=0.9,ru;q=0.5": RU,
		"de, fr":                  EN,
		"en;q=0.2, ru;q=0.7":      RU,
		"RU_ru":                   RU,
		"ru;q=0, en;q=0.1":        EN,
		"*":                       EN,
	}
	keys := make([]string, 0, len(cases))
	for k := range cases {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, header := range keys {
		if got := FromAcceptLanguage(header); got != cases[header] {
			t.Errorf("FromAcceptLanguage(%q) = %q, want %q", header, got, cases[header])
		}
	}
}

func TestLocalizedArguments(t *testing.T) {
	m := M("touch.not_eligible", "Old promo", "ООО Ромашка", M("touch.archived"))
	if got, want := m.In(RU), "«Old promo» нельзя отметить для клиента ООО Ромашка: повод в архиве."; got != want {
		t.Errorf("ru: %q, want %q", got, want)
	}
	if got, want := m.In(EN), "«Old promo» cannot be marked for ООО Ромашка: the occasion is archived."; got != want {
		t.Errorf("en: %q, want %q", got, want)
	}
	if got := Or(RU, "status.unknown", "unknown"); got != "unknown" {
		t.Errorf("Or without a text = %q", got)
	}
}
