// Package phones keeps phone numbers dialable (SPEC §3 "Phone numbers"):
// every phone field is stored in E.164 (+74951234567); a number written in
// national form (8 (495) 123-45-67) is read in the country of the record's
// point; a number that is not a valid phone number there is a 400 naming
// the field. Links (tel:, https://wa.me/) are built from the stored E.164.
//
// Which collections have phone fields, and how a record reaches its point,
// is the table Owners: one line per collection.
package phones

import (
	"errors"
	"strings"
	"unicode"

	"github.com/nyaruka/phonenumbers"
	"github.com/pocketbase/pocketbase/core"

	"touchbase/domain"
	"touchbase/texts"
)

// Owner is a collection with phone fields: Fields are normalised on save,
// read in the country of the point reached from the record by following
// the relation fields PointPath (the last one names the point).
type Owner struct {
	Collection string
	Fields     []string
	PointPath  []string
}

// Owners lists every collection with phone fields. A collection whose
// phones belong to a client's point adds a line such as
//
//	{"contacts", []string{"phone", "whatsapp"}, []string{"client", "point"}},
var Owners = []Owner{
	{"clients", []string{"phone", "whatsapp"}, []string{"point"}},
	{"contacts", []string{"phone", "whatsapp"}, []string{"client", "point"}},
}

// Bind normalises the phone fields of every Owners collection on validate,
// before the schema's own checks, so those see the stored form.
func Bind(app core.App) {
	for _, owner := range Owners {
		owner := owner
		app.OnRecordValidate(owner.Collection).BindFunc(func(e *core.RecordEvent) error {
			if err := normalizeRecord(e.App, e.Record, owner); err != nil {
				return err
			}
			return e.Next()
		})
	}
}

// normalizeRecord stores each new or changed phone of record in E.164, or
// refuses it naming the field. A value that did not change is left alone
// when it cannot be read (an old value kept by the migration), so saving
// something else on the record is never refused for it.
func normalizeRecord(app core.App, record *core.Record, owner Owner) error {
	country := ""
	countryKnown := false
	for _, field := range owner.Fields {
		raw := record.GetString(field)
		if strings.TrimSpace(raw) == "" {
			record.Set(field, "")
			continue
		}
		changed := record.IsNew() || record.Original().GetString(field) != raw
		if !countryKnown {
			country = CountryOf(app, record, owner.PointPath)
			countryKnown = true
		}
		e164, err := Normalize(raw, country)
		if err != nil {
			if !changed {
				continue
			}
			return domain.FieldErrorT(field, "validation_invalid_phone", "phone.explain",
				reasonOf(err, country), exampleOf(country, field == "whatsapp"))
		}
		record.Set(field, e164)
	}
	return nil
}

// CountryOf returns the country (ISO 3166-1 alpha-2) of the point reached
// from record by following the relation fields path; "" when a link is
// missing or the point has no country.
func CountryOf(app core.App, record *core.Record, path []string) string {
	current := record
	for i, name := range path {
		id := current.GetString(name)
		if id == "" {
			return ""
		}
		relation, ok := current.Collection().Fields.GetByName(name).(*core.RelationField)
		if !ok {
			return ""
		}
		next, err := app.FindRecordById(relation.CollectionId, id)
		if err != nil {
			return ""
		}
		current = next
		if i == len(path)-1 {
			return strings.ToUpper(strings.TrimSpace(current.GetString("country")))
		}
	}
	return ""
}

// Reasons a number is refused by Normalize.
var (
	ErrCharacters = errors.New("a phone number has only digits, spaces, dashes, dots, parentheses and a leading +")
	ErrNoCountry  = errors.New("the point has no country, so only an international number (starting with +) can be read")
	ErrTooShort   = errors.New("too short for a phone number")
	ErrTooLong    = errors.New("too long for a phone number")
	ErrInvalid    = errors.New("not a valid phone number")
)

// Normalize reads raw as a phone number, in international form (+44 20 7946
// 0958, 00… or the country's own international prefix) or in the national
// form of country (8 (495) 123-45-67 in RU), and returns it in E.164
// (+74951234567). Spaces, dashes, dots and parentheses are allowed; letters
// are not. An empty raw is "". The error is one of the Err… reasons.
func Normalize(raw, country string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", nil
	}
	if err := checkCharacters(raw); err != nil {
		return "", err
	}
	region := strings.ToUpper(strings.TrimSpace(country))
	if !SupportedCountry(region) {
		region = "ZZ" // unknown: only the international form can be read
	}
	number, err := phonenumbers.Parse(raw, region)
	if err != nil {
		switch {
		case errors.Is(err, phonenumbers.ErrInvalidCountryCode) && region == "ZZ" && !strings.HasPrefix(raw, "+"):
			return "", ErrNoCountry
		case errors.Is(err, phonenumbers.ErrTooShortNSN), errors.Is(err, phonenumbers.ErrTooShortAfterIDD):
			return "", ErrTooShort
		case errors.Is(err, phonenumbers.ErrNumTooLong):
			return "", ErrTooLong
		}
		return "", ErrInvalid
	}
	e164 := phonenumbers.Format(number, phonenumbers.E164)
	if phonenumbers.IsValidNumber(number) || fictional(number, e164) {
		return e164, nil
	}
	switch phonenumbers.IsPossibleNumberWithReason(number) {
	case phonenumbers.TOO_SHORT:
		return "", ErrTooShort
	case phonenumbers.TOO_LONG:
		return "", ErrTooLong
	}
	return "", ErrInvalid
}

// checkCharacters refuses anything but digits, a leading +, spaces and the
// usual separators: letters (vanity numbers, "call me") are not read.
func checkCharacters(raw string) error {
	for i, r := range raw {
		switch {
		case r >= '0' && r <= '9':
		case r == '+' && i == 0:
		case unicode.IsSpace(r), strings.ContainsRune("-‐‑‒–—.()/", r):
		default:
			return ErrCharacters
		}
	}
	return nil
}

// fictionalPrefixes are ranges reserved for drama and examples that
// libphonenumber calls invalid (they are never assigned) but that demos
// and tests use: Ofcom's mobile range 07700 900000–900999.
var fictionalPrefixes = []string{"+447700900"}

func fictional(number *phonenumbers.PhoneNumber, e164 string) bool {
	if !phonenumbers.IsPossibleNumber(number) {
		return false
	}
	for _, prefix := range fictionalPrefixes {
		if strings.HasPrefix(e164, prefix) && len(e164) == len(prefix)+3 {
			return true
		}
	}
	return false
}

// SupportedCountry reports whether code is an ISO 3166-1 alpha-2 region
// whose phone numbers libphonenumber knows (upper case).
func SupportedCountry(code string) bool {
	return len(code) == 2 && phonenumbers.GetSupportedRegions()[code]
}

// Example is an example number of country in national and international
// form, e.g. "8 (301) 123-45-67 or +7 301 123-45-67"; a mobile one if
// mobile. Without a known country it is an international example.
func Example(country string, mobile bool) string {
	national, international, ok := examples(country, mobile)
	if !ok {
		return international
	}
	return national + " or " + international
}

// examples is an example number of country in national and international
// form; ok is false when only the fallback international one is known.
func examples(country string, mobile bool) (national, international string, ok bool) {
	country = strings.ToUpper(strings.TrimSpace(country))
	if !SupportedCountry(country) {
		return "", "+44 20 7946 0958", false
	}
	var number *phonenumbers.PhoneNumber
	if mobile {
		number = phonenumbers.GetExampleNumberForType(country, phonenumbers.MOBILE)
	} else {
		number = phonenumbers.GetExampleNumber(country)
	}
	if number == nil {
		return "", "+44 20 7946 0958", false
	}
	return phonenumbers.Format(number, phonenumbers.NATIONAL), phonenumbers.Format(number, phonenumbers.INTERNATIONAL), true
}

// Explain says in English why a number was refused, with an example of
// how to write it in country (mobile: a mobile number, for WhatsApp).
func Explain(err error, country string, mobile bool) string {
	return texts.T(texts.EN, "phone.explain", reasonOf(err, country), exampleOf(country, mobile))
}

// reasonKeys are the texts of Normalize's reasons.
var reasonKeys = map[error]string{
	ErrCharacters: "phone.characters",
	ErrNoCountry:  "phone.no_country",
	ErrTooShort:   "phone.too_short",
	ErrTooLong:    "phone.too_long",
	ErrInvalid:    "phone.invalid",
}

// reasonOf is why Normalize refused a number, in any language; a reason
// about the number itself names the country it was read in.
func reasonOf(err error, country string) texts.Localized {
	return texts.Func(func(lang string) string {
		key := ""
		for reason, k := range reasonKeys {
			if errors.Is(err, reason) {
				key = k
			}
		}
		if key == "" {
			r := []rune(err.Error())
			r[0] = unicode.ToUpper(r[0])
			return string(r)
		}
		reason := texts.T(lang, key)
		if errors.Is(err, ErrTooShort) || errors.Is(err, ErrTooLong) || errors.Is(err, ErrInvalid) {
			where := texts.T(lang, "phone.point_country")
			if SupportedCountry(strings.ToUpper(country)) {
				where = strings.ToUpper(country)
			}
			reason = texts.T(lang, "phone.in", reason, where)
		}
		return reason
	})
}

// exampleOf is Example in any language ("… or …").
func exampleOf(country string, mobile bool) texts.Localized {
	return texts.Func(func(lang string) string {
		national, international, ok := examples(country, mobile)
		if !ok {
			return international
		}
		return texts.T(lang, "phone.or", national, international)
	})
}

// IsE164 reports whether s is a number in E.164 form: + and 7–15 digits,
// the first not 0.
func IsE164(s string) bool {
	if len(s) < 8 || len(s) > 16 || s[0] != '+' || s[1] == '0' {
		return false
	}
	for _, r := range s[1:] {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// TelLink is the tel: link of a stored E.164 number; "" for anything else
// (a link to a misread number would dial a stranger).
func TelLink(e164 string) string {
	e164 = strings.TrimSpace(e164)
	if !IsE164(e164) {
		return ""
	}
	return "tel:" + e164
}

// WhatsAppLink is the https://wa.me/ link of a stored E.164 number (its
// digits, as WhatsApp wants them); "" for anything else.
func WhatsAppLink(e164 string) string {
	e164 = strings.TrimSpace(e164)
	if !IsE164(e164) {
		return ""
	}
	return "https://wa.me/" + e164[1:]
}
