package templates

import (
	"fmt"
	"math"
	"testing"
)

// The selection rule (SPEC §5) without a database: deterministic per
// (client, occasion, period), weighted, paused variants never chosen, and
// the default template when the language has no version.

func TestChooseIsStable(t *testing.T) {
	s := NewSet("occ1", "default", []Template{
		{Id: "b", Language: "en", Variant: "B", Weight: 1, Text: "B"},
		{Id: "a", Language: "en", Variant: "A", Weight: 1, Text: "A"},
	})
	// the same versions in another order choose the same
	r := NewSet("occ1", "default", []Template{
		{Id: "a", Language: "en", Variant: "A", Weight: 1, Text: "A"},
		{Id: "b", Language: "en", Variant: "B", Weight: 1, Text: "B"},
	})
	seen := map[string]bool{}
	for i := 0; i < 200; i++ {
		client := fmt.Sprintf("client%09d", i)
		first, ok := s.Choose("en", client, "2027")
		if !ok {
			t.Fatal("no version chosen for en")
		}
		again, _ := s.Choose("en", client, "2027")
		other, _ := r.Choose("en", client, "2027")
		if first != again || first != other {
			t.Fatalf("%s: chose %q, then %q, and %q from the same versions in another order", client, first.Variant, again.Variant, other.Variant)
		}
		seen[first.Variant] = true
	}
	if !seen["A"] || !seen["B"] {
		t.Fatalf("200 clients at 1:1 saw only %v", seen)
	}
}

func TestChooseRespectsWeights(t *testing.T) {
	s := NewSet("occ1", "default", []Template{
		{Id: "a", Language: "ru", Variant: "A", Weight: 1, Text: "A"},
		{Id: "b", Language: "ru", Variant: "B", Weight: 3, Text: "B"},
		{Id: "c", Language: "ru", Variant: "C", Weight: 0, Text: "paused"},
	})
	const n = 1000
	counts := map[string]int{}
	for i := 0; i < n; i++ {
		// synthetic (client, period) keys
		chosen, _ := s.Choose("ru", fmt.Sprintf("c%014d", i), fmt.Sprintf("2027-%02d", i%12+1))
		counts[chosen.Variant]++
	}
	if counts["C"] != 0 {
		t.Fatalf("a paused variant (weight 0) was chosen %d times", counts["C"])
	}
	share := float64(counts["A"]) / n
	if math.Abs(share-0.25) > 0.05 {
		t.Fatalf("weights 1:3 gave A a share of %.3f (counts %v), want 0.25 ± 0.05", share, counts)
	}
}

func TestChooseFallsBackToTheDefault(t *testing.T) {
	s := NewSet("occ1", "Hello {{client}}", []Template{
		{Id: "a", Language: "ru", Variant: "", Weight: 1, Text: "Привет"},
		{Id: "p", Language: "en", Variant: "", Weight: 0, Text: "paused"},
	})
	if _, ok := s.Choose("en", "client1", ""); ok {
		t.Fatal("a language whose only version is paused chose one")
	}
	text, chosen := s.Text("en", "client1", "")
	if text != "Hello {{client}}" || chosen.Id != "" {
		t.Fatalf("en without a live version: %q (%q), want the occasion's template", text, chosen.Id)
	}
	if text, chosen := s.Text("ru", "client1", ""); text != "Привет" || chosen.Id != "a" {
		t.Fatalf("ru: %q (%q)", text, chosen.Id)
	}
}

func TestLanguage(t *testing.T) {
	for _, c := range []struct{ contact, client, point, want string }{
		{"en", "ru", "ru", "en"}, {"", "en", "ru", "en"}, {"", "", "ru", "ru"}, {"", "", "", ""},
	} {
		if got := Language(c.contact, c.client, c.point); got != c.want {
			t.Errorf("Language(%q, %q, %q) = %q, want %q", c.contact, c.client, c.point, got, c.want)
		}
	}
}
