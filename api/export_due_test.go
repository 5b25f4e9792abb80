package api

import (
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// DueAtItem is one client of DueAt.
type DueAtItem struct {
	Id        string
	Level     string
	DaysSince int // -1: never touched
}

// DueAt is what the Due route answers for points (nil = all) at now: the
// count of every level and the clients of levels in the route's order,
// every page of them.
func DueAt(app core.App, points, levels []string, now time.Time) (map[string]int, []DueAtItem, error) {
	q, err := newDueQuery(app, &clientFilter{Scope: &Scope{Points: points}, Page: 1, PerPage: maxPerPage}, now)
	if err != nil {
		return nil, nil, err
	}
	counts, err := q.counts()
	if err != nil {
		return nil, nil, err
	}
	var out []DueAtItem
	for offset := 0; ; offset += 7 { // small pages: the paging is part of what is compared
		items, err := q.page(levels, offset, 7)
		if err != nil {
			return nil, nil, err
		}
		for _, item := range items {
			days := -1
			if item.DaysSince != nil {
				days = *item.DaysSince
			}
			out = append(out, DueAtItem{Id: item.Client.Id, Level: item.Level, DaysSince: days})
		}
		if len(items) < 7 {
			return counts, out, nil
		}
	}
}
