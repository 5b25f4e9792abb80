package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"touchbase/access"
	"touchbase/domain"
)

// OccasionTemplatesReadRule is who may read an occasion template (SPEC §3):
// whoever may read its occasion — the occasions' list rule seen through the
// template's occasion relation.
const OccasionTemplatesReadRule = access.ServiceManager + ` || (` + access.PointManager +
	` && (occasion.points:length = 0 || occasion.points.id ?= @request.auth.point))`

// occasion_templates (SPEC §3, §5): the language versions and A/B variants
// of an occasion's message, and touches.template, the version a client was
// given (set by the server).
func init() {
	m.Register(occasionTemplatesUp, occasionTemplatesDown)
}

func occasionTemplatesUp(app core.App) error {
	occasions, err := app.FindCollectionByNameOrId("occasions")
	if err != nil {
		return err
	}
	c := core.NewBaseCollection("occasion_templates")
	c.Fields.Add(
		&core.RelationField{Name: "occasion", Required: true, MaxSelect: 1, CollectionId: occasions.Id, CascadeDelete: true,
			Help: "The occasion this text is a version of."},
		&core.SelectField{Name: "language", Required: true, MaxSelect: 1, Values: domain.Languages,
			Help: "The language of the text: a client gets the text in their contact's language, else the client's, else the point's."},
		&core.TextField{Name: "variant", Max: 20, Presentable: true,
			Help: "Short label of an A/B variant (A, B…); empty when the language has one text."},
		&core.NumberField{Name: "weight", Min: floatPtr(0), Max: floatPtr(1000000),
			Help: "Share of the clients that get this variant among the variants of its language; empty on save = 1; 0 = paused."},
		&core.TextField{Name: "text", Required: true, Max: 4000,
			Help: "Message text with placeholders: {{client}} {{contact}} {{position}} {{manager}} {{point}} {{years}} {{date}}."},
		&core.BoolField{Name: "archived", Help: "Archived versions are no longer given to clients; touches keep pointing to them."},
	)
	withAutodates(c)
	c.AddIndex("idx_occasion_templates_once", true, "occasion, language, variant", "")
	c.ListRule = rule(OccasionTemplatesReadRule)
	c.ViewRule = c.ListRule
	c.CreateRule = rule(access.ServiceManager)
	c.UpdateRule = rule(access.ServiceManager)
	c.DeleteRule = rule(access.ServiceManager)
	if err := app.Save(c); err != nil {
		return err
	}

	touches, err := app.FindCollectionByNameOrId("touches")
	if err != nil {
		return err
	}
	touches.Fields.Add(&core.RelationField{Name: "template", MaxSelect: 1, CollectionId: c.Id,
		Help: "Set by the server: the version of the message the client was given (empty = the occasion's default template)."})
	return app.Save(touches)
}

func occasionTemplatesDown(app core.App) error {
	touches, err := app.FindCollectionByNameOrId("touches")
	if err != nil {
		return err
	}
	touches.Fields.RemoveByName("template")
	if err := app.Save(touches); err != nil {
		return err
	}
	c, err := app.FindCollectionByNameOrId("occasion_templates")
	if err != nil {
		return err
	}
	return app.Delete(c)
}

func floatPtr(f float64) *float64 { return &f }
