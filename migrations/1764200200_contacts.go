package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"touchbase/access"
	"touchbase/domain"
)

// contacts: the people at a client (SPEC §3). The collection is created and
// every client's contact fields (contact_name, contact_birthday, channel,
// telegram, whatsapp, phone, email) are copied into one primary contact of
// that client, when at least one of them is set; a contact without a name
// is addressed by the client's name. The old client fields are dropped by
// the next migration, once nothing reads them.
//
// The partial unique index idx_contacts_primary lets the database itself
// refuse a second primary contact of a client; the contacts package keeps
// exactly one (and unmarks the previous one before marking another).
func init() {
	m.Register(createContacts, dropContacts)
}

func createContacts(app core.App) error {
	clients, err := app.FindCollectionByNameOrId("clients")
	if err != nil {
		return err
	}

	contacts := core.NewBaseCollection("contacts")
	contacts.Fields.Add(
		&core.RelationField{Name: "client", Required: true, MaxSelect: 1, CollectionId: clients.Id, CascadeDelete: true, Help: "The company this person works at; only its point's managers see them."},
		&core.TextField{Name: "name", Required: true, Max: 200, Presentable: true, Help: "How a message addresses them ({{contact}})."},
		&core.SelectField{Name: "role", MaxSelect: 1, Values: domain.ContactRoles, Help: "Their part in buying; occasions may target roles."},
		&core.TextField{Name: "position", Max: 200, Help: "Job title ({{position}})."},
		&core.DateField{Name: "birthday", Help: "A day, for birthday occasions (the year may be approximate)."},
		&core.SelectField{Name: "language", MaxSelect: 1, Values: domain.Languages, Help: "Language of the messages to them; empty = the client's."},
		&core.SelectField{Name: "channel", MaxSelect: 1, Values: domain.Channels, Help: "Where this person prefers to be reached."},
		&core.TextField{Name: "telegram", Max: 33, Pattern: `^@?[A-Za-z][A-Za-z0-9_]{4,31}$`, Help: "Telegram username, e.g. @irina_p."},
		// phones are read and stored in E.164 by package phones (no pattern)
		&core.TextField{Name: "whatsapp", Max: 24, Help: "WhatsApp number: international (+7 912 345-67-89) or national in the point's country; stored in E.164."},
		&core.TextField{Name: "phone", Max: 24, Help: "Phone number: international (+7 495 123-45-67) or national in the point's country (8 (495) 123-45-67); stored in E.164."},
		&core.EmailField{Name: "email", Help: "E-mail address."},
		&core.BoolField{Name: "primary", Help: "The client's main contact; kept by the server: exactly one per client with contacts (marking another one unmarks this one)."},
		&core.BoolField{Name: "archived", Help: "Left the company: kept for history, never addressed."},
		&core.TextField{Name: "notes", Max: 5000},
	)
	withAutodates(contacts)
	contacts.AddIndex("idx_contacts_client", false, "client, name", "")
	contacts.AddIndex("idx_contacts_primary", true, "client", "`primary` = TRUE")
	contacts.AddIndex("idx_contacts_birthday", false, "birthday", "birthday != ''")
	contacts.ListRule = rule(access.OwnClient)
	contacts.ViewRule = contacts.ListRule
	contacts.CreateRule = rule(access.StaffWithScope)
	contacts.UpdateRule = rule(access.OwnClient)
	contacts.DeleteRule = rule(access.ServiceManager) // people leave: point managers archive them
	if err := app.Save(contacts); err != nil {
		return err
	}

	return moveClientContacts(app)
}

// moveClientContacts copies each client's contact fields into a primary
// contact, in one statement (a data dir may hold 100,000 clients).
func moveClientContacts(app core.App) error {
	clients, err := app.FindCollectionByNameOrId("clients")
	if err != nil {
		return err
	}
	if clients.Fields.GetByName("contact_name") == nil {
		return nil // a schema without the old fields: nothing to move
	}
	_, err = app.DB().NewQuery(`
		INSERT INTO contacts (id, client, name, birthday, channel, telegram, whatsapp, phone, email, ` + "`primary`" + `, archived, created, updated)
		SELECT substr(lower(hex(randomblob(8))), 1, 15), c.id,
			CASE WHEN trim(COALESCE(c.contact_name, '')) != '' THEN c.contact_name ELSE c.name END,
			COALESCE(c.contact_birthday, ''), COALESCE(c.channel, ''), COALESCE(c.telegram, ''),
			COALESCE(c.whatsapp, ''), COALESCE(c.phone, ''), COALESCE(c.email, ''), TRUE, FALSE,
			strftime('%Y-%m-%d %H:%M:%fZ', 'now'), strftime('%Y-%m-%d %H:%M:%fZ', 'now')
		FROM clients c
		WHERE COALESCE(c.contact_name, '') != '' OR COALESCE(c.contact_birthday, '') != ''
			OR COALESCE(c.channel, '') != '' OR COALESCE(c.telegram, '') != '' OR COALESCE(c.whatsapp, '') != ''
			OR COALESCE(c.phone, '') != '' OR COALESCE(c.email, '') != ''`).Execute()
	return err
}

func dropContacts(app core.App) error {
	contacts, err := app.FindCollectionByNameOrId("contacts")
	if err != nil {
		return err
	}
	return app.Delete(contacts)
}
