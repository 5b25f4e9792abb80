package tmpl

import (
	"errors"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

var full = Values{
	"client":  "ООО Ромашка",
	"contact": "Анна",
	"manager": "Bob",
	"point":   "Кофейня на Ленина",
	"years":   "5",
	"date":    "01.02.2025",
}

func TestRender(t *testing.T) {
	tests := []struct {
		name, in string
		v        Values
		want     string
		missing  []string
	}{
		{"empty", "", full, "", nil},
		{"only text", "Просто текст 🎉 { } }{", full, "Просто текст 🎉 { } }{", nil},
		{"cyrillic", "Здравствуйте, {{contact}}! С днём рождения от {{Point}}", full,
			"Здравствуйте, Анна! С днём рождения от Кофейня на Ленина", nil},
		{"emoji adjacent", "🎉{{client}}🎂{{years}}👨‍👩‍👧", full, "🎉ООО Ромашка🎂5👨‍👩‍👧", nil},
		{"case and spaces", "{{ CLIENT }}|{{Manager}}|{{\tdate\n}}|{{ yEaRs}}", full, "ООО Ромашка|Bob|01.02.2025|5", nil},
		{"all", "{{client}} {{contact}} {{manager}} {{point}} {{years}} {{date}}", full,
			"ООО Ромашка Анна Bob Кофейня на Ленина 5 01.02.2025", nil},
		{"repeated", "{{client}}, {{client}}!", Values{"client": "A"}, "A, A!", nil},
		{"missing once in order", "{{point}} {{client}} {{Point}} {{ client }} {{years}}",
			Values{"years": "3", "client": "  \t"}, "    3", []string{"point", "client"}},
		{"nil values", "Hi {{contact}}!", nil, "Hi !", []string{"contact"}},
		{"value kept as is", "[{{client}}]", Values{"client": " A "}, "[ A ]", nil},
		{"uppercase key ignored", "{{client}}", Values{"CLIENT": "A"}, "", []string{"client"}},
		{"unknown latin literal", "Hi {{clent}} {{client}}", full, "Hi {{clent}} ООО Ромашка", nil},
		{"unknown cyrillic literal", "Привет, {{КЛИЕНТ}}!", full, "Привет, {{КЛИЕНТ}}!", nil},
		{"invalid name literal", "{{cli ent}}{{date}}", full, "{{cli ent}}01.02.2025", nil},
		{"empty placeholder literal", "{{}}{{  }}", full, "{{}}{{  }}", nil},
		{"triple braces literal", "{{{client}}}", full, "{{{client}}}", nil},
		{"spaced braces", "{ {{client}} }", full, "{ ООО Ромашка }", nil},
		{"unclosed at end", "Hi {{client", full, "Hi {{client", nil},
		{"single closing brace", "{{client} and more", full, "{{client} and more", nil},
		{"nested unclosed", "{{a {{client}}", full, "{{a ООО Ромашка", nil},
		{"lone closing", "}} {{years}} }}", full, "}} 5 }}", nil},
		{"invalid utf8", "\xff{{client}}\xfe{{\xffx}}", Values{"client": "A"}, "\xffA\xfe{{\xffx}}", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, missing := Render(tt.in, tt.v)
			if got != tt.want {
				t.Errorf("Render(%q) text = %q, want %q", tt.in, got, tt.want)
			}
			if !reflect.DeepEqual(missing, tt.missing) {
				t.Errorf("Render(%q) missing = %q, want %q", tt.in, missing, tt.missing)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	const known = "; known: client, contact, position, manager, point, years, date"
	tests := []struct {
		name, in string
		want     *Error // nil: valid
	}{
		{"empty", "", nil},
		{"only text", "Просто текст 🎉 { } {x} }{", nil},
		{"cyrillic", "Здравствуйте, {{contact}}! С днём рождения от {{Point}}", nil},
		{"spaces and case", "{{ CLIENT }}{{\tdate }}🎂", nil},
		{"single brace after placeholder", "{{client}}}", nil},
		{"unknown latin", "Hello, {{clent}}", &Error{"clent", 7, Unknown, "unknown placeholder {{clent}} at position 7" + known}},
		{"unknown cyrillic", "Привет, {{ КЛИЕНТ }}!", &Error{"КЛИЕНТ", 8, Unknown, "unknown placeholder {{КЛИЕНТ}} at position 8" + known}},
		{"unknown after emoji", "👨‍👩‍👧🎉{{Years}}{{Client2}}", &Error{"Client2", 15, Unknown, "unknown placeholder {{Client2}} at position 15" + known}},
		{"first problem wins", "{{x}} }}", &Error{"x", 0, Unknown, "unknown placeholder {{x}} at position 0" + known}},
		{"invalid name", "🎉{{cli ent}}", &Error{"cli ent", 1,
			Invalid, `invalid placeholder name "cli ent" at position 1; a name may contain only letters, digits and "_"`}},
		{"triple braces", "{{{client}}}", &Error{"{client", 0,
			Invalid, `invalid placeholder name "{client" at position 0; a name may contain only letters, digits and "_"`}},
		{"single closing brace", "{{client} and }}", &Error{"client} and", 0,
			Invalid, `invalid placeholder name "client} and" at position 0; a name may contain only letters, digits and "_"`}},
		{"empty", "Ок {{}}", &Error{"", 3, Empty, `empty placeholder "{{}}" at position 3`}},
		{"blank", "{{ }}", &Error{"", 0, Empty, `empty placeholder "{{ }}" at position 0`}},
		{"unclosed", "Привет, {{client", &Error{"", 8, Unclosed, `unclosed "{{" at position 8`}},
		{"unclosed single brace", "{{client}", &Error{"", 0, Unclosed, `unclosed "{{" at position 0`}},
		{"nested", "{{date}} {{a {{client}}", &Error{"", 9, Unclosed, `unclosed "{{" at position 9`}},
		{"lone closing", "🎉}}", &Error{"", 1, Unexpected, `unexpected "}}" at position 1`}},
		{"lone closing after placeholder", "{{client}}}}", &Error{"", 10, Unexpected, `unexpected "}}" at position 10`}},
		{"invalid utf8", "\xff\xfe{{\xffx}}", &Error{"\xffx", 2,
			Invalid, `invalid placeholder name "\xffx" at position 2; a name may contain only letters, digits and "_"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(tt.in)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Validate(%q) = %v, want nil", tt.in, err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Validate(%q) = %#v, want *Error", tt.in, err)
			}
			if *e != *tt.want {
				t.Errorf("Validate(%q) =\n %#v, want\n %#v", tt.in, *e, *tt.want)
			}
			if e.Error() != e.Message {
				t.Errorf("Error() = %q, want Message", e.Error())
			}
		})
	}
}

func TestDescriptions(t *testing.T) {
	if len(Descriptions) != len(Placeholders) {
		t.Fatalf("%d descriptions for %d placeholders", len(Descriptions), len(Placeholders))
	}
	for _, p := range Placeholders {
		if Descriptions[p] == "" || p != strings.ToLower(p) {
			t.Errorf("placeholder %q: lowercase name with a description expected", p)
		}
	}
}

// placeholderRE matches exactly the placeholders of a template that passes
// Validate: there every "{{" opens a placeholder whose inside has no braces.
var placeholderRE = regexp.MustCompile(`\{\{[^{}]*\}\}`)

func FuzzTemplate(f *testing.F) {
	for _, s := range []string{
		"", "plain", "Здравствуйте, {{contact}}! С днём рождения от {{Point}}",
		"🎉{{client}}🎂", "{{ CLIENT }}", "{{clent}}", "{{КЛИЕНТ}}", "{{}}", "{{ }}",
		"{{{client}}}", "{{client", "{{client}", "}}", "{{a {{b}}", "{ {{date}} }",
		"{{years}}}}", "\xff{{\xffx}}", "{{client}}{{contact}}{{manager}}{{point}}{{years}}{{date}}",
	} {
		f.Add(s)
	}
	all := func(val string) Values {
		v := Values{}
		for _, p := range Placeholders {
			v[p] = val
		}
		return v
	}
	x, blank := all("X"), all("")
	f.Fuzz(func(t *testing.T, s string) {
		err := Validate(s)
		outX, missX := Render(s, x)
		out2, miss2 := Render(s, x)
		if outX != out2 || !reflect.DeepEqual(missX, miss2) {
			t.Fatalf("Render(%q) not deterministic", s)
		}
		if missX != nil {
			t.Fatalf("Render(%q) with all values reported missing %q", s, missX)
		}
		outBlank, missBlank := Render(s, blank)
		outNil, missNil := Render(s, nil)
		if outBlank != outNil || !reflect.DeepEqual(missBlank, missNil) {
			t.Fatalf("Render(%q): blank values %q/%q differ from nil values %q/%q", s, outBlank, missBlank, outNil, missNil)
		}
		if len(outBlank) > len(s) {
			t.Fatalf("Render(%q) with blank values grew to %q", s, outBlank)
		}
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Validate(%q) = %#v, not *Error", s, err)
			}
			if e.Pos < 0 || e.Pos >= utf8.RuneCountInString(s) || e.Message == "" {
				t.Fatalf("Validate(%q) = %#v: bad position or message", s, e)
			}
			return
		}
		if strings.Contains(outX, "{{") || strings.Contains(outX, "}}") {
			t.Fatalf("valid %q rendered with braces left: %q", s, outX)
		}
		if want := placeholderRE.ReplaceAllString(s, "X"); outX != want {
			t.Fatalf("Render(%q) = %q, want %q", s, outX, want)
		}
		if want := placeholderRE.ReplaceAllString(s, ""); outBlank != want {
			t.Fatalf("Render(%q) blank = %q, want %q", s, outBlank, want)
		}
		var names []string
		for _, m := range placeholderRE.FindAllString(s, -1) {
			n := strings.ToLower(strings.TrimSpace(m[2 : len(m)-2]))
			if !contains(names, n) {
				names = append(names, n)
			}
		}
		if !reflect.DeepEqual(missBlank, names) {
			t.Fatalf("Render(%q) missing = %q, want %q", s, missBlank, names)
		}
	})
}

// TestLargeInputs guards linear time: with a quadratic scan these 1 MB
// adversarial templates would take minutes instead of milliseconds.
func TestLargeInputs(t *testing.T) {
	const n = 1 << 20
	for _, s := range []string{
		strings.Repeat("{", n), strings.Repeat("{{a", n/3), strings.Repeat("}", n),
		strings.Repeat("{{x}}", n/5), strings.Repeat("{{client}}", n/10) + "}}",
		"{{" + strings.Repeat("a", n), strings.Repeat("{{ {", n/4) + "}}",
	} {
		Validate(s)
		if out, _ := Render(s, Values{"client": "C"}); len(out) > len(s) {
			t.Fatalf("output grew from %d to %d bytes", len(s), len(out))
		}
	}
}
