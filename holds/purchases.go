package holds

import (
	"errors"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"touchbase/days"
	"touchbase/domain"
	"touchbase/texts"
)

// PurchaseHoldYears is how long a purchase event holds the client out of
// the occasion that was bought, from the event's date (SPEC §4.8: the
// same as a touch's "bought" outcome).
const PurchaseHoldYears = 1

// bindPurchases keeps the hold of a purchase event (SPEC §4.8): a purchase
// event with an occasion creates a "bought" hold for that occasion until
// a year after the event's date, linked by holds.event and saved in the
// event's transaction; changing the event re-makes it, deleting the event
// lifts it (holds.event cascades).
func bindPurchases(app core.App) {
	app.OnRecordCreate("events").BindFunc(func(e *core.RecordEvent) error {
		if err := requireTransaction(e); err != nil {
			return err
		}
		if err := e.Next(); err != nil {
			return err
		}
		return syncPurchaseHold(e.App, e.Record)
	})
	app.OnRecordUpdate("events").BindFunc(func(e *core.RecordEvent) error {
		if err := requireTransaction(e); err != nil {
			return err
		}
		if err := e.Next(); err != nil {
			return err
		}
		return syncPurchaseHold(e.App, e.Record)
	})
	// a hold's event is the purchase that created it: the server sets it
	app.OnRecordCreateRequest("holds").BindFunc(func(e *core.RecordRequestEvent) error {
		if err := domain.RefuseChanges(e, "event"); err != nil {
			return err
		}
		return e.Next()
	})
	app.OnRecordUpdateRequest("holds").BindFunc(func(e *core.RecordRequestEvent) error {
		if err := domain.RefuseChanges(e, "event"); err != nil {
			return err
		}
		return e.Next()
	})
}

// requireTransaction insists that a purchase that asks for a hold is saved
// in a transaction, so that there is never one without the other.
func requireTransaction(e *core.RecordEvent) error {
	if e.Record.GetString("kind") == domain.EventPurchase && !e.App.IsTransactional() {
		return errors.New("a purchase event must be saved inside a transaction so that its hold commits with it")
	}
	return nil
}

// PurchaseHold is the hold a purchase event asks for: ok is false for
// another kind, a purchase without an occasion, or one whose year is
// over.
func PurchaseHold(event *core.Record, now time.Time) (until time.Time, ok bool) {
	date := event.GetDateTime("date")
	if event.GetString("kind") != domain.EventPurchase || event.GetString("occasion") == "" || date.IsZero() {
		return time.Time{}, false
	}
	until = days.Normalize(date.Time()).AddDate(PurchaseHoldYears, 0, 0)
	if until.Before(days.Of(now, time.UTC).AddDate(0, 0, -1)) {
		return time.Time{}, false // bought more than a year ago: nothing to hold
	}
	return until, true
}

// syncPurchaseHold makes the holds linked to the event what it asks for.
func syncPurchaseHold(app core.App, event *core.Record) error {
	existing, err := app.FindAllRecords("holds", dbx.HashExp{"event": event.Id})
	if err != nil {
		return err
	}
	until, want := PurchaseHold(event, time.Now())
	if want && len(existing) == 1 {
		h := existing[0]
		if h.GetString("occasion") == event.GetString("occasion") && h.GetString("client") == event.GetString("client") &&
			h.GetDateTime("until").Time().Equal(until) {
			return nil
		}
	}
	for _, h := range existing {
		if err := app.Delete(h); err != nil {
			return err
		}
	}
	if !want {
		return nil
	}
	collection, err := app.FindCachedCollectionByNameOrId("holds")
	if err != nil {
		return err
	}
	hold := core.NewRecord(collection)
	hold.Set("client", event.GetString("client"))
	hold.Set("reason", "bought")
	hold.Set("occasion", event.GetString("occasion"))
	hold.Set("event", event.Id)
	hold.Set("until", until)
	note := texts.T(domain.ClientLanguage(app, event.GetString("client")), "event.purchase_hold",
		days.Normalize(event.GetDateTime("date").Time()).Format(time.DateOnly))
	if n := event.GetString("note"); n != "" {
		note += " — " + n
	}
	hold.Set("note", domain.Truncate(note, 1000))
	return app.Save(hold)
}
