// Package texts holds every text the server writes for a person, per
// language: card comments and hold wording in the language of the client's
// point (SPEC §3 points.language), error messages in the language the
// request asks for (SPEC §6, Accept-Language). en.go and ru.go hold the
// catalogues, one file per language, keyed alike; a text is a fmt format
// whose arguments are numbered (%[1]s) when a language puts them in another
// order.
//
// Russian past-tense verbs agree with the author's gender, which a name
// does not tell; the Russian card comments are therefore worded as a log
// line that names the author after a dash («Касание «Новый год» по
// телефону — Ольга Смирнова.»), which reads naturally for either.
package texts

import (
	"fmt"
	"strings"
)

// The languages the server writes (SPEC §3: points.language is ru | en).
const (
	EN = "en"
	RU = "ru"
)

// Default is the language of a request that asks for none we write, and of
// a point without one.
const Default = EN

var catalogues = map[string]map[string]string{EN: en, RU: ru}

// Localized is a text that can be said in any language: a Msg, or a value
// passed as an argument of one (a hold's wording inside a refusal).
type Localized interface {
	In(lang string) string
}

// Msg is a text by key with its arguments, said in a language later (an
// error is built before the request's language is looked at).
type Msg struct {
	Key  string
	Args []any
}

// M is the text key with args.
func M(key string, args ...any) Msg { return Msg{Key: key, Args: args} }

// In says m in lang.
func (m Msg) In(lang string) string { return T(lang, m.Key, m.Args...) }

// Func is a Localized computed per language.
type Func func(lang string) string

// In says f in lang.
func (f Func) In(lang string) string { return f(lang) }

// T is the text key in lang (English when lang has no such text) with
// args; an argument that is Localized is said in lang too.
func T(lang, key string, args ...any) string {
	format, ok := catalogues[Lang(lang)][key]
	if !ok {
		format, ok = en[key]
	}
	if !ok {
		format = key
	}
	if len(args) == 0 {
		return format
	}
	said := make([]any, len(args))
	for i, arg := range args {
		if l, ok := arg.(Localized); ok {
			said[i] = l.In(lang)
		} else {
			said[i] = arg
		}
	}
	return fmt.Sprintf(format, said...)
}

// Lang is lang when the server writes it, else Default.
func Lang(lang string) string {
	lang = strings.ToLower(strings.TrimSpace(lang))
	if _, ok := catalogues[lang]; ok {
		return lang
	}
	return Default
}

// FromAcceptLanguage picks, from an Accept-Language header
// ("ru-RU,ru;q=0.9,en;q=0.8"), the language with the highest weight
// among those the server writes (the first of equals), else Default.
func FromAcceptLanguage(header string) string {
	best, bestQ := "", -1.0
	for _, part := range strings.Split(header, ",") {
		fields := strings.Split(part, ";")
		tag := strings.ToLower(strings.TrimSpace(fields[0]))
		if i := strings.IndexAny(tag, "-_"); i >= 0 {
			tag = tag[:i]
		}
		if _, ok := catalogues[tag]; !ok {
			continue
		}
		q := 1.0
		for _, f := range fields[1:] {
			f = strings.TrimSpace(f)
			if v, ok := strings.CutPrefix(f, "q="); ok {
				if _, err := fmt.Sscanf(v, "%g", &q); err != nil {
					q = 0
				}
			}
		}
		if q > 0 && q > bestQ {
			best, bestQ = tag, q
		}
	}
	if best == "" {
		return Default
	}
	return best
}

// Or is the text key in lang (English when lang has none) with args, or
// fallback when no language has it (a select value without a text).
func Or(lang, key, fallback string, args ...any) string {
	if _, ok := en[key]; !ok {
		if _, ok := catalogues[Lang(lang)][key]; !ok {
			return fallback
		}
	}
	return T(lang, key, args...)
}
