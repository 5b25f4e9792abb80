package migrations

import (
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"touchbase/domain"
)

// clientContactFields are the client fields that 1764200200_contacts.go
// moved into each client's primary contact.
var clientContactFields = []string{"contact_name", "contact_birthday", "channel", "telegram", "whatsapp", "phone", "email"}

// The client's contact fields now live in its contacts: drop them from
// clients, and recompute the search column as the clients package keeps
// it (the name and every non-archived contact's name, folded).
func init() {
	m.Register(dropClientContactFields, restoreClientContactFields)
}

func dropClientContactFields(app core.App) error {
	clients, err := app.FindCollectionByNameOrId("clients")
	if err != nil {
		return err
	}
	for _, name := range clientContactFields {
		clients.Fields.RemoveByName(name)
	}
	if search, ok := clients.Fields.GetByName("search").(*core.TextField); ok {
		search.Help = "Lower-cased name and contacts' names for search in any script; kept by the server."
	}
	if err := app.Save(clients); err != nil {
		return err
	}
	return recomputeSearch(app)
}

// recomputeSearch rewrites clients.search where it differs from the name
// and the non-archived contacts' names (primary first, then by name).
func recomputeSearch(app core.App) error {
	var rows []struct {
		Id     string `db:"id"`
		Name   string `db:"name"`
		Search string `db:"search"`
		Names  string `db:"names"`
	}
	err := app.DB().NewQuery(`SELECT c.id AS id, c.name AS name, c.search AS search,
			COALESCE((SELECT group_concat(name, ' ') FROM (SELECT k.name AS name FROM contacts k
				WHERE k.client = c.id AND k.archived = FALSE ORDER BY k."primary" DESC, k.name)), '') AS names
		FROM clients c`).All(&rows)
	if err != nil {
		return err
	}
	for _, r := range rows {
		parts := []string{r.Name}
		if r.Names != "" {
			parts = append(parts, r.Names)
		}
		// as clients.searchText writes it
		text := domain.Truncate(domain.NormalizeSearch(strings.Join(parts, " ")), 1000)
		if text == r.Search {
			continue
		}
		if _, err := app.DB().Update("clients", dbx.Params{"search": text}, dbx.HashExp{"id": r.Id}).Execute(); err != nil {
			return err
		}
	}
	return nil
}

// restoreClientContactFields puts the fields back, filled from each
// client's primary contact.
func restoreClientContactFields(app core.App) error {
	clients, err := app.FindCollectionByNameOrId("clients")
	if err != nil {
		return err
	}
	clients.Fields.Add(
		&core.TextField{Name: "contact_name", Max: 200},
		&core.DateField{Name: "contact_birthday"},
		&core.SelectField{Name: "channel", MaxSelect: 1, Values: channels},
		&core.TextField{Name: "telegram", Max: 33},
		&core.TextField{Name: "whatsapp", Max: 24},
		&core.TextField{Name: "phone", Max: 24},
		&core.EmailField{Name: "email"},
	)
	if err := app.Save(clients); err != nil {
		return err
	}
	_, err = app.DB().NewQuery(`UPDATE clients SET
		contact_name = COALESCE((SELECT name FROM contacts k WHERE k.client = clients.id AND k."primary" = TRUE), ''),
		contact_birthday = COALESCE((SELECT birthday FROM contacts k WHERE k.client = clients.id AND k."primary" = TRUE), ''),
		channel = COALESCE((SELECT channel FROM contacts k WHERE k.client = clients.id AND k."primary" = TRUE), ''),
		telegram = COALESCE((SELECT telegram FROM contacts k WHERE k.client = clients.id AND k."primary" = TRUE), ''),
		whatsapp = COALESCE((SELECT whatsapp FROM contacts k WHERE k.client = clients.id AND k."primary" = TRUE), ''),
		phone = COALESCE((SELECT phone FROM contacts k WHERE k.client = clients.id AND k."primary" = TRUE), ''),
		email = COALESCE((SELECT email FROM contacts k WHERE k.client = clients.id AND k."primary" = TRUE), '')`).Execute()
	return err
}
