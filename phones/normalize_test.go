package phones_test

import (
	"errors"
	"strings"
	"testing"

	"touchbase/phones"
)

func TestNormalize(t *testing.T) {
	ok := []struct{ raw, country, want string }{
		{"8 (495) 123-45-67", "RU", "+74951234567"},
		{"+7 (495) 123-45-67", "RU", "+74951234567"},
		{"8 912 345-67-89", "ru", "+79123456789"},
		{"+44 20 7946 0958", "RU", "+442079460958"},
		{"020 7946 0958", "GB", "+442079460958"},
		{"00 44 20 7946 0958", "GB", "+442079460958"},
		{"+44 7700 900123", "GB", "+447700900123"}, // Ofcom's drama range
		{"+7 495 123-45-67", "", "+74951234567"},   // no country: international only
		{"  ", "RU", ""},
	}
	for _, c := range ok {
		got, err := phones.Normalize(c.raw, c.country)
		if err != nil || got != c.want {
			t.Errorf("Normalize(%q, %q) = %q, %v; want %q", c.raw, c.country, got, err, c.want)
		}
	}
	bad := []struct {
		raw, country string
		want         error
	}{
		{"123-45", "RU", phones.ErrTooShort},
		{"8 (495) CALL-NOW", "RU", phones.ErrCharacters},
		{"+7<script>", "RU", phones.ErrCharacters},
		{"8 (495) 123-45-67", "GB", nil}, // any refusal
		{"8 (495) 123-45-67", "", phones.ErrNoCountry},
		{"+7 000 000-00-00", "RU", phones.ErrInvalid},
		{"+44 7700 9001234", "GB", nil},
	}
	for _, c := range bad {
		got, err := phones.Normalize(c.raw, c.country)
		if err == nil || (c.want != nil && !errors.Is(err, c.want)) {
			t.Errorf("Normalize(%q, %q) = %q, %v; want error %v", c.raw, c.country, got, err, c.want)
		}
	}
	if msg := phones.Explain(phones.ErrInvalid, "GB", false); !strings.Contains(msg, "GB") || !strings.Contains(msg, "+44 ") {
		t.Errorf("Explain = %q, want the country and an example in it", msg)
	}
}

func TestLinks(t *testing.T) {
	if got := phones.TelLink("+74951234567"); got != "tel:+74951234567" {
		t.Errorf("TelLink = %q", got)
	}
	if got := phones.WhatsAppLink("+74951234567"); got != "https://wa.me/74951234567" {
		t.Errorf("WhatsAppLink = %q", got)
	}
	for _, notE164 := range []string{"", "8 (495) 123-45-67", "+7 495 123-45-67", "74951234567"} {
		if phones.TelLink(notE164) != "" || phones.WhatsAppLink(notE164) != "" {
			t.Errorf("a link for %q, which is not E.164", notE164)
		}
	}
}
