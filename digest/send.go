package digest

import (
	"errors"
	"fmt"
	"net/mail"
	"sync"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/mailer"
	"github.com/pocketbase/pocketbase/tools/types"
)

// SendHour is the local hour from which a user's e-mail of the day goes.
const SendHour = 8

// cronJob is the job's id in app.Cron(); it runs every 5 minutes, so an
// e-mail goes at most 5 minutes after 08:00 local (or when the server
// comes back, later that day).
const (
	cronJob      = "touchbase_digest"
	cronSchedule = "*/5 * * * *"
)

// Outcomes of a digests record.
const (
	outcomeSending = "sending" // claimed; the mailer has it, or the process stopped
	outcomeSent    = "sent"
	outcomeFailed  = "failed"
	outcomeEmpty   = "empty" // nothing to say: no e-mail that day
)

// Bind wires the morning e-mail into app: the job, the unsubscribe route
// (outside the signed-in routes: the link's token says who), and the hook
// that turns the e-mail on for a new account unless it is created with
// digest = false.
func Bind(app core.App) {
	app.Cron().MustAdd(cronJob, cronSchedule, func() {
		if _, err := Run(app, time.Now()); err != nil {
			app.Logger().Error("digest: the morning e-mail job failed", "error", err)
		}
	})

	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.GET(UnsubscribePath, unsubscribe)
		se.Router.POST(UnsubscribePath, unsubscribe)
		return se.Next()
	})

	// digest is a bool, which a record cannot tell unset from false: the
	// request hook notes the records whose body names digest, and the
	// model hook (every create, requests or not: the demo, the dashboard)
	// switches it on for the others
	var explicit sync.Map // *core.Record → struct{}
	app.OnRecordCreateRequest("users").BindFunc(func(e *core.RecordRequestEvent) error {
		info, err := e.RequestInfo()
		if err != nil {
			return err
		}
		if _, ok := info.Body["digest"]; ok {
			explicit.Store(e.Record, struct{}{})
			defer explicit.Delete(e.Record)
		}
		return e.Next()
	})
	app.OnRecordCreate("users").BindFunc(func(e *core.RecordEvent) error {
		if _, ok := explicit.Load(e.Record); !ok && !e.Record.GetBool("digest") {
			e.Record.Set("digest", true)
		}
		return e.Next()
	})
}

// Result is what one run did, per user e-mail.
type Result struct {
	Sent, Empty, Failed []string
}

// Run is the job: every user with digest on whose local time (their
// point's zone, the server's without a point) is past 08:00 and who has
// no digests record for that local day gets their e-mail; an empty one
// is recorded and not sent. One user's failure is logged and does not
// stop the others.
func Run(app core.App, now time.Time) (Result, error) {
	var res Result
	users, err := app.FindRecordsByFilter("users", "digest = true", "email", 0, 0)
	if err != nil {
		return res, err
	}
	batch := NewBatch(app, now) // the managers of a point share its figures
	for _, user := range users {
		local := now.In(Location(app, user))
		if local.Hour() < SendHour {
			continue
		}
		outcome, err := batch.Deliver(user)
		switch {
		case errors.Is(err, ErrAlreadySent):
		case err != nil:
			app.Logger().Error("digest: the morning e-mail failed", "user", user.Id, "email", user.Email(), "error", err)
			res.Failed = append(res.Failed, user.Email())
		case outcome == outcomeSent:
			res.Sent = append(res.Sent, user.Email())
		case outcome == outcomeEmpty:
			res.Empty = append(res.Empty, user.Email())
		}
	}
	return res, nil
}

// ErrAlreadySent is Deliver's answer when the user's day already has its
// record.
var ErrAlreadySent = errors.New("the morning e-mail of this day was already handled")

// Deliver builds user's e-mail at now and sends it, at most once per
// local day: the digests record (unique per user and day) is written
// first, as a claim, and the e-mail goes only when the claim succeeded.
// A crash or an error of the mailer after the claim leaves the day
// without an e-mail rather than risk a second one (SPEC: one e-mail a
// day); the record says what happened (sending / sent / failed / empty).
// It answers the record's outcome.
func Deliver(app core.App, user *core.Record, now time.Time) (string, error) {
	return NewBatch(app, now).Deliver(user)
}

// Deliver is the package's Deliver within the batch's run.
func (b *Batch) Deliver(user *core.Record) (string, error) {
	app, now := b.app, b.now
	day := now.In(Location(app, user)).Format(time.DateOnly)
	if done, err := recorded(app, user.Id, day); err != nil {
		return "", err
	} else if done {
		return "", ErrAlreadySent
	}
	d, err := b.Build(user)
	if err != nil {
		return "", err
	}
	outcome := outcomeSending
	if d.Empty() {
		outcome = outcomeEmpty
	}
	record, err := claim(app, user.Id, d.Day, outcome)
	if err != nil {
		return "", err
	}
	if outcome == outcomeEmpty {
		return outcome, nil
	}
	sendErr := Send(app, d)
	record.Set("outcome", outcomeSent)
	if sendErr != nil {
		record.Set("outcome", outcomeFailed)
	} else {
		record.Set("sent", types.NowDateTime())
	}
	if err := app.Save(record); err != nil && sendErr == nil {
		return outcomeSent, fmt.Errorf("sent, but not recorded as sent: %w", err)
	}
	if sendErr != nil {
		return outcomeFailed, sendErr
	}
	return outcomeSent, nil
}

// recorded reports whether the user's day has a digests record.
func recorded(app core.App, userId, day string) (bool, error) {
	var n int
	err := app.DB().Select("COUNT(*)").From("digests").
		Where(dbx.HashExp{"user": userId, "day": day}).Row(&n)
	return n > 0, err
}

// claim writes the day's record; the unique (user, day) index lets only
// one writer have it, another run at the same time gets ErrAlreadySent.
func claim(app core.App, userId, day, outcome string) (*core.Record, error) {
	collection, err := app.FindCollectionByNameOrId("digests")
	if err != nil {
		return nil, err
	}
	record := core.NewRecord(collection)
	record.Set("user", userId)
	record.Set("day", day)
	record.Set("outcome", outcome)
	if err := app.Save(record); err != nil {
		if done, _ := recorded(app, userId, day); done {
			return nil, ErrAlreadySent
		}
		return nil, err
	}
	return record, nil
}

// Send hands d to the app's mailer (SMTP as set in the dashboard; tests'
// TestMailer), with the HTML and the plain-text parts and a
// List-Unsubscribe header that mail clients offer as a button.
func Send(app core.App, d *Digest) error {
	html, err := d.HTML()
	if err != nil {
		return err
	}
	meta := app.Settings().Meta
	return app.NewMailClient().Send(&mailer.Message{
		From:    mail.Address{Name: meta.SenderName, Address: meta.SenderAddress},
		To:      []mail.Address{{Name: d.User.GetString("name"), Address: d.User.Email()}},
		Subject: d.Subject(),
		HTML:    html,
		Text:    d.Text(),
		Headers: map[string]string{
			"List-Unsubscribe":      "<" + d.UnsubscribeURL + ">",
			"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		},
	})
}
