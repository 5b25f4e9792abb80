// Package contacts owns the people at a client (SPEC §3 contacts): who may
// add and change them, and the one invariant the server keeps for them —
// a client with (non-archived) contacts has exactly one primary contact.
// The first contact becomes primary, marking another one primary unmarks
// the previous one, and deleting or archiving the primary makes the next
// non-archived contact (by name) primary. Archived contacts are never
// primary: a client whose contacts have all left has none.
//
// The work is done by model hooks inside one transaction, so every path
// (API, import, demo) keeps the invariant; the partial unique index
// idx_contacts_primary makes the database refuse a second primary should
// anything else try. Writes are serialised by SQLite and the siblings are
// re-read inside the transaction, so concurrent writes leave one primary.
package contacts

import (
	"context"
	"regexp"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"touchbase/access"
	"touchbase/clients"
	"touchbase/domain"
)

// Bind adds the contact rules to app.
func Bind(app core.App) {
	app.OnRecordCreateRequest("contacts").BindFunc(onCreateRequest)
	app.OnRecordUpdateRequest("contacts").BindFunc(onUpdateRequest)
	app.OnRecordDeleteRequest("contacts").BindFunc(func(e *core.RecordRequestEvent) error {
		return domain.InTransaction(e, e.Next)
	})
	app.OnRecordValidate("contacts").BindFunc(explainTelegram)
	app.OnRecordCreate("contacts").BindFunc(onSave)
	app.OnRecordUpdate("contacts").BindFunc(onSave)
	app.OnRecordDelete("contacts").BindFunc(onDelete)
}

// onCreateRequest refuses a contact of a client outside the caller's
// point (a 400 naming client, the same for a foreign and an unknown id).
func onCreateRequest(e *core.RecordRequestEvent) error {
	if err := domain.RequireOwnClient(e); err != nil {
		return err
	}
	return domain.InTransaction(e, e.Next)
}

// onUpdateRequest keeps a point manager's contact with its client, and
// refuses unmarking the primary contact: the client would have none, so
// another contact has to be marked primary instead.
func onUpdateRequest(e *core.RecordRequestEvent) error {
	if access.IsPointManager(e.Auth) {
		if err := domain.RefuseChanges(e, "client"); err != nil {
			return err
		}
	}
	original := e.Record.Original()
	if original.GetBool("primary") && !e.Record.GetBool("primary") && !e.Record.GetBool("archived") &&
		original.GetString("client") == e.Record.GetString("client") {
		return domain.FieldErrorT("primary", "validation_primary_required", "contact.primary_required")
	}
	return domain.InTransaction(e, e.Next)
}

// settlingKey marks the saves settle makes itself: they change only the
// primary flag of a sibling and must not settle again.
type settlingKey struct{}

func settling(ctx context.Context) bool {
	v, _ := ctx.Value(settlingKey{}).(bool)
	return v
}

// inTransaction runs fn (which calls e.Next()) in a transaction unless the
// save already runs in one.
func inTransaction(e *core.RecordEvent, fn func() error) error {
	if e.App.IsTransactional() {
		return fn()
	}
	original := e.App
	defer func() { e.App = original }()
	return e.App.RunInTransaction(func(txApp core.App) error {
		e.App = txApp
		return fn()
	})
}

// onSave decides the primary contact of the record's client before the
// save (unmarking a previous primary first, so the unique index never sees
// two), saves, then marks a successor where one is needed and keeps the
// clients' search column in step.
func onSave(e *core.RecordEvent) error {
	if settling(e.Context) {
		return e.Next()
	}
	return inTransaction(e, func() error {
		record := e.Record
		clientId := record.GetString("client")
		oldClient := ""
		if !record.IsNew() {
			oldClient = record.Original().GetString("client")
		}

		siblings, err := siblingsOf(e.App, clientId, record.Id)
		if err != nil {
			return err
		}
		primary := choosePrimary(record, siblings)
		record.Set("primary", primary == record)
		// unmark before the save, mark after it
		if err := setPrimaries(e, siblings, primary, false); err != nil {
			return err
		}
		if err := e.Next(); err != nil {
			return err
		}
		if err := setPrimaries(e, siblings, primary, true); err != nil {
			return err
		}
		if err := clients.RefreshSearch(e.App, clientId); err != nil {
			return err
		}
		if oldClient != "" && oldClient != clientId {
			// moved by a service manager: the old client may need a new
			// primary and a new search text
			if err := settle(e, oldClient); err != nil {
				return err
			}
			return clients.RefreshSearch(e.App, oldClient)
		}
		return nil
	})
}

// onDelete makes the next contact primary when the primary is deleted.
func onDelete(e *core.RecordEvent) error {
	return inTransaction(e, func() error {
		if err := e.Next(); err != nil {
			return err
		}
		clientId := e.Record.GetString("client")
		if err := settle(e, clientId); err != nil {
			return err
		}
		return clients.RefreshSearch(e.App, clientId)
	})
}

// settle gives a client whose primary left (deleted, moved away) the next
// non-archived contact by name as its primary.
func settle(e *core.RecordEvent, clientId string) error {
	siblings, err := siblingsOf(e.App, clientId, "")
	if err != nil {
		return err
	}
	primary := choosePrimary(nil, siblings)
	if err := setPrimaries(e, siblings, primary, false); err != nil {
		return err
	}
	return setPrimaries(e, siblings, primary, true)
}

// siblingsOf reads the other contacts of a client inside the transaction,
// by name (the order the successor is chosen in).
func siblingsOf(app core.App, clientId, except string) ([]*core.Record, error) {
	if clientId == "" {
		return nil, nil
	}
	return app.FindAllRecords("contacts", dbx.HashExp{"client": clientId}, dbx.Not(dbx.HashExp{"id": except}))
}

// choosePrimary returns the contact that must be primary among record
// (nil for none) and its siblings: record when marked and not archived;
// else the current non-archived primary; else the first non-archived
// contact by name (record included); nil when every contact is archived.
func choosePrimary(record *core.Record, siblings []*core.Record) *core.Record {
	if record != nil && record.GetBool("primary") && !record.GetBool("archived") {
		return record
	}
	for _, s := range siblings {
		if s.GetBool("primary") && !s.GetBool("archived") {
			return s
		}
	}
	var first *core.Record
	candidates := append([]*core.Record{}, siblings...)
	if record != nil {
		candidates = append(candidates, record)
	}
	for _, c := range candidates {
		if c.GetBool("archived") {
			continue
		}
		if first == nil || less(c, first) {
			first = c
		}
	}
	return first
}

// less orders contacts by name (case-insensitive), then id.
func less(a, b *core.Record) bool {
	an, bn := strings.ToLower(a.GetString("name")), strings.ToLower(b.GetString("name"))
	if an != bn {
		return an < bn
	}
	return a.Id < b.Id
}

// setPrimaries saves the siblings whose primary flag must become value
// (true only for primary, false for every other), as settle saves that
// do not settle again but do reach realtime subscribers.
func setPrimaries(e *core.RecordEvent, siblings []*core.Record, primary *core.Record, value bool) error {
	ctx := context.WithValue(e.Context, settlingKey{}, true)
	for _, s := range siblings {
		want := s == primary
		if want != value || s.GetBool("primary") == want {
			continue
		}
		s.Set("primary", want)
		if err := e.App.SaveNoValidateWithContext(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

// explainTelegram answers a Telegram handle that does not fit the field's
// pattern with what a handle looks like, instead of PocketBase's bare
// "Invalid value format". The pattern stays the schema's, read from it.
func explainTelegram(e *core.RecordEvent) error {
	handle := e.Record.GetString("telegram")
	field, ok := e.Record.Collection().Fields.GetByName("telegram").(*core.TextField)
	if handle == "" || !ok || field.Pattern == "" {
		return e.Next()
	}
	if matched, err := regexp.MatchString(field.Pattern, handle); err == nil && !matched {
		return domain.FieldErrorT("telegram", "validation_invalid_telegram", "contact.telegram")
	}
	return e.Next()
}
