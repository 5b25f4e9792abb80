package migrations

import (
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"touchbase/domain"
)

// The language of the texts a client gets (SPEC §3, §5): points.language
// (the texts the server writes for the point's clients, and their default
// language) and clients.language (empty = the point's). Existing points get
// the language of their country (domain.LanguageOfCountry).
func init() {
	m.Register(languagesUp, languagesDown)
}

func languagesUp(app core.App) error {
	points, err := app.FindCollectionByNameOrId("points")
	if err != nil {
		return err
	}
	if points.Fields.GetByName("language") == nil {
		points.Fields.Add(&core.SelectField{Name: "language", Required: true, MaxSelect: 1, Values: domain.Languages,
			Help: "Language of the texts the server writes for this point's clients (card comments, hold notes) and their default language; empty on save = the country's."})
		if err := app.Save(points); err != nil {
			return err
		}
	}
	var rows []struct {
		Id      string `db:"id"`
		Country string `db:"country"`
	}
	if err := app.DB().Select("id", "country").From("points").Where(dbx.HashExp{"language": ""}).All(&rows); err != nil {
		return err
	}
	for _, r := range rows {
		if _, err := app.DB().Update("points", dbx.Params{"language": domain.LanguageOfCountry(r.Country)}, dbx.HashExp{"id": r.Id}).Execute(); err != nil {
			return err
		}
	}

	clients, err := app.FindCollectionByNameOrId("clients")
	if err != nil {
		return err
	}
	if clients.Fields.GetByName("language") == nil {
		clients.Fields.Add(&core.SelectField{Name: "language", MaxSelect: 1, Values: domain.Languages,
			Help: "Language of the messages to this client's people; empty = the point's."})
		return app.Save(clients)
	}
	return nil
}

func languagesDown(app core.App) error {
	for _, name := range []string{"points", "clients"} {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			return err
		}
		c.Fields.RemoveByName("language")
		if err := app.Save(c); err != nil {
			return err
		}
	}
	return nil
}
