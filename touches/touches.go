// Package touches owns a mark: one path from the API (or the demo, or an
// import) through one model hook that loads the client, occasion, point
// and author once, checks eligibility and suppression, sets the period,
// refuses a duplicate, saves the touch and writes its card comment, all in
// one transaction; and the status changes that follow, each with its own
// card comment.
package touches

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"touchbase/access"
	"touchbase/clients"
	"touchbase/domain"
	"touchbase/occurrence"
	"touchbase/templates"
	"touchbase/texts"
)

// Bind wires the touch → comment behaviour (SPEC §4.1–§4.5), undo and
// outcomes (SPEC §4.7, §4.8) to app.
func Bind(app core.App) {
	app.OnRecordCreateRequest("touches").BindFunc(onTouchCreateRequest)
	app.OnRecordUpdateRequest("touches").BindFunc(onTouchUpdateRequest)
	app.OnRecordCreate("touches").BindFunc(onTouchCreate)
}

// onTouchCreateRequest stamps the author, refuses a forged period and a
// client outside the caller's point, and runs the save in a transaction so
// that the touch and its comment commit together. Everything else about a
// new touch is onTouchCreate's.
func onTouchCreateRequest(e *core.RecordRequestEvent) error {
	if err := domain.RefuseChanges(e, "period", "template"); err != nil {
		return err
	}
	if e.Record.GetString("status") == domain.TouchWithdrawn {
		return domain.FieldErrorT("status", "validation_new_withdrawn", "touch.create_withdrawn")
	}
	if err := domain.RequireOwnClient(e); err != nil {
		return err
	}
	if err := takeEventField(e); err != nil {
		return err
	}
	if access.IsStaff(e.Auth) {
		if author := e.Record.GetString("author"); author != "" && author != e.Auth.Id {
			return domain.FieldErrorT("author", "validation_server_set", "touch.author_server_set")
		}
		e.Record.Set("author", e.Auth.Id)
	}
	return domain.InTransaction(e, e.Next)
}

// onTouchUpdateRequest keeps the history honest: the occurrence and the
// author of a mark never change; only its author (within WithdrawWindow)
// or a service manager withdraws it, and a withdrawn mark stays so; an
// outcome goes on a done touch. A status change is written on the
// client's card, and an outcome's hold and comment follow it, in the same
// transaction as the change itself.
func onTouchUpdateRequest(e *core.RecordRequestEvent) error {
	if err := domain.RefuseChanges(e, "period", "author", "client", "occasion", "contact", "template"); err != nil {
		return err
	}
	info, err := e.RequestInfo()
	if err != nil {
		return err
	}
	_, followUpSent := info.Body["follow_up"]
	_, outcomeSent := info.Body["outcome"]
	original := e.Record.Original()

	return domain.InTransaction(e, func() error {
		if err := domain.RefuseChangedMeanwhile(e, "status"); err != nil {
			return err
		}
		if outcomeSent {
			if err := domain.RefuseChangedMeanwhile(e, "outcome"); err != nil {
				return err
			}
		}
		now := time.Now()
		if err := beforeUpdate(e.App, e.Record, original, e.Auth, followUpSent, now); err != nil {
			return err
		}
		if err := e.Next(); err != nil {
			return err
		}
		return afterUpdate(e.App, e.Record, original, e.Auth, now)
	})
}

// onTouchCreate is the one path of a new touch, from the API, the demo or
// an import: inside the write transaction it loads the client, occasion,
// point and author once, checks eligibility and suppression, sets the
// server-owned period, refuses a second mark for the same occurrence,
// saves the touch and writes its card comment. It insists on a
// transaction, so that "a touch without its comment" cannot happen, and
// reads everything inside it, so that a change committed before (an
// occasion archived a moment ago) is seen.
func onTouchCreate(e *core.RecordEvent) error {
	if !e.App.IsTransactional() {
		return errors.New("touches must be saved inside a transaction (app.RunInTransaction) so that the touch and its comment commit together")
	}

	t, err := loadTouchContext(e.App, e.Record)
	if err != nil {
		return err
	}
	if err := resolveContact(e.App, e.Record, t); err != nil {
		return err
	}
	at := touchTime(e.Record)
	if err := resolveEvent(e.App, e.Record, t, at); err != nil {
		return err
	}
	if err := checkTouchAllowed(e.App, t, at); err != nil {
		return err
	}
	if err := checkEventWindow(t, at); err != nil {
		return err
	}

	occ := occurrence.For(domain.OccasionRule(t.occasion), domain.ClientDates(t.client, t.contact), occurrence.Today(at, t.timezone()))
	period := Period(t.occasion, occ.Period, t.contact)
	if t.event != nil {
		period = domain.EventPeriod(t.event.Id) // one mark per event (SPEC §4.9)
	}
	e.Record.Set("period", period)

	if err := refuseDuplicate(e.App, t, period); err != nil {
		return err
	}
	if err := setTemplate(e.App, e.Record, t, period); err != nil {
		return err
	}
	now := time.Now()
	if err := prepareOutcome(e.Record, nil, t.point, true, now); err != nil {
		return err
	}

	if err := e.Next(); err != nil {
		return err
	}

	if err := writeTouchComment(e.App, e.Record, t); err != nil {
		return err
	}
	if e.Record.GetString("outcome") == "" {
		return nil
	}
	return applyOutcome(e.App, e.Record, t.author, t, "", types.DateTime{}, now)
}

// setTemplate records on the touch the version of the message the client
// was given for this occurrence (SPEC §5), chosen as the worklist chose it.
func setTemplate(app core.App, touch *core.Record, t *touchContext, period string) error {
	set, err := templates.Load(app, t.occasion)
	if err != nil {
		return err
	}
	contactLanguage := ""
	if t.contact != nil {
		contactLanguage = t.contact.GetString("language")
	}
	language := templates.Language(contactLanguage, t.client.GetString("language"), t.point.GetString("language"))
	chosen, _ := set.Choose(language, t.client.Id, period)
	touch.Set("template", chosen.Id)
	return nil
}

// Period is the stored period of a mark (domain.TouchPeriod): for a
// birthday occasion, the year and the contact.
func Period(occasion *core.Record, occurrencePeriod string, contact *core.Record) string {
	id := ""
	if contact != nil {
		id = contact.Id
	}
	return domain.TouchPeriod(occasion.GetString("trigger"), occurrencePeriod, id)
}

// resolveContact checks the contact a new mark names: one of the client's
// people, not one who left (archived; a service manager may back-fill
// history), and required for a birthday occasion. Without one, the mark
// is addressed as the worklist addresses the message (SPEC §5).
func resolveContact(app core.App, touch *core.Record, t *touchContext) error {
	id := touch.GetString("contact")
	if id == "" {
		if t.occasion.GetString("trigger") == "birthday" {
			return domain.FieldErrorT("contact", "validation_required", "touch.birthday_contact")
		}
		contact, err := domain.AddressedContact(app, t.client.Id, t.occasion.GetStringSlice("roles"))
		if err != nil {
			return err
		}
		t.contact = contact
		if contact != nil {
			touch.Set("contact", contact.Id)
		}
		return nil
	}
	if t.contact == nil || t.contact.GetString("client") != t.client.Id {
		return domain.FieldErrorT("contact", "validation_contact_client", "touch.contact_client")
	}
	if t.contact.GetBool("archived") && !access.IsServiceManager(t.author) {
		return domain.FieldErrorT("contact", "validation_contact_archived", "touch.contact_archived", t.contact.GetString("name"))
	}
	return nil
}

// touchContext is what the hooks need to know about a touch: its client,
// occasion, the client's point and the author.
type touchContext struct {
	client, occasion, point, author *core.Record
	// contact is the person the mark was addressed to (for a birthday:
	// whose birthday it is); nil when the client has no one to address
	contact *core.Record
	// event is the event an event occasion's mark follows up (SPEC §4.9)
	event *core.Record
}

// loadTouchContext finds the records a touch refers to. A missing client or
// occasion is a 400 naming the field (the same as PocketBase's validation
// would give), never a 500.
func loadTouchContext(app core.App, touch *core.Record) (*touchContext, error) {
	t := &touchContext{}
	var err error

	t.client, err = app.FindRecordById("clients", touch.GetString("client"))
	if err != nil {
		return nil, domain.FieldErrorT("client", "validation_missing_rel_records", "touch.client_missing")
	}
	t.occasion, err = app.FindRecordById("occasions", touch.GetString("occasion"))
	if err != nil {
		return nil, domain.FieldErrorT("occasion", "validation_missing_rel_records", "touch.occasion_missing")
	}
	t.point, err = app.FindRecordById("points", t.client.GetString("point"))
	if err != nil {
		return nil, fmt.Errorf("client %s has no point: %w", t.client.Id, err)
	}
	if id := touch.GetString("author"); id != "" {
		t.author, err = app.FindRecordById("users", id)
		if err != nil {
			return nil, domain.FieldErrorT("author", "validation_missing_rel_records", "touch.author_missing")
		}
	}
	if id := touch.GetString("contact"); id != "" {
		// checked against the client by resolveContact on create
		t.contact, _ = app.FindRecordById("contacts", id)
	}
	return t, nil
}

func (t *touchContext) timezone() string {
	return t.point.GetString("timezone")
}

// touchTime is the moment a touch was made: its created date once saved,
// now while it is being created.
func touchTime(touch *core.Record) time.Time {
	if created := touch.GetDateTime("created"); !created.IsZero() {
		return created.Time()
	}
	return time.Now()
}

// refuseDuplicate gives the 400 of SPEC §4.2 when the client already has a
// mark for this occurrence (done or skipped: a withdrawn one does not
// count, SPEC §4.7). It runs inside the write transaction, which SQLite
// serializes, so two concurrent marks cannot both pass; the partial unique
// index (client, occasion, period) of done and skipped marks stays as the
// last line of defence.
func refuseDuplicate(app core.App, t *touchContext, period string) error {
	// a plain lookup through the unique index: the filter parser and its
	// resolver would cost more than the query on every mark
	existing := &core.Record{}
	err := app.RecordQuery("touches").
		AndWhere(dbx.HashExp{"client": t.client.Id, "occasion": t.occasion.Id, "period": period}).
		AndWhere(dbx.NewExp(domain.MarkedCondition)).
		Limit(1).One(existing)
	if err != nil {
		return nil
	}

	var by any = ""
	if author, _ := app.FindRecordById("users", existing.GetString("author")); author != nil {
		by = texts.M("touch.duplicate_by", author.GetString("name"))
	}
	when := existing.GetDateTime("created").Time().In(domain.PointLocation(t.point)).Format("2006-01-02 15:04")
	who := t.client.GetString("name")
	if t.contact != nil && t.occasion.GetString("trigger") == "birthday" {
		who = t.contact.GetString("name") + " (" + who + ")" // a birthday's occurrence is the person's
	}
	status := existing.GetString("status")
	return domain.FieldErrorT("client", "validation_already_touched", "touch.duplicate",
		who, t.occasion.GetString("title"), by, when, texts.Func(func(lang string) string { return statusWord(lang, status) }))
}

// statusWord is a mark's status in lang (the value itself when it has no
// text).
func statusWord(lang, status string) string {
	return texts.Or(lang, "status."+status, status)
}

// writeTouchComment writes the card comment for a new touch, in the
// language of the client's point: what was done, for which occasion, to
// whom, over which channel, by whom, and the manager's note.
func writeTouchComment(app core.App, touch *core.Record, t *touchContext) error {
	lang := texts.Lang(t.point.GetString("language"))
	occasion := t.occasion.GetString("title")
	to, by := "", ""
	if t.contact != nil {
		to = texts.T(lang, "comment.to", t.contact.GetString("name"))
	}
	if t.author != nil {
		by = texts.T(lang, "comment.by", t.author.GetString("name"))
	}
	note := strings.TrimSpace(touch.GetString("comment"))
	var text string
	if touch.GetString("status") == "skipped" {
		text = texts.T(lang, "comment.skip", occasion, to, by)
		if note != "" {
			text += texts.T(lang, "comment.why", note)
		}
	} else {
		via := texts.Or(lang, "channel."+touch.GetString("channel"), "")
		text = texts.T(lang, "comment.touch", occasion, to, via, by)
		if note != "" {
			text += texts.T(lang, "comment.note", note)
		}
	}

	return clients.SaveServerComment(app, t.client.Id, "touch", touch.Id, touch.GetString("author"), text)
}

// writeStatusChangeComment records, in the language of the client's
// point, that a mark changed from one status to the other (withdrawn
// included), and who changed it.
func writeStatusChangeComment(app core.App, touch, actor *core.Record, before string, t *touchContext) error {
	lang := texts.Lang(t.point.GetString("language"))
	by, authorId := "", ""
	if access.IsStaff(actor) {
		by = texts.T(lang, "comment.by", actor.GetString("name"))
		authorId = actor.Id
	}
	text := texts.T(lang, "comment.status_change", t.occasion.GetString("title"),
		statusWord(lang, before), statusWord(lang, touch.GetString("status")), by)
	if note := strings.TrimSpace(touch.GetString("comment")); note != "" {
		text += texts.T(lang, "comment.note", note)
	}
	return clients.SaveServerComment(app, t.client.Id, "touch", touch.Id, authorId, text)
}
