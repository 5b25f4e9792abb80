package csvio

import (
	"bytes"
	"fmt"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// Encodings an import reads, as named in its Report.
const (
	EncodingUTF8        = "UTF-8"
	EncodingUTF8BOM     = "UTF-8 with BOM"
	EncodingWindows1251 = "Windows-1251"
)

// saveAsUTF8 is the advice every encoding problem ends with.
const saveAsUTF8 = `save the file as UTF-8 (in Excel: "CSV UTF-8") and import it again`

// decode returns the text of a file as UTF-8 and the encoding it was read
// in, or the problem that names the line of the first byte that is not
// text in either encoding. The rule:
//
//  1. A UTF-16 or UTF-32 byte-order mark is refused (Excel's "Unicode text").
//  2. Control bytes other than tab, CR and LF are refused in any encoding:
//     no spreadsheet writes them, a binary file is full of them.
//  3. Valid UTF-8 (after an optional BOM) is UTF-8.
//  4. Otherwise the file is read as Windows-1251 when that is plausible:
//     - it does not look like broken UTF-8: fewer than half of its
//     non-ASCII bytes form well-formed UTF-8 sequences (Russian text in
//     Windows-1251 forms almost none, UTF-8 with one damaged character
//     forms nearly all);
//     - it has no byte that Windows-1251 leaves undefined (0x98);
//     - it reads as words, not mojibake: at most a quarter of the words
//     with Cyrillic letters also contain Latin letters (a Latin-1 "Müller"
//     would read "Mьller").
//
// Anything else is refused with the line of the first offending byte.
func decode(data []byte) (string, string, *Problem) {
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) ||
		bytes.HasPrefix(data, []byte{0, 0, 0xFE, 0xFF}) {
		return "", "", &Problem{Line: 1, Message: "the file is UTF-16 or UTF-32 text; " + saveAsUTF8}
	}

	// old DOS tools end a text file with Ctrl-Z
	data = bytes.TrimRight(data, "\x1a")

	encoding := EncodingUTF8
	if rest, ok := bytes.CutPrefix(data, []byte(BOM)); ok {
		data, encoding = rest, EncodingUTF8BOM
	}

	for i, b := range data {
		if b < 0x20 && b != '\t' && b != '\n' && b != '\r' || b == 0x7F {
			return "", "", &Problem{Line: lineAt(data, i),
				Message: fmt.Sprintf("byte 0x%02X is a control character, not text: is this a CSV file? If it is, %s", b, saveAsUTF8)}
		}
	}

	if utf8.Valid(data) {
		return string(data), encoding, nil
	}
	if encoding == EncodingUTF8BOM {
		// a UTF-8 BOM promises UTF-8: a bad byte is damage, not cp1251
		return "", "", invalidUTF8(data)
	}

	if looksLikeUTF8(data) {
		return "", "", invalidUTF8(data)
	}
	if i := bytes.IndexByte(data, 0x98); i >= 0 {
		return "", "", &Problem{Line: lineAt(data, i),
			Message: "byte 0x98 is neither UTF-8 nor Windows-1251 text; " + saveAsUTF8}
	}

	text, err := charmap.Windows1251.NewDecoder().Bytes(data)
	if err != nil {
		return "", "", &Problem{Line: 1, Message: "the file is neither UTF-8 nor Windows-1251 text; " + saveAsUTF8}
	}
	if word, offset, ok := mixedScripts(text); !ok {
		return "", "", &Problem{Line: lineAt(text, offset),
			Message: fmt.Sprintf("the file is not UTF-8, and read as Windows-1251 it gives %q; %s", word, saveAsUTF8)}
	}
	return string(text), EncodingWindows1251, nil
}

// invalidUTF8 names the line of the first byte that breaks UTF-8.
func invalidUTF8(data []byte) *Problem {
	i := 0
	for i < len(data) {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			break
		}
		i += size
	}
	return &Problem{Line: lineAt(data, i),
		Message: "invalid UTF-8: the file is UTF-8 but a character on this line is damaged; fix it or " + saveAsUTF8}
}

// looksLikeUTF8 reports whether at least half of the non-ASCII bytes of
// data belong to well-formed UTF-8 sequences.
func looksLikeUTF8(data []byte) bool {
	var high, wellFormed int
	for i := 0; i < len(data); {
		if data[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			high++
			i++
			continue
		}
		high += size
		wellFormed += size
		i += size
	}
	return wellFormed*2 >= high
}

// mixedScripts checks that the decoded text reads as words: it returns
// false, with the first offending word and its offset, when more than a
// quarter of the words that contain Cyrillic letters also contain Latin
// ones. A word here is a run of letters.
func mixedScripts(text []byte) (string, int, bool) {
	var cyrillicWords, mixedWords int
	firstWord, firstOffset := "", 0
	start := -1
	var hasLatin, hasCyrillic bool
	end := func(i int) {
		if start < 0 {
			return
		}
		if hasCyrillic {
			cyrillicWords++
			if hasLatin {
				mixedWords++
				if mixedWords == 1 {
					firstWord, firstOffset = string(text[start:i]), start
				}
			}
		}
		start, hasLatin, hasCyrillic = -1, false, false
	}
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRune(text[i:])
		if unicode.IsLetter(r) {
			if start < 0 {
				start = i
			}
			hasLatin = hasLatin || unicode.Is(unicode.Latin, r)
			hasCyrillic = hasCyrillic || unicode.Is(unicode.Cyrillic, r)
		} else {
			end(i)
		}
		i += size
	}
	end(len(text))
	return firstWord, firstOffset, mixedWords*4 <= cyrillicWords
}

// lineAt is the 1-based line of byte offset i.
func lineAt(data []byte, i int) int {
	return bytes.Count(data[:min(i, len(data))], []byte{'\n'}) + 1
}
