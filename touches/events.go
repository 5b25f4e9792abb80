package touches

import (
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"touchbase/access"
	"touchbase/domain"
	"touchbase/occurrence"
)

// EventField is the request body field (not a touches column: SPEC §3
// lists none) by which a mark for an event occasion names the event it
// follows up. The request hook checks its type and hands it to the model
// hook on the record's custom data; what is stored is the period
// (domain.EventPeriod), one mark per event.
const EventField = "event"

// takeEventField moves the optional body field "event" onto the record's
// custom data (never a column), refusing anything but an id.
func takeEventField(e *core.RecordRequestEvent) error {
	info, err := e.RequestInfo()
	if err != nil {
		return err
	}
	raw, ok := info.Body[EventField]
	if !ok || raw == nil || raw == "" {
		return nil
	}
	id, isString := raw.(string)
	if !isString || len(id) != 15 {
		return domain.FieldErrorT(EventField, "validation_invalid_event", "touch.event_invalid")
	}
	e.Record.SetRaw(EventField, id)
	return nil
}

// resolveEvent finds the event a new mark for an event occasion follows
// up (SPEC §4.9): the one the request names (of the same client and of
// the occasion's event_kind), else the client's event whose window
// contains today and that has no mark yet (the earliest), else the
// earliest whose window contains today (its mark is then refused as a
// duplicate). It sets t.event; a mark for another occasion that names an
// event is refused.
func resolveEvent(app core.App, touch *core.Record, t *touchContext, at time.Time) error {
	id := touch.GetString(EventField)
	if t.occasion.GetString("trigger") != domain.TriggerEvent {
		if id != "" {
			return domain.FieldErrorT(EventField, "validation_event_occasion", "touch.event_not_event_occasion", t.occasion.GetString("title"))
		}
		return nil
	}
	kind := t.occasion.GetString("event_kind")
	if id != "" {
		event, err := app.FindRecordById("events", id)
		if err != nil || event.GetString("client") != t.client.Id || event.GetString("kind") != kind {
			return domain.FieldErrorT(EventField, "validation_event_client", "touch.event_client", t.client.GetString("name"), kind)
		}
		t.event = event
		return nil
	}
	today := occurrence.Today(at, t.timezone())
	offset := t.occasion.GetInt("offset_days")
	first, last := occurrence.EventDates(offset, today, today)
	candidates, err := app.FindAllRecords("events", dbx.HashExp{"client": t.client.Id, "kind": kind},
		dbx.NewExp("date >= {:first} AND date < {:last}", dbx.Params{
			"first": first.Format(time.DateOnly), "last": last.AddDate(0, 0, 1).Format(time.DateOnly)}))
	if err != nil {
		return err
	}
	var pick, marked *core.Record
	for _, event := range candidates {
		if ok, _ := occurrence.EventActive(occurrence.Occasion{}, event.GetDateTime("date").Time(), offset, today); !ok {
			continue
		}
		better := func(current *core.Record) bool {
			return current == nil || event.GetString("date") < current.GetString("date") ||
				event.GetString("date") == current.GetString("date") && event.Id < current.Id
		}
		if hasMark(app, t, domain.EventPeriod(event.Id)) {
			if better(marked) {
				marked = event
			}
		} else if better(pick) {
			pick = event
		}
	}
	if pick == nil {
		pick = marked
	}
	if pick == nil {
		return domain.FieldErrorT(EventField, "validation_no_event", "touch.no_event", t.client.GetString("name"), kind, t.occasion.GetString("title"))
	}
	t.event = pick
	return nil
}

// hasMark reports whether the client has a done or skipped mark of the
// touch's occasion for period.
func hasMark(app core.App, t *touchContext, period string) bool {
	var id string
	_ = app.DB().Select("id").From("touches").
		Where(dbx.HashExp{"client": t.client.Id, "occasion": t.occasion.Id, "period": period}).
		AndWhere(dbx.NewExp(domain.MarkedCondition)).Limit(1).Row(&id)
	return id != ""
}

// checkEventWindow refuses a mark for an event whose follow-up window
// does not contain today at the client's point (SPEC §4.9), except by a
// service manager, who may back-fill history, or without an author.
func checkEventWindow(t *touchContext, at time.Time) error {
	if t.event == nil || t.author == nil || access.IsServiceManager(t.author) {
		return nil
	}
	oc := domain.OccurrenceOfEvent(t.occasion, t.event)
	ok, _ := occurrence.EventActive(domain.OccasionRule(t.occasion), t.event.GetDateTime("date").Time(),
		t.occasion.GetInt("offset_days"), occurrence.Today(at, t.timezone()))
	if ok {
		return nil
	}
	from, to := occurrence.EventWindow(t.event.GetDateTime("date").Time(), t.occasion.GetInt("offset_days"))
	return domain.FieldErrorT(EventField, "validation_event_window", "touch.event_window",
		t.occasion.GetString("title"), t.event.GetString("kind"), oc.Date.Format(time.DateOnly),
		from.Format(time.DateOnly), to.Format(time.DateOnly))
}
