package demo

import (
	"math/rand/v2"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"touchbase/domain"
	"touchbase/touches"
)

// seedOutcomes records what came of the demo's done touches (SPEC §4.8),
// the way managers answer "did they reply?" a day or two later: most
// touches get an outcome, the newest not yet; variant B of a template gets
// replies a little more often than A, so the effectiveness figures have
// something to show. The server writes each outcome's card comment and
// hold; the comment is dated a day after its touch. Then one mis-clicked
// mark of the last days is withdrawn by the service manager (SPEC §4.7).
//
// It draws from its own random source, so the rest of the demo stays as
// it was.
func (s *seeder) seedOutcomes() error {
	r := rand.New(rand.NewPCG(randomSeed+13, randomSeed>>5))
	done, err := s.app.FindRecordsByFilter("touches", "status = 'done'", "created,id", 0, 0)
	if err != nil {
		return err
	}
	authors := map[string]*core.Record{}
	staff, err := s.app.FindAllRecords("users")
	if err != nil {
		return err
	}
	for _, u := range staff {
		authors[u.Id] = u
	}
	variants := map[string]string{}
	var outcomeComments []string
	for _, touch := range done {
		created := touch.GetDateTime("created").Time()
		if s.now.Sub(created) < 36*time.Hour || r.IntN(100) < 25 {
			continue // too recent to know, or nobody recorded it
		}
		variant, ok := variants[touch.GetString("template")]
		if !ok && touch.GetString("template") != "" {
			if t, err := s.app.FindRecordById("occasion_templates", touch.GetString("template")); err == nil {
				variant = t.GetString("variant")
			}
			variants[touch.GetString("template")] = variant
		}
		outcome := demoOutcome(r, variant)
		touch.Set("outcome", outcome)
		if outcome == domain.OutcomeNotNow {
			followUp := created.AddDate(0, 0, 30+r.IntN(30))
			if followUp.Before(s.now.AddDate(0, 0, 1)) {
				touch.Set("outcome", "no_reply")
			} else {
				touch.Set("follow_up", dateTime(followUp))
			}
		}
		if err := touches.Update(s.app, touch, authors[touch.GetString("author")]); err != nil {
			return err
		}
		var id string
		if err := s.app.DB().Select("id").From("comments").Where(dbx.HashExp{"touch": touch.Id}).
			OrderBy("rowid DESC").Limit(1).Row(&id); err != nil {
			return err
		}
		outcomeComments = append(outcomeComments, id)
	}
	for _, id := range outcomeComments {
		_, err := s.app.DB().NewQuery(`UPDATE comments SET
			created = MIN((SELECT strftime('%Y-%m-%d %H:%M:%fZ', t.created, '+1 day') FROM touches t WHERE t.id = comments.touch), {:now}),
			updated = MIN((SELECT strftime('%Y-%m-%d %H:%M:%fZ', t.created, '+1 day') FROM touches t WHERE t.id = comments.touch), {:now})
			WHERE id = {:id}`).Bind(dbx.Params{"now": domain.DBTime(s.now), "id": id}).Execute()
		if err != nil {
			return err
		}
	}
	return s.withdrawOne()
}

// demoOutcome draws an outcome: a reply for about 3 in 10 touches (4 in
// 10 for variant B), mostly no reply yet, now and then not now, declined,
// bought or a referral.
func demoOutcome(r *rand.Rand, variant string) string {
	replied := 30
	if variant == "B" {
		replied = 42
	}
	n := r.IntN(100)
	switch {
	case n < replied:
		return domain.OutcomeReplied
	case n < replied+8:
		return domain.OutcomeNotNow
	case n < replied+13:
		return domain.OutcomeDeclined
	case n < replied+17:
		return domain.OutcomeBought
	case n < replied+20:
		return "referral"
	}
	return "no_reply"
}

// withdrawOne withdraws the newest done mark without an outcome, as the
// service manager, with the manager's note why: a mis-click.
func (s *seeder) withdrawOne() error {
	marks, err := s.app.FindRecordsByFilter("touches", "status = 'done' && outcome = ''", "-created,-id", 1, 0)
	if err != nil || len(marks) == 0 {
		return err
	}
	touch := marks[0]
	note := "Marked by mistake: wrong client."
	if domain.ClientLanguage(s.app, touch.GetString("client")) == "ru" {
		note = "Отмечено по ошибке: не тот клиент."
	}
	touch.Set("status", domain.TouchWithdrawn)
	touch.Set("comment", note)
	if err := touches.Update(s.app, touch, s.service); err != nil {
		return err
	}
	// the withdrawal's comment dates from a few minutes after the mark
	_, err = s.app.DB().NewQuery(`UPDATE comments SET
		created = strftime('%Y-%m-%d %H:%M:%fZ', {:at}, '+7 minutes'),
		updated = strftime('%Y-%m-%d %H:%M:%fZ', {:at}, '+7 minutes')
		WHERE touch = {:touch} AND rowid = (SELECT MAX(rowid) FROM comments WHERE touch = {:touch})`).
		Bind(dbx.Params{"at": touch.GetDateTime("created").String(), "touch": touch.Id}).Execute()
	return err
}
