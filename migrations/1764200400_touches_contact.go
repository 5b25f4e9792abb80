package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"touchbase/domain"
)

// Touches address a person (SPEC §3): touches.contact, the contact the
// mark was addressed to (the server checks it belongs to the touch's
// client and requires it for a birthday occasion), and occasions.roles,
// the contact roles an occasion is meant for. touches.period grows to
// hold a birthday occurrence per contact ("2027/<contact id>").
func init() {
	m.Register(func(app core.App) error {
		contacts, err := app.FindCollectionByNameOrId("contacts")
		if err != nil {
			return err
		}
		touches, err := app.FindCollectionByNameOrId("touches")
		if err != nil {
			return err
		}
		touches.Fields.Add(&core.RelationField{Name: "contact", MaxSelect: 1, CollectionId: contacts.Id,
			Help: "Whom the mark was addressed to: one of the client's contacts; required for a birthday occasion. Empty: the server sets the addressed contact."})
		if period, ok := touches.Fields.GetByName("period").(*core.TextField); ok {
			period.Max = 40
			period.Help = `Set by the server: "" for a one-off occasion, the occurrence for a repeating or personal one ("2027"); a birthday's is per contact ("2027/<contact id>").`
		}
		touches.AddIndex("idx_touches_contact", false, "contact", "")
		if err := app.Save(touches); err != nil {
			return err
		}

		occasions, err := app.FindCollectionByNameOrId("occasions")
		if err != nil {
			return err
		}
		occasions.Fields.Add(&core.SelectField{Name: "roles", MaxSelect: len(domain.ContactRoles), Values: domain.ContactRoles,
			Help: "The contact roles it is meant for; empty = any. The message addresses the primary contact when its role matches, else the first matching contact by name."})
		return app.Save(occasions)
	}, func(app core.App) error {
		touches, err := app.FindCollectionByNameOrId("touches")
		if err != nil {
			return err
		}
		touches.Fields.RemoveByName("contact")
		touches.RemoveIndex("idx_touches_contact")
		if err := app.Save(touches); err != nil {
			return err
		}
		occasions, err := app.FindCollectionByNameOrId("occasions")
		if err != nil {
			return err
		}
		occasions.Fields.RemoveByName("roles")
		return app.Save(occasions)
	})
}
