package migrations

import (
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"touchbase/domain"
)

// Undo and outcomes (SPEC §3, §4.7, §4.8):
//
//   - touches.status gains "withdrawn": an undone mark stays as history and
//     does not count, so the unique index of one mark per occurrence
//     becomes partial (done and skipped marks only; queries that repeat
//     its condition, domain.MarkedSQL, are served by it);
//   - touches.outcome (what came of it) and touches.follow_up (a day: when
//     to come back after "not now"), set by the point's staff through the
//     touches update rule (access.OwnClient, unchanged) and checked by the
//     touches request hook;
//   - holds.touch, the outcome that created a hold (deleted with it).
func init() {
	m.Register(outcomesUp, outcomesDown)
}

func outcomesUp(app core.App) error {
	touches, err := app.FindCollectionByNameOrId("touches")
	if err != nil {
		return err
	}
	if status, ok := touches.Fields.GetByName("status").(*core.SelectField); ok {
		status.Values = domain.TouchStatuses
		status.Help = "done = touched; skipped = deliberately not; withdrawn = undone (kept as history, does not count)."
	}
	touches.Fields.Add(
		&core.SelectField{Name: "outcome", MaxSelect: 1, Values: domain.Outcomes,
			Help: "What came of a done touch; declined, bought and not_now put a hold on the occasion for the client."},
		&core.DateField{Name: "follow_up",
			Help: "A day: for not_now, when to come back (default 30 days on); the hold lasts through it."},
	)
	touches.RemoveIndex("idx_touches_once")
	touches.AddIndex("idx_touches_once", true, "client, occasion, period", "status IN ('done', 'skipped')")
	if err := app.Save(touches); err != nil {
		return err
	}

	holds, err := app.FindCollectionByNameOrId("holds")
	if err != nil {
		return err
	}
	if reason, ok := holds.Fields.GetByName("reason").(*core.SelectField); ok {
		reason.Values = domain.HoldReasons
	}
	holds.Fields.Add(&core.RelationField{Name: "touch", MaxSelect: 1, CollectionId: touches.Id, CascadeDelete: true,
		Help: "Set by the server: the touch whose outcome created this hold; changing the outcome lifts it."})
	holds.AddIndex("idx_holds_touch", false, "touch", "")
	return app.Save(holds)
}

func outcomesDown(app core.App) error {
	holds, err := app.FindCollectionByNameOrId("holds")
	if err != nil {
		return err
	}
	holds.Fields.RemoveByName("touch")
	holds.RemoveIndex("idx_holds_touch")
	if err := app.Save(holds); err != nil {
		return err
	}

	touches, err := app.FindCollectionByNameOrId("touches")
	if err != nil {
		return err
	}
	// withdrawn marks cannot be kept under the full unique index
	withdrawn, err := app.FindAllRecords("touches", dbx.HashExp{"status": domain.TouchWithdrawn})
	if err != nil {
		return err
	}
	for _, touch := range withdrawn {
		if err := app.Delete(touch); err != nil {
			return err
		}
	}
	touches.Fields.RemoveByName("outcome")
	touches.Fields.RemoveByName("follow_up")
	if status, ok := touches.Fields.GetByName("status").(*core.SelectField); ok {
		status.Values = []string{"done", "skipped"}
	}
	touches.RemoveIndex("idx_touches_once")
	touches.AddIndex("idx_touches_once", true, "client, occasion, period", "")
	return app.Save(touches)
}
