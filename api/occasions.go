package api

import (
	"cmp"
	"net/http"
	"slices"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"touchbase/domain"
)

// occasions serves GET /api/touchbase/occasions: the occasions the caller
// can see that are not archived (all=1: archived ones too, for the
// occasion editor), active ones first, each active one with
// the worklist counts of the caller's scope (narrowed by the worklist's
// filters, e.g. point=). It lets a page offer the day's occasions with
// their pending counts in one request, and keeps the "active today" rule
// on the server (occurrence.Active per point time zone) instead of copying
// it into the page.
func occasions(e *core.RequestEvent) error {
	filter, err := parseClientFilter(e)
	if err != nil {
		return err
	}
	all := e.Request.URL.Query().Get("all") == "1"
	where := "archived = false"
	if all {
		where = ""
	}
	records, err := e.App.FindRecordsByFilter("occasions", where, "", 0, 0)
	if err != nil {
		return err
	}

	now := time.Now()
	scope := scopeOf(e)
	items := make([]occasionItem, 0, len(records))
	for _, occasion := range records {
		if !visibleOccasion(scope, occasion) {
			continue
		}
		if !all && !planned(occasion) {
			continue // the picker lists the day's tasks; the editor lists every occasion
		}
		a, err := newAudience(e.App, occasion, filter, now)
		if err != nil {
			return err
		}
		item := occasionItem{Occasion: a.occasionJSON()}
		if item.Occasion.Active {
			if item.Counts, err = a.countByState(); err != nil {
				return err
			}
		}
		items = append(items, item)
	}

	// active first; personal (birthday, anniversary) after the dated ones;
	// the sooner an occasion ends, the higher it stands
	slices.SortFunc(items, func(a, b occasionItem) int {
		return cmp.Or(
			cmpBool(!a.Occasion.Active, !b.Occasion.Active),
			cmpBool(a.Occasion.Trigger != "none" && a.Occasion.Trigger != "", b.Occasion.Trigger != "none" && b.Occasion.Trigger != ""),
			cmp.Compare(endKey(a.Occasion.Ends), endKey(b.Occasion.Ends)),
			cmp.Compare(a.Occasion.Title, b.Occasion.Title),
		)
	})
	return e.JSON(http.StatusOK, map[string]any{"items": items, "values": occasionValues})
}

// planned reports whether an occasion is one of the day's tasks that the
// picker, the plan and the morning e-mail list: every occasion but the
// built-in personal contact, which the Due view logs an unplanned call
// or meeting with (domain.PersonalContactOccasion).
func planned(occasion *core.Record) bool {
	return occasion.Id != domain.PersonalContactOccasion
}

// occasionValues are the values of the occasions' and templates' select
// fields (domain/values.go), for the editor's choices.
var occasionValues = map[string][]string{
	"kind": domain.OccasionKinds, "category": domain.Categories, "repeat": domain.Repeats,
	"trigger": domain.Triggers, "roles": domain.ContactRoles, "segments": domain.Segments,
	"language": domain.Languages, "event_kind": domain.EventKinds,
}

// occasionItem is one occasion of the occasions route; Counts is left out
// for an occasion that is not active today.
type occasionItem struct {
	Occasion occasionJSON   `json:"occasion"`
	Counts   map[string]int `json:"counts,omitempty"`
}

// endKey sorts open-ended occasions last.
func endKey(ends string) string {
	if ends == "" {
		return "9"
	}
	return ends
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	default:
		return -1
	}
}
