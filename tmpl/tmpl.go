// Package tmpl validates and renders the message templates used for touch
// occasions (birthdays, anniversaries and the like).
//
// A placeholder is written in double braces, e.g. {{client}} or {{ Client }}:
// names are case-insensitive and may be padded with spaces. Everything else is
// literal text, so templates can be written in any language and may contain
// emoji. A single "{" or "}" is plain text; "{{" always opens a placeholder,
// which ends at the next "}}". Consequently "{{{client}}}" is not "{" + value
// + "}" but an invalid placeholder name "{client": write "{ {{client}} }" if
// literal braces around a value are wanted.
//
// Validate is meant for the moment a template is saved (it reports the first
// problem in a sentence that can be shown to the user); Render is meant for
// sending and never fails, so that a bad template degrades to visible literal
// text instead of a lost message.
package tmpl

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Placeholders lists the known placeholder names in the order in which help
// texts and error messages present them.
var Placeholders = []string{"client", "contact", "position", "manager", "point", "years", "date"}

// Descriptions explains each placeholder in a short English phrase, so help
// texts and the UI do not have to keep their own copy.
var Descriptions = map[string]string{
	"client":   "client name",
	"contact":  "the addressed contact's name, or the client name when there is no contact",
	"position": "the addressed contact's position (job title)",
	"manager":  "account manager's name",
	"point":    "branch name",
	"years":    "full years since the relationship started",
	"date":     "the occurrence date",
}

// Error describes why a template is invalid, in a form both a program
// (Placeholder, Pos) and a person (Message) can use.
type Error struct {
	// Placeholder is the offending placeholder name as written (trimmed,
	// original case); "" for syntax errors (unclosed, unexpected, empty).
	Placeholder string
	// Pos is the rune offset (not the byte offset) where the problem starts,
	// so it matches what a user counts in Cyrillic or emoji text.
	Pos int
	// Kind names the problem for a program that words it itself (e.g. in
	// another language): one of the Problem constants.
	Kind Problem
	// Message is an English sentence naming the placeholder or position.
	Message string
}

// Problem is what is wrong with a template.
type Problem string

// The problems Validate reports.
const (
	Unexpected Problem = "unexpected" // a "}}" that closes nothing
	Unclosed   Problem = "unclosed"   // a "{{" without its "}}"
	Empty      Problem = "empty"      // "{{}}" or only spaces inside
	Invalid    Problem = "invalid"    // a name with characters other than letters, digits, "_"
	Unknown    Problem = "unknown"    // a well-formed name that is not in Placeholders
)

// Error returns the Message, so an *Error can be shown as is.
func (e *Error) Error() string { return e.Message }

// Values maps lowercase placeholder names to their text. It is filled by the
// caller, which also decides fallbacks (e.g. contact := client name).
type Values map[string]string

// kind classifies what parse found after a "{{".
type kind int

const (
	known    kind = iota // a known placeholder
	unclosed             // no "}}" before the end or before another "{{"
	empty                // "{{}}" or only spaces inside
	invalid              // a name with characters other than letters, digits, "_"
	unknown              // a well-formed name that is not in Placeholders
)

// parse examines the placeholder that starts with "{{" at byte i of s. It
// returns the byte offset just past it (just past the "{{" when unclosed), the
// trimmed name as written, and its kind. It stops at the first "{{" or "}}",
// so scanning a whole template with it stays linear.
func parse(s string, i int) (end int, raw string, k kind) {
	for j := i + 2; j+1 < len(s); j++ {
		switch s[j : j+2] {
		case "{{":
			return i + 2, "", unclosed
		case "}}":
			raw = strings.TrimSpace(s[i+2 : j])
			name := strings.ToLower(raw)
			switch {
			case raw == "":
				return j + 2, raw, empty
			case !validName(name):
				return j + 2, raw, invalid
			case Descriptions[name] == "":
				return j + 2, raw, unknown
			}
			return j + 2, raw, known
		}
	}
	return i + 2, "", unclosed
}

// validName reports whether name matches ^[\p{L}\p{N}_]+$.
func validName(name string) bool {
	for _, r := range name {
		if r != '_' && !unicode.IsLetter(r) && !unicode.IsNumber(r) {
			return false
		}
	}
	return name != ""
}

// Validate reports the first problem of the template as an *Error, or nil, so
// a form can reject a template before it is ever sent. Empty text is valid.
func Validate(template string) error {
	s := template
	for i := 0; i+1 < len(s); i++ {
		switch s[i : i+2] {
		case "}}":
			pos := utf8.RuneCountInString(s[:i])
			return &Error{Kind: Unexpected, Pos: pos, Message: fmt.Sprintf(`unexpected "}}" at position %d`, pos)}
		case "{{":
			end, raw, k := parse(s, i)
			if k == known {
				i = end - 1
				continue
			}
			pos := utf8.RuneCountInString(s[:i])
			switch k {
			case unclosed:
				return &Error{Kind: Unclosed, Pos: pos, Message: fmt.Sprintf(`unclosed "{{" at position %d`, pos)}
			case empty:
				return &Error{Kind: Empty, Pos: pos, Message: fmt.Sprintf(`empty placeholder %q at position %d`, s[i:end], pos)}
			case invalid:
				return &Error{Kind: Invalid, Placeholder: raw, Pos: pos, Message: fmt.Sprintf(
					`invalid placeholder name %q at position %d; a name may contain only letters, digits and "_"`, raw, pos)}
			default:
				return &Error{Kind: Unknown, Placeholder: raw, Pos: pos, Message: fmt.Sprintf(
					"unknown placeholder {{%s}} at position %d; known: %s", raw, pos, strings.Join(Placeholders, ", "))}
			}
		}
	}
	return nil
}

// Render substitutes placeholders and never fails, because a message must go
// out even if its template was never validated: unknown placeholders and broken
// syntax stay as literal text. A known placeholder whose value is missing or
// blank (after strings.TrimSpace) renders as "" and its name is reported in
// missing (each name once, in order of first appearance) so the caller can
// decide to skip or warn. Non-blank values are inserted unchanged.
func Render(template string, v Values) (text string, missing []string) {
	s := template
	var b strings.Builder
	b.Grow(len(s))
	last := 0 // start of the literal text not yet written
	for i := 0; i+1 < len(s); {
		if s[i] != '{' || s[i+1] != '{' {
			i++
			continue
		}
		end, raw, k := parse(s, i)
		if k == known {
			name := strings.ToLower(raw)
			val := v[name]
			if strings.TrimSpace(val) == "" {
				val = ""
				if !contains(missing, name) {
					missing = append(missing, name)
				}
			}
			b.WriteString(s[last:i])
			b.WriteString(val)
			last = end
		}
		i = end
	}
	b.WriteString(s[last:])
	return b.String(), missing
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
