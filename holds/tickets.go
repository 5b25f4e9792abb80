// Package holds keeps clients out of standard occasions while there is a
// reason (SPEC §4.5): open tickets hold their client through a linked
// hold, resolving them lifts it, and holds are validated. The holds of a
// touch's outcome (SPEC §4.8) are kept by package touches.
package holds

import (
	"errors"
	"time"

	"touchbase/clients"
	"touchbase/domain"
	"touchbase/texts"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Bind implements the ticket side of suppression (SPEC §4.5): an
// open ticket holds its client out of standard occasions through a linked
// holds record (reason "ticket"), resolving it lifts the hold, and both
// moments are written on the client's card as system comments. Like a
// touch and its comment, the ticket, its hold and its comment commit
// together.
func Bind(app core.App) {
	app.OnRecordCreateRequest("tickets").BindFunc(func(e *core.RecordRequestEvent) error {
		return domain.InTransaction(e, e.Next)
	})
	app.OnRecordUpdateRequest("tickets").BindFunc(func(e *core.RecordRequestEvent) error {
		if err := domain.RefuseChanges(e, "client"); err != nil {
			return err
		}
		return domain.InTransaction(e, func() error {
			if err := domain.RefuseChangedMeanwhile(e, "status"); err != nil {
				return err
			}
			return e.Next()
		})
	})
	app.OnRecordCreate("tickets").BindFunc(onTicketCreate)
	app.OnRecordUpdate("tickets").BindFunc(onTicketUpdate)
	app.OnRecordValidate("holds").BindFunc(onHoldValidate)
	bindPurchases(app)
	// a hold's touch is the outcome that created it (SPEC §4.8): the
	// server sets it, so that changing the outcome lifts exactly that hold
	app.OnRecordCreateRequest("holds").BindFunc(func(e *core.RecordRequestEvent) error {
		if err := domain.RefuseChanges(e, "touch"); err != nil {
			return err
		}
		return e.Next()
	})
	app.OnRecordUpdateRequest("holds").BindFunc(func(e *core.RecordRequestEvent) error {
		if err := domain.RefuseChanges(e, "touch"); err != nil {
			return err
		}
		return e.Next()
	})
}

func onTicketCreate(e *core.RecordEvent) error {
	if e.Record.GetString("status") == "" {
		e.Record.Set("status", "open")
	}
	stampResolvedAt(e.Record)
	if e.Record.GetString("status") != "open" {
		return e.Next()
	}
	if !e.App.IsTransactional() {
		return errors.New("an open ticket must be saved inside a transaction so that its hold commits with it")
	}
	if err := e.Next(); err != nil {
		return err
	}
	return holdForTicket(e.App, e.Record, "ticket.opened")
}

func onTicketUpdate(e *core.RecordEvent) error {
	before := e.Record.Original().GetString("status")
	stampResolvedAt(e.Record)
	after := e.Record.GetString("status")
	if before == after {
		return e.Next()
	}
	if !e.App.IsTransactional() {
		return errors.New("a ticket's status must change inside a transaction so that its hold follows")
	}
	if err := e.Next(); err != nil {
		return err
	}
	if after == "open" {
		return holdForTicket(e.App, e.Record, "ticket.reopened")
	}
	return liftTicketHolds(e.App, e.Record)
}

// stampResolvedAt keeps resolved_at in step with the status.
func stampResolvedAt(ticket *core.Record) {
	if ticket.GetString("status") == "resolved" {
		if ticket.GetDateTime("resolved_at").IsZero() {
			ticket.Set("resolved_at", types.NowDateTime())
		}
	} else {
		ticket.Set("resolved_at", "")
	}
}

// holdForTicket creates the ticket's hold and says so on the client's card
// (the text key what, in the language of the client's point).
func holdForTicket(app core.App, ticket *core.Record, what string) error {
	holds, err := app.FindCachedCollectionByNameOrId("holds")
	if err != nil {
		return err
	}
	hold := core.NewRecord(holds)
	hold.Set("client", ticket.GetString("client"))
	hold.Set("reason", "ticket")
	hold.Set("ticket", ticket.Id)
	hold.Set("note", domain.Truncate(ticket.GetString("title"), 1000))
	if err := app.Save(hold); err != nil {
		return err
	}
	return clients.SaveServerComment(app, ticket.GetString("client"), "system", "", "",
		texts.T(domain.ClientLanguage(app, ticket.GetString("client")), what, ticket.GetString("title")))
}

// liftTicketHolds removes the holds of a resolved ticket and says so.
func liftTicketHolds(app core.App, ticket *core.Record) error {
	holds, err := app.FindAllRecords("holds", dbx.HashExp{"ticket": ticket.Id})
	if err != nil {
		return err
	}
	for _, hold := range holds {
		if err := app.Delete(hold); err != nil {
			return err
		}
	}
	return clients.SaveServerComment(app, ticket.GetString("client"), "system", "", "",
		texts.T(domain.ClientLanguage(app, ticket.GetString("client")), "ticket.resolved", ticket.GetString("title")))
}

// onHoldValidate keeps a hold's ticket and touch on the same client and
// its expiry sensible.
func onHoldValidate(e *core.RecordEvent) error {
	if err := e.Next(); err != nil {
		return err
	}
	if id := e.Record.GetString("ticket"); id != "" {
		ticket, err := e.App.FindRecordById("tickets", id)
		if err != nil || ticket.GetString("client") != e.Record.GetString("client") {
			return domain.FieldErrorT("ticket", "validation_ticket_client", "hold.ticket_client")
		}
	}
	if id := e.Record.GetString("touch"); id != "" {
		touch, err := e.App.FindRecordById("touches", id)
		if err != nil || touch.GetString("client") != e.Record.GetString("client") {
			return domain.FieldErrorT("touch", "validation_touch_client", "hold.touch_client")
		}
	}
	if id := e.Record.GetString("event"); id != "" {
		event, err := e.App.FindRecordById("events", id)
		if err != nil || event.GetString("client") != e.Record.GetString("client") {
			return domain.FieldErrorT("event", "validation_event_client", "hold.event_client")
		}
	}
	if until := e.Record.GetDateTime("until"); !until.IsZero() && e.Record.IsNew() && until.Time().Before(time.Now().AddDate(-1, 0, 0)) {
		return domain.FieldErrorT("until", "validation_until", "hold.until_long_ago")
	}
	return nil
}
