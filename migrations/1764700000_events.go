package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"touchbase/access"
	"touchbase/domain"
)

// Events (SPEC §3 events, §4.8, §4.9):
//
//   - events, what happened at a client (a shipment, an installation, a
//     purchase…), written by automations with a service manager's token
//     and by point managers for their own clients; scoped like the
//     client's other records (access.OwnClient), deleted by service
//     managers only. Unique on (source, external_id) when external_id is
//     set, so an automation may retry safely (package events answers the
//     second one with a 400 saying it is already recorded);
//   - occasions.trigger gains "event", with occasions.event_kind (which
//     events) and occasions.offset_days (how many days after the event's
//     date the follow-up is due);
//   - holds.event, the purchase event that created a "bought" hold
//     (deleted with it).
func init() {
	m.Register(eventsUp, eventsDown)
}

func eventsUp(app core.App) error {
	clients, err := app.FindCollectionByNameOrId("clients")
	if err != nil {
		return err
	}
	occasions, err := app.FindCollectionByNameOrId("occasions")
	if err != nil {
		return err
	}

	events := core.NewBaseCollection("events")
	events.Fields.Add(
		&core.RelationField{Name: "client", Required: true, MaxSelect: 1, CollectionId: clients.Id, CascadeDelete: true,
			Help: "The client it happened at; only its point's managers see it."},
		&core.SelectField{Name: "kind", Required: true, MaxSelect: 1, Values: domain.EventKinds,
			Help: "What happened; occasions with trigger = event follow up events of their event_kind."},
		&core.DateField{Name: "date", Required: true, Help: "A day: when it happened."},
		&core.TextField{Name: "note", Max: 1000, Presentable: true, Help: "What a manager should know, e.g. the order number."},
		&core.TextField{Name: "source", Max: 100, Help: "The system that recorded it, e.g. erp; empty for a person."},
		&core.TextField{Name: "external_id", Max: 200,
			Help: "The id in the source system: recording the same (source, external_id) again is refused, so automations may retry."},
		&core.RelationField{Name: "occasion", MaxSelect: 1, CollectionId: occasions.Id,
			Help: "For a purchase: what was bought; the client is then held out of that occasion for a year."},
	)
	withAutodates(events)
	events.AddIndex("idx_events_client", false, "client, date", "")
	events.AddIndex("idx_events_kind_date", false, "kind, date", "")
	events.AddIndex("idx_events_external", true, "source, external_id", "external_id != ''")
	events.ListRule = rule(access.OwnClient)
	events.ViewRule = events.ListRule
	// which client a point manager may name is checked by package events
	// (a 400 naming client, as for contacts)
	events.CreateRule = rule(access.StaffWithScope)
	events.UpdateRule = rule(access.OwnClient)
	events.DeleteRule = rule(access.ServiceManager)
	if err := app.Save(events); err != nil {
		return err
	}

	if trigger, ok := occasions.Fields.GetByName("trigger").(*core.SelectField); ok {
		trigger.Values = domain.Triggers
		trigger.Help = "none; birthday / anniversary: yearly per contact / client; event: per event of event_kind."
	}
	occasions.Fields.Add(
		&core.SelectField{Name: "event_kind", MaxSelect: 1, Values: domain.EventKinds,
			Help: "For trigger = event: the kind of event that puts a client into the worklist."},
		&core.NumberField{Name: "offset_days", OnlyInt: true, Min: floatPtr(-365), Max: floatPtr(365),
			Help: "For trigger = event: the follow-up is due this many days after the event's date, for 14 days."},
	)
	if err := app.Save(occasions); err != nil {
		return err
	}

	holds, err := app.FindCollectionByNameOrId("holds")
	if err != nil {
		return err
	}
	holds.Fields.Add(&core.RelationField{Name: "event", MaxSelect: 1, CollectionId: events.Id, CascadeDelete: true,
		Help: "Set by the server: the purchase event that created this hold; deleting the event lifts it."})
	holds.AddIndex("idx_holds_event", false, "event", "")
	return app.Save(holds)
}

func eventsDown(app core.App) error {
	holds, err := app.FindCollectionByNameOrId("holds")
	if err != nil {
		return err
	}
	holds.Fields.RemoveByName("event")
	holds.RemoveIndex("idx_holds_event")
	if err := app.Save(holds); err != nil {
		return err
	}
	occasions, err := app.FindCollectionByNameOrId("occasions")
	if err != nil {
		return err
	}
	if _, err := app.DB().NewQuery("UPDATE occasions SET trigger = 'none' WHERE trigger = 'event'").Execute(); err != nil {
		return err
	}
	occasions.Fields.RemoveByName("event_kind")
	occasions.Fields.RemoveByName("offset_days")
	if trigger, ok := occasions.Fields.GetByName("trigger").(*core.SelectField); ok {
		trigger.Values = []string{"none", "birthday", "anniversary"}
	}
	if err := app.Save(occasions); err != nil {
		return err
	}
	events, err := app.FindCollectionByNameOrId("events")
	if err != nil {
		return err
	}
	return app.Delete(events)
}
