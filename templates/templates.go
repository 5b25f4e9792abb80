// Package templates owns occasion_templates, the language versions and
// A/B variants of an occasion's message (SPEC §3), and the one rule that
// decides which text a client gets (SPEC §5): the worklist renders it and
// a new touch records it, from the same function, so a touch records what
// the page showed.
package templates

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"sort"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"touchbase/domain"
	"touchbase/texts"
	"touchbase/tmpl"
)

// Collection is the name of the templates collection.
const Collection = "occasion_templates"

// Bind validates a template on save (SPEC §4.6): a text with an unknown
// placeholder or broken braces is a 400 naming text and the placeholder; a
// new template sent without a weight gets weight 1.
func Bind(app core.App) {
	app.OnRecordCreateRequest(Collection).BindFunc(onCreateRequest)
	app.OnRecordValidate(Collection).BindFunc(onValidate)
}

func onCreateRequest(e *core.RecordRequestEvent) error {
	info, err := e.RequestInfo()
	if err != nil {
		return err
	}
	if v, ok := info.Body["weight"]; !ok || v == nil || v == "" {
		e.Record.Set("weight", 1)
	}
	return e.Next()
}

func onValidate(e *core.RecordEvent) error {
	if err := e.Next(); err != nil {
		return err
	}
	return FieldError("text", e.Record.GetString("text"))
}

// Problem words what is wrong with a template text (SPEC §4.6: an unknown
// placeholder or broken braces) for the texts catalogue; ok is false when
// the text is valid. The save of an occasion or a template and the
// editor's preview all word it here, so they cannot disagree.
func Problem(text string) (m texts.Msg, ok bool) {
	var bad *tmpl.Error
	if err := tmpl.Validate(text); !errors.As(err, &bad) {
		return texts.Msg{}, false
	}
	return texts.M("template."+string(bad.Kind), bad.Pos+1, bad.Placeholder, strings.Join(tmpl.Placeholders, ", ")), true
}

// FieldError is the 400 naming field when text is not a valid template,
// else nil.
func FieldError(field, text string) error {
	m, bad := Problem(text)
	if !bad {
		return nil
	}
	return domain.FieldErrorT(field, "validation_template", m.Key, m.Args...)
}

// Template is one version of an occasion's message.
type Template struct {
	Id       string  `db:"id" json:"id"`
	Language string  `db:"language" json:"language"`
	Variant  string  `db:"variant" json:"variant"`
	Weight   float64 `db:"weight" json:"weight"`
	Text     string  `db:"text" json:"-"`
}

// Set is what the choice needs to know about one occasion: its default
// template and its live versions (not archived, weight > 0) by language,
// each list ordered by variant, then id, so the choice is stable.
type Set struct {
	Occasion string
	Default  string
	ByLang   map[string][]Template
}

// Load reads the live versions of occasion in one query.
func Load(app core.App, occasion *core.Record) (*Set, error) {
	var rows []Template
	err := app.DB().Select("id", "language", "variant", "weight", "text").From(Collection).
		Where(dbx.HashExp{"occasion": occasion.Id, "archived": false}).
		AndWhere(dbx.NewExp("weight > 0")).
		OrderBy("language", "variant", "id").All(&rows)
	if err != nil {
		return nil, err
	}
	return NewSet(occasion.Id, occasion.GetString("template"), rows), nil
}

// NewSet builds a Set from versions in any order, leaving out paused ones
// (weight ≤ 0); archived ones must be left out by the caller.
func NewSet(occasionId, defaultText string, versions []Template) *Set {
	s := &Set{Occasion: occasionId, Default: defaultText, ByLang: map[string][]Template{}}
	for _, t := range versions {
		if t.Weight > 0 {
			s.ByLang[t.Language] = append(s.ByLang[t.Language], t)
		}
	}
	for _, list := range s.ByLang {
		sort.Slice(list, func(i, j int) bool {
			if list[i].Variant != list[j].Variant {
				return list[i].Variant < list[j].Variant
			}
			return list[i].Id < list[j].Id
		})
	}
	return s
}

// Language is the language of a client's message (SPEC §5): the
// addressed contact's, else the client's, else the point's.
func Language(contact, client, point string) string {
	for _, l := range []string{contact, client, point} {
		if l != "" {
			return l
		}
	}
	return ""
}

// Choose returns the version of the message a client gets for an
// occurrence (period) in language, chosen by weight and deterministically
// per (client, occasion, period); ok is false when the language has no
// live version, and the occasion's default template applies.
func (s *Set) Choose(language, clientId, period string) (t Template, ok bool) {
	list := s.ByLang[language]
	if len(list) == 0 {
		return Template{}, false
	}
	if len(list) == 1 {
		return list[0], true
	}
	total := 0.0
	for _, t := range list {
		total += t.Weight
	}
	sum := sha256.Sum256([]byte(clientId + "\x00" + s.Occasion + "\x00" + period))
	// a uniform point in [0, total)
	x := float64(binary.BigEndian.Uint64(sum[:8])>>11) / float64(uint64(1)<<53) * total
	acc := 0.0
	for _, t := range list {
		acc += t.Weight
		if x < acc {
			return t, true
		}
	}
	return list[len(list)-1], true
}

// Text returns the text of the chosen version, or the default template,
// with the version (zero when the default applies).
func (s *Set) Text(language, clientId, period string) (string, Template) {
	if t, ok := s.Choose(language, clientId, period); ok {
		return t.Text, t
	}
	return s.Default, Template{}
}
