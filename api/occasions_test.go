package api_test

import (
	"net/http"
	"strings"
	"testing"

	"touchbase/domain"
	. "touchbase/internal/testapp"
)

type occasionsPage struct {
	Items []struct {
		Occasion struct {
			Id     string `json:"id"`
			Active bool   `json:"active"`
		} `json:"occasion"`
		Counts map[string]int `json:"counts"`
	} `json:"items"`
}

// TestOccasions: the picker's list holds the occasions the caller can see,
// active ones first with the same counts as their worklists, inactive ones
// (ended) without counts, archived ones not at all.
func TestOccasions(t *testing.T) {
	app := New(t)
	server := Serve(t, app)

	for _, user := range []string{PM1, PM2, SM} {
		r := Request(t, server, http.MethodGet, "/api/touchbase/occasions", user, "")
		if r.Status != 200 {
			t.Fatalf("%s: %d %s", user, r.Status, r.Body)
		}
		page := decode[occasionsPage](t, []byte(r.Body))
		seen := map[string]bool{}
		inactiveSeen := false
		for _, item := range page.Items {
			id := item.Occasion.Id
			seen[id] = true
			if !item.Occasion.Active {
				inactiveSeen = true
				if item.Counts != nil {
					t.Errorf("%s: inactive %s has counts", user, id)
				}
				continue
			}
			if inactiveSeen {
				t.Errorf("%s: active %s listed after an inactive occasion", user, id)
			}
			w := Request(t, server, http.MethodGet, "/api/touchbase/worklist?occasion="+id, user, "")
			want := decode[struct {
				Counts map[string]int `json:"counts"`
			}](t, []byte(w.Body)).Counts
			for state, n := range want {
				if item.Counts[state] != n {
					t.Errorf("%s: %s %s = %d, the worklist says %d", user, id, state, item.Counts[state], n)
				}
			}
		}
		if seen[OccArchived] {
			t.Errorf("%s: the archived occasion is listed", user)
		}
		if seen[OccP2Only] != (user != PM1) {
			t.Errorf("%s: OccP2Only listed = %v", user, seen[OccP2Only])
		}
		if !seen[OccStandard] || !seen[OccEnded] {
			t.Errorf("%s: want the active OccStandard and the ended OccEnded, got %v", user, seen)
		}
	}
}

// TestPersonalContactIsNotADayTask: the built-in personal contact (logged
// from Due) is not in the picker or the plan; the editor (all=1) lists it.
func TestPersonalContactIsNotADayTask(t *testing.T) {
	app := New(t)
	server := Serve(t, app)
	for _, c := range []struct {
		path string
		want bool
	}{
		{"/api/touchbase/occasions", false},
		{"/api/touchbase/occasions?all=1", true},
		{"/api/touchbase/plan", false},
	} {
		r := Request(t, server, http.MethodGet, c.path, SM, "")
		if r.Status != 200 {
			t.Fatalf("%s: %d %s", c.path, r.Status, r.Body)
		}
		if got := strings.Contains(r.Body, `"id":"`+domain.PersonalContactOccasion+`"`); got != c.want {
			t.Errorf("%s lists the personal contact: %v, want %v", c.path, got, c.want)
		}
	}
}
