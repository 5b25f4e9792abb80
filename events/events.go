// Package events keeps what happened at the clients (SPEC §3 events):
// who may name which client, the one record per (source, external_id)
// that lets automations retry safely, the occasions that follow events
// up (trigger = event needs an event_kind), and — through package holds —
// the hold a purchase puts on what was bought (SPEC §4.8).
package events

import (
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"touchbase/domain"
)

// Bind wires the events hooks to app.
func Bind(app core.App) {
	app.OnRecordCreateRequest("events").BindFunc(onEventRequest)
	app.OnRecordUpdateRequest("events").BindFunc(onEventRequest)
	app.OnRecordValidate("events").BindFunc(onEventValidate)
	app.OnRecordValidate("occasions").BindFunc(onOccasionValidate)
}

// onEventRequest refuses a client outside a point manager's point (a 400
// naming client, whatever the id) and saves the event in a transaction,
// so that a purchase's hold commits with it and the check for an event
// already recorded under the same (source, external_id) cannot race:
// writes are serialized, so of twenty identical posts exactly one passes
// and the others get the 400 of Recorded.
func onEventRequest(e *core.RecordRequestEvent) error {
	if err := domain.RequireOwnClient(e); err != nil {
		return err
	}
	return domain.InTransaction(e, func() error {
		if err := Recorded(e.App, e.Record); err != nil {
			return err
		}
		err := e.Next()
		if err != nil && strings.Contains(strings.ToLower(err.Error()), "unique") && e.Record.GetString("external_id") != "" {
			// the unique index as the last line of defence: still a 400
			if again := Recorded(e.App, e.Record); again != nil {
				return again
			}
		}
		return err
	})
}

// Recorded returns the 400 naming external_id when another event is
// already recorded under event's (source, external_id), nil when none is
// (or event has no external_id).
func Recorded(app core.App, event *core.Record) error {
	externalId := strings.TrimSpace(event.GetString("external_id"))
	if externalId == "" {
		return nil
	}
	source := strings.TrimSpace(event.GetString("source"))
	var existing struct {
		Id     string `db:"id"`
		Client string `db:"client"`
	}
	q := app.DB().Select("id", "client").From("events").
		Where(dbx.HashExp{"source": source, "external_id": externalId}).
		AndWhere(dbx.NewExp("external_id != ''"))
	if event.Id != "" {
		q.AndWhere(dbx.Not(dbx.HashExp{"id": event.Id}))
	}
	if err := q.Limit(1).One(&existing); err != nil || existing.Id == "" {
		return nil
	}
	return domain.FieldErrorT("external_id", "validation_event_recorded", "event.recorded", source, externalId, existing.Id)
}

// onEventValidate trims the source and external id (so " erp" and "erp"
// are one source) and lets only a purchase name what was bought.
func onEventValidate(e *core.RecordEvent) error {
	for _, field := range []string{"source", "external_id", "note"} {
		e.Record.Set(field, strings.TrimSpace(e.Record.GetString(field)))
	}
	if err := e.Next(); err != nil {
		return err
	}
	if e.Record.GetString("occasion") != "" && e.Record.GetString("kind") != domain.EventPurchase {
		return domain.FieldErrorT("occasion", "validation_event_occasion", "event.occasion_purchase_only")
	}
	return nil
}

// onOccasionValidate: an occasion that follows up events names which kind
// (SPEC §3 occasions.event_kind); one that does not keeps no event kind.
func onOccasionValidate(e *core.RecordEvent) error {
	if e.Record.GetString("trigger") != domain.TriggerEvent {
		e.Record.Set("event_kind", "")
		e.Record.Set("offset_days", 0)
		return e.Next()
	}
	if e.Record.GetString("repeat") == "" {
		e.Record.Set("repeat", "none") // each event is its own occurrence
	}
	if err := e.Next(); err != nil {
		return err
	}
	if e.Record.GetString("event_kind") == "" {
		return domain.FieldErrorT("event_kind", "validation_required", "occasion.event_kind_required")
	}
	return nil
}
