package migrations

import (
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"touchbase/domain"
)

// The morning e-mail (SPEC §3 users, §4.10):
//
//   - users.language, the user's language for the e-mail (empty = their
//     point's; en without one), and users.digest, whether they get it: on
//     for every existing user here, and for new ones by the digest
//     package's hook unless they are created with digest = false;
//   - digests, one record per user and local day (unique), written by the
//     digest job before the e-mail goes out, so that nobody gets two on
//     one day, also across restarts. Only superusers reach it through the
//     API (every rule nil).
func init() {
	m.Register(digestUp, digestDown)
}

func digestUp(app core.App) error {
	users, err := app.FindCollectionByNameOrId("users")
	if err != nil {
		return err
	}
	if users.Fields.GetByName("language") == nil {
		users.Fields.Add(&core.SelectField{Name: "language", MaxSelect: 1, Values: domain.Languages,
			Help: "Language of the user's morning e-mail; empty = their point's (English without a point)."})
	}
	if users.Fields.GetByName("digest") == nil {
		users.Fields.Add(&core.BoolField{Name: "digest",
			Help: "Receive the morning e-mail (what is due today). On for new accounts unless created with false."})
	}
	if err := app.Save(users); err != nil {
		return err
	}
	if _, err := app.DB().Update("users", dbx.Params{"digest": true}, nil).Execute(); err != nil {
		return err
	}

	digests := core.NewBaseCollection("digests")
	digests.Fields.Add(
		&core.RelationField{Name: "user", Required: true, MaxSelect: 1, CollectionId: users.Id, CascadeDelete: true},
		&core.TextField{Name: "day", Required: true, Pattern: `^\d{4}-\d{2}-\d{2}$`,
			Help: "The user's local day (YYYY-MM-DD) the e-mail is for."},
		&core.SelectField{Name: "outcome", MaxSelect: 1, Values: domain.DigestOutcomes,
			Help: "sending: claimed, the mailer has it or the process stopped (never retried: at most one e-mail a day); sent; failed (see the logs); empty: nothing to say, no e-mail."},
		&core.DateField{Name: "sent", Help: "When the mailer accepted the e-mail."},
	)
	withAutodates(digests)
	digests.AddIndex("idx_digests_user_day", true, "user, day", "")
	if err := app.Save(digests); err != nil {
		return err
	}
	return nil
}

func digestDown(app core.App) error {
	if digests, err := app.FindCollectionByNameOrId("digests"); err == nil {
		if err := app.Delete(digests); err != nil {
			return err
		}
	}
	users, err := app.FindCollectionByNameOrId("users")
	if err != nil {
		return err
	}
	users.Fields.RemoveByName("language")
	users.Fields.RemoveByName("digest")
	return app.Save(users)
}
