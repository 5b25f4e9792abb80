package domain

import (
	"strings"

	"github.com/pocketbase/pocketbase/core"

	"touchbase/occurrence"
)

// EventPeriodPrefix starts the period of a mark for an event occasion: one
// mark per event (SPEC §4.9), so the occurrence is the event itself.
const EventPeriodPrefix = "E:"

// EventPeriod is the stored period of a mark following up the event with
// id eventId (TouchPeriod's counterpart for trigger = event).
func EventPeriod(eventId string) string {
	return EventPeriodPrefix + eventId
}

// EventOfPeriod returns the event id a mark's period names, "" for a
// period of another kind.
func EventOfPeriod(period string) string {
	id, _ := strings.CutPrefix(period, EventPeriodPrefix)
	if id == period {
		return ""
	}
	return id
}

// OccurrenceOfEvent is the occurrence of the event occasion for event,
// the one reading of an event record for package occurrence.
func OccurrenceOfEvent(occasion, event *core.Record) occurrence.Occurrence {
	return occurrence.ForEvent(OccasionRule(occasion), EventPeriod(event.Id),
		event.GetDateTime("date").Time(), occasion.GetInt("offset_days"))
}
