package migrations

import (
	"fmt"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"

	"touchbase/domain"
)

// Repeating occasions and the built-in "personal contact" (SPEC §3
// occasions.repeat, touches.period):
//
//   - occasions.repeat gains monthly, weekly and daily (package occurrence:
//     one mark per client and calendar month, ISO week or day);
//   - the occasion domain.PersonalContactOccasion, "Personal contact /
//     Личный контакт": standard, category other, repeat daily, no trigger,
//     no window, every point and segment, with a short neutral text in
//     Russian and English (occasion_templates) and the English one as its
//     default. The Due view logs an unplanned call or meeting with it.
//
// Running it again (after a down) restores the occasion instead of adding a
// second one. Down puts back the two old repeat values: it refuses while
// another occasion repeats monthly, weekly or daily (its marks' periods
// would mean nothing to the old rule; change its repeat first), deletes the
// personal-contact occasion with its texts when nobody marked it, and
// otherwise keeps it, archived and repeat none, for its marks' history.
func init() {
	m.Register(repeatsUp, repeatsDown)
}

// Texts of the personal-contact occasion.
const (
	personalContactTitle = "Personal contact / Личный контакт"
	personalContactEn    = "Hello {{contact}}, this is {{manager}} from {{point}}. How are things going? Is there anything we can help with?"
	personalContactRu    = "Здравствуйте, {{contact}}! Это {{manager}}, {{point}}. Как у вас дела? Можем ли мы чем-нибудь помочь?"
)

// builtInAt is the created / updated time of the built-in records (this
// migration's own timestamp, 1764600000), and personalContactTexts their
// ids, so that every data dir holds the same rows (the benchmark data set
// is compared byte for byte across runs).
var (
	builtInAt            = time.Unix(1764600000, 0).UTC()
	personalContactTexts = map[string]string{"ru": "personalcontru0", "en": "personalconten0"}
)

// oldRepeats are the repeat values before this migration.
var oldRepeats = []string{"none", "yearly"}

func repeatsUp(app core.App) error {
	occasions, err := app.FindCollectionByNameOrId("occasions")
	if err != nil {
		return err
	}
	if repeat, ok := occasions.Fields.GetByName("repeat").(*core.SelectField); ok {
		repeat.Values = domain.Repeats
		repeat.Help = "How often a client can be touched for it: none (once), yearly, monthly, weekly (ISO weeks) or daily, in the point's time zone."
	}
	if err := app.Save(occasions); err != nil {
		return err
	}

	occasion, err := app.FindRecordById(occasions, domain.PersonalContactOccasion)
	if err != nil {
		occasion = core.NewRecord(occasions)
		occasion.Id = domain.PersonalContactOccasion
		occasion.Set("title", personalContactTitle)
		occasion.Set("template", personalContactEn)
		occasion.Set("kind", "standard")
		occasion.Set("category", "other")
		occasion.Set("trigger", "none")
		setBuiltInTimes(occasion)
	}
	occasion.Set("repeat", "daily")
	occasion.Set("archived", false) // parked by a down
	if err := app.Save(occasion); err != nil {
		return err
	}

	templates, err := app.FindCollectionByNameOrId("occasion_templates")
	if err != nil {
		return err
	}
	for _, text := range []struct{ language, text string }{{"ru", personalContactRu}, {"en", personalContactEn}} {
		existing, _ := app.FindFirstRecordByFilter(templates, "occasion = {:o} && language = {:l} && variant = ''",
			dbx.Params{"o": occasion.Id, "l": text.language})
		if existing != nil {
			continue
		}
		version := core.NewRecord(templates)
		version.Id = personalContactTexts[text.language]
		setBuiltInTimes(version)
		version.Set("occasion", occasion.Id)
		version.Set("language", text.language)
		version.Set("weight", 1)
		version.Set("text", text.text)
		if err := app.Save(version); err != nil {
			return err
		}
	}
	return nil
}

func repeatsDown(app core.App) error {
	var others []struct {
		Id     string `db:"id"`
		Title  string `db:"title"`
		Repeat string `db:"repeat"`
	}
	err := app.DB().Select("id", "title", "repeat").From("occasions").
		Where(dbx.NotIn("repeat", anys(append(oldRepeats, ""))...)).
		AndWhere(dbx.Not(dbx.HashExp{"id": domain.PersonalContactOccasion})).
		OrderBy("id").All(&others)
	if err != nil {
		return err
	}
	if len(others) > 0 {
		names := make([]string, len(others))
		for i, o := range others {
			names[i] = fmt.Sprintf("%q (%s, %s)", o.Title, o.Id, o.Repeat)
		}
		return fmt.Errorf("cannot remove the monthly, weekly and daily repeats: set the repeat of %s to none or yearly first",
			strings.Join(names, ", "))
	}

	if occasion, err := app.FindRecordById("occasions", domain.PersonalContactOccasion); err == nil {
		marks, err := app.CountRecords("touches", dbx.HashExp{"occasion": occasion.Id})
		if err != nil {
			return err
		}
		if marks == 0 {
			if err := app.Delete(occasion); err != nil { // its texts go with it (cascade)
				return err
			}
		} else {
			occasion.Set("repeat", "none")
			occasion.Set("archived", true)
			if err := app.Save(occasion); err != nil {
				return err
			}
		}
	}

	occasions, err := app.FindCollectionByNameOrId("occasions")
	if err != nil {
		return err
	}
	if repeat, ok := occasions.Fields.GetByName("repeat").(*core.SelectField); ok {
		repeat.Values = oldRepeats
		repeat.Help = ""
	}
	return app.Save(occasions)
}

// setBuiltInTimes gives a new built-in record fixed created and updated
// times (an autodate field keeps a value set raw on create).
func setBuiltInTimes(record *core.Record) {
	at, _ := types.ParseDateTime(builtInAt)
	record.SetRaw("created", at)
	record.SetRaw("updated", at)
}

func anys(values []string) []any {
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = v
	}
	return out
}
