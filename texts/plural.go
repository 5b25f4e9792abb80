package texts

import (
	"fmt"
	"strings"
)

// N is the text key in lang for the number n, whose forms are separated by
// "|" in the catalogue: three forms in every language, so that both
// catalogues take the same arguments (TestCataloguesAgree) — Russian one |
// few | many («%[1]d клиент|%[1]d клиента|%[1]d клиентов»), English one |
// other | other. n is the text's first argument (%[1]d), args follow it.
func N(lang, key string, n int, args ...any) string {
	lang = Lang(lang)
	format, ok := catalogues[lang][key]
	if !ok {
		format, ok = en[key]
		lang = EN
	}
	if !ok {
		return key
	}
	forms := strings.Split(format, "|")
	form := forms[min(PluralForm(lang, n), len(forms)-1)]
	said := make([]any, 0, len(args)+1)
	said = append(said, n)
	for _, arg := range args {
		if l, ok := arg.(Localized); ok {
			arg = l.In(lang)
		}
		said = append(said, arg)
	}
	return fmt.Sprintf(form, said...)
}

// PluralForm is the index of the form of n in lang: 0 one, 1 few, 2 many
// (CLDR's Russian rule: 1, 21, 101 → one; 2–4, 22–24 → few; 0, 5–20, 25 →
// many); English has one (1) and other (2).
func PluralForm(lang string, n int) int {
	if n < 0 {
		n = -n
	}
	if Lang(lang) != RU {
		if n == 1 {
			return 0
		}
		return 2
	}
	switch d, h := n%10, n%100; {
	case d == 1 && h != 11:
		return 0
	case d >= 2 && d <= 4 && (h < 12 || h > 14):
		return 1
	default:
		return 2
	}
}
